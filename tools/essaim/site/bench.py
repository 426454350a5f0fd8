"""Site benchmark: build a site of N synthetic cards, weigh its pages and a first filtered search.

    python -m essaim.site.bench [--tailles 250 500 1000 2000] [--ecrire]

With several sizes, a table shows the build time per 1,000 cards at each size: it stays flat
when the build is linear in the number of cards. The detailed figures, and the targets, are
those of the 1,000-card site (of the largest one when 1,000 is not among the sizes).

--ecrire replaces the « site » section of docs/benchmarks.md (between <!-- bench:site --> and
<!-- /bench:site -->), keeping the others. The search is measured in Debian's Chromium (Playwright)
when both are installed (bash scripts/installer.sh --tests).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TARGETS = {"build_s": 60, "card_kb": 150, "search_kb": 250}
TARGET_SIZE = 1000  # the targets are set for a site of this many cards
BEGIN, END = "<!-- bench:site -->", "<!-- /bench:site -->"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def build_synthetic(content: Path, size: int, folder: Path, config: Path) -> dict:
    from essaim.bench import synthetic_catalog
    from essaim.build import build_site
    from essaim.catalog import open_catalog

    catalog, _ = open_catalog(content)
    synthetic = synthetic_catalog(catalog, size)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(config, folder / "mkdocs.yml")
    timings: dict = {}
    start = time.perf_counter()
    code = build_site(synthetic, folder / "mkdocs.yml", timings)
    total = time.perf_counter() - start
    if code:
        raise SystemExit(f"construction échouée (code {code})")
    site = folder / "build" / "site"
    cards = [p.stat().st_size for p in (site / "actions").glob("*/index.html")]
    pages = list(site.rglob("*.html"))
    biggest_listing = max((p for p in pages if "/actions/" not in str(p)), key=lambda p: p.stat().st_size)
    region = synthetic.cards[0].meta.territory.regions[0]
    return {
        "size": size, "build_s": total, "steps": timings, "pages": len(pages),
        "card_max_kb": max(cards) / 1024, "card_median_kb": statistics.median(cards) / 1024,
        "listing_max_kb": biggest_listing.stat().st_size / 1024,
        "listing_max": str(biggest_listing.relative_to(site).parent),
        "pagefind_mb": sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file()) / 1024 ** 2,
        "site": site, "region": region,
    }


def measure_search(site: Path, region: str, text: str = "médiation") -> dict | None:
    """Bytes a browser with an empty cache downloads to show a first search with a région filter."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests"))
    from browser.sitebuild import serve

    sizes: dict[str, int] = {}
    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.on("requestfinished", lambda r: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
        start = time.perf_counter()
        page.goto(url + f"recherche/?q={text}&region={region}")
        page.wait_for_selector("#essaim-recherche[data-etat=pret]", timeout=60000)
        elapsed = time.perf_counter() - start
        status = page.locator("#essaim-statut").inner_text()
        browser.close()
    search = {k: v for k, v in sizes.items() if "/pagefind/" in k or k.endswith("recherche.js")}
    page_only = {k: v for k, v in sizes.items() if k not in search}

    def gz(urls):
        total = 0
        for address in urls:
            path = site / address.split("/", 3)[3].split("?")[0]
            if path.is_dir():
                path = path / "index.html"
            data = path.read_bytes() if path.is_file() else b""
            # Pagefind's index files are already compressed: count them as they are.
            total += len(data) if path.suffix.startswith((".pf_", ".pagefind")) else len(gzip.compress(data, 6))
        return total

    return {"search_kb": sum(search.values()) / 1024, "search_gz_kb": gz(search) / 1024,
            "page_kb": sum(page_only.values()) / 1024, "page_gz_kb": gz(page_only) / 1024,
            "requests": len(sizes), "seconds": elapsed, "status": status,
            "largest": sorted(((k.split("/", 3)[3], v) for k, v in search.items()), key=lambda kv: -kv[1])[:4]}


def detailed(rows: list[dict]) -> dict:
    """The row the targets apply to."""
    return next((row for row in rows if row["size"] == TARGET_SIZE), rows[-1])


def report_markdown(rows: list[dict], search: dict | None, machine: str) -> str:
    row = detailed(rows)
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in row["steps"].items())
    lines = [
        f"### Site (mkdocs + Pagefind) — mesuré le {date.today().isoformat()}",
        "",
        f"Machine : {machine}. Base synthétique de {format(row['size'], ',').replace(',', ' ')} fiches tirées des "
        "fiches réelles (`python -m essaim.site.bench`), construite de zéro (index de recherche compris).",
        "",
        "| Mesure | Valeur | Cible |",
        "|---|---:|---:|",
        f"| Construction complète (`build_site`) | {row['build_s']:.1f} s | ≤ {TARGETS['build_s']} s |",
        f"| Pages HTML produites | {row['pages']:,} | |".replace(",", " "),
        f"| Page de fiche la plus lourde (HTML) | {row['card_max_kb']:.0f} Ko | ≤ {TARGETS['card_kb']} Ko |",
        f"| Page de fiche médiane (HTML) | {row['card_median_kb']:.0f} Ko | |",
        f"| Page de liste la plus lourde ({row['listing_max']}) | {row['listing_max_kb']:.0f} Ko | |",
        f"| Index Pagefind sur disque | {row['pagefind_mb']:.1f} Mo | |",
    ]
    if search:
        lines += [
            f"| Première recherche filtrée : fichiers de recherche transférés (script + Pagefind + index) "
            f"| {search['search_kb']:.0f} Ko | ≤ {TARGETS['search_kb']} Ko |",
            f"| … les mêmes, servis compressés (gzip) | {search['search_gz_kb']:.0f} Ko | |",
            f"| … plus la page et le thème (HTML, CSS, JS), non compressés / gzip | {search['page_kb']:.0f} Ko / "
            f"{search['page_gz_kb']:.0f} Ko | |",
        ]
    lines += ["", f"Étapes : {steps}."]
    if len(rows) > 1:
        lines += ["", *linearity_table(rows)]
    if search:
        largest = ", ".join(f"`{name}` {size / 1024:.0f} Ko" for name, size in search["largest"])
        lines += ["", f"Recherche mesurée dans Chromium (cache vide, `http.server` sans compression) : « médiation » "
                      f"avec un filtre de région, {search['requests']} requêtes, affichée en {search['seconds']:.1f} s "
                      f"(« {search['status']} »). Plus gros fichiers : {largest}."]
    return "\n".join(lines + [""])


def linearity_table(rows: list[dict]) -> list[str]:
    """Build time per 1,000 cards at each size, step by step: flat columns mean a linear build."""
    steps = list(rows[-1]["steps"])
    per_thousand = [row["build_s"] * 1000 / row["size"] for row in rows]
    lines = [
        "Linéarité : temps de construction rapporté à 1 000 fiches, pour chaque taille de base (colonnes "
        "constantes = construction proportionnelle au nombre de fiches).",
        "",
        "| Fiches | Construction (s) | Pour 1 000 fiches (s) | " + " | ".join(f"{s} (s / 1 000)" for s in steps) + " |",
        "|---:|---:|---:|" + "---:|" * len(steps),
    ]
    for row, scaled in zip(rows, per_thousand):
        cells = " | ".join(f"{row['steps'].get(s, 0) * 1000 / row['size']:.1f}" for s in steps)
        lines.append(f"| {format(row['size'], ',').replace(',', ' ')} | {row['build_s']:.1f} | {scaled:.1f} | {cells} |")
    ratio = per_thousand[-1] / per_thousand[0]
    lines += ["", f"Temps par fiche de la plus grande base rapporté à celui de la plus petite : {ratio:.2f}."]
    return lines


def write_report(path: Path, section: str) -> None:
    """Replace the site section of docs/benchmarks.md, keeping the others."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Mesures de performance\n\n"
    block = f"{BEGIN}\n{section}\n{END}"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m essaim.site.bench", description="Mesure la construction du site.")
    parser.add_argument("--tailles", type=int, nargs="+", default=[1000],
                        help="nombres de fiches synthétiques, du plus petit au plus grand (défaut : 1000)")
    parser.add_argument("--content", default="content", help="dossier des contenus (défaut : ./content)")
    parser.add_argument("--ecrire", action="store_true", help="écrit les résultats dans docs/benchmarks.md")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    rows, search = [], None
    sizes = sorted(args.tailles)
    searched = detailed([{"size": size} for size in sizes])["size"]  # search measured where targets apply
    for size in sizes:
        print(f"Construction de {size} fiches…", file=sys.stderr)
        with tempfile.TemporaryDirectory() as folder:
            rows.append(build_synthetic(Path(args.content), size, Path(folder) / "site", Path("mkdocs.yml")))
            if size == searched:
                search = measure_search(rows[-1]["site"], rows[-1]["region"])
    machine = (f"{os.cpu_count()} cœurs, Python {platform.python_version()}, {platform.machine()}, charge moyenne "
               f"au départ {load:.1f} (les temps varient avec la charge : autres travaux sur les deux cœurs)")
    section = report_markdown(rows, search, machine)
    print(section)
    if args.ecrire:
        write_report(Path("docs/benchmarks.md"), section)
    row = detailed(rows)
    met = row["build_s"] <= TARGETS["build_s"] and row["card_max_kb"] <= TARGETS["card_kb"] and (
        search is None or search["search_kb"] <= TARGETS["search_kb"])
    print("Cibles atteintes." if met else "Cibles NON atteintes.", file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
