"""Site benchmark: build a site of N synthetic cards, weigh its pages and a first filtered search.

    python -m essaim.bench.site [--sizes 250 500 1000 2000] [--write]

With several sizes, a table shows the build time per 1,000 cards at each size: it stays flat
when the build is linear in the number of cards. The detailed figures, and the targets, are
those of the 1,000-card site (of the largest one when 1,000 is not among the sizes).

--write replaces the « site » section of docs/benchmarks.md (between <!-- bench:site --> and
<!-- /bench:site -->), keeping the others. The search is measured in Debian's Chromium (Playwright)
when both are installed (bash scripts/installer.sh --tests).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from essaim.bench.doc import machine as benchmark_machine
from essaim.bench.doc import replace_section
from essaim.text.options import add_option

TARGETS = {"build_s": 60, "card_kb": 150, "search_kb": 150, "search_kb_10000": 250}
TARGET_SIZE = 1000  # the targets are set for a site of this many cards
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def build_synthetic(content: Path, size: int, folder: Path, config: Path) -> dict:
    from essaim.bench.engine import synthetic_catalog
    from essaim.site.build import build_site
    from essaim.pipeline.catalog import open_catalog

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
        "search_index_mb": sum(p.stat().st_size for p in (site / "recherche-index").rglob("*") if p.is_file()) / 1024 ** 2,
        "site_mb": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1024 ** 2,
        "markdown_mb": sum(p.stat().st_size for p in (folder / "build" / "docs").rglob("*.md")) / 1024 ** 2,
        "listings_markdown_mb": sum(p.stat().st_size for p in (folder / "build" / "docs").rglob("*.md")
                                    if "actions" not in p.relative_to(folder / "build" / "docs").parts) / 1024 ** 2,
        "site": site, "region": region,
    }


def measure_search(site: Path, region: str, text: str = "médiation") -> dict | None:
    """Bytes a browser with an empty cache downloads for the search page: on opening (no index file
    may come), for a first search with one word and a région filter, and for browsing by a filter alone."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests"))
    from browser.sitebuild import serve

    scenarios = {"ouverture": "recherche/", "mot_et_filtre": f"recherche/?q={text}&region={region}",
                 "filtre_seul": f"recherche/?region={region}"}
    out: dict = {}
    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, address in scenarios.items():
            sizes: dict[str, int] = {}
            context = browser.new_context()
            page = context.new_page()
            page.on("requestfinished", lambda r, sizes=sizes: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
            start = time.perf_counter()
            page.goto(url + address)
            page.wait_for_selector("#essaim-recherche[data-etat=pret]", timeout=60000)
            page.wait_for_load_state("networkidle")
            elapsed = time.perf_counter() - start
            status = page.locator("#essaim-statut").inner_text()
            context.close()
            index = {k: v for k, v in sizes.items() if "/recherche-index/" in k}
            scripts = {k: v for k, v in sizes.items() if k.endswith(("/moteur.js", "/recherche.js"))}
            out[name] = {"index_kb": sum(index.values()) / 1024, "scripts_kb": sum(scripts.values()) / 1024,
                         "total_kb": sum(sizes.values()) / 1024, "requests": len(sizes), "seconds": elapsed,
                         "status": status, "largest": sorted(((k.split("/", 3)[3], v) for k, v in index.items()),
                                                             key=lambda kv: -kv[1])[:4]}
        browser.close()
    first = out["mot_et_filtre"]
    out["search_kb"] = first["index_kb"] + first["scripts_kb"]
    return out


def detailed(rows: list[dict]) -> dict:
    """The row the targets apply to."""
    return next((row for row in rows if row["size"] == TARGET_SIZE), rows[-1])


def report_markdown(rows: list[dict], search: dict | None, machine: str) -> str:
    row = detailed(rows)
    steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in row["steps"].items())
    lines = [
        f"### Site (mkdocs + index de recherche statique) — mesuré le {date.today().isoformat()}",
        "",
        f"Machine : {machine}. Base synthétique de {format(row['size'], ',').replace(',', ' ')} fiches tirées des "
        "fiches réelles (`python -m essaim.bench.site`), construite de zéro (index de recherche compris).",
        "",
        "| Mesure | Valeur | Cible |",
        "|---|---:|---:|",
        f"| Construction complète (`build_site`) | {row['build_s']:.1f} s | ≤ {TARGETS['build_s']} s |",
        f"| Pages HTML produites | {row['pages']:,} | |".replace(",", " "),
        f"| Page de fiche la plus lourde (HTML) | {row['card_max_kb']:.0f} Ko | ≤ {TARGETS['card_kb']} Ko |",
        f"| Page de fiche médiane (HTML) | {row['card_median_kb']:.0f} Ko | |",
        f"| Page de liste la plus lourde ({row['listing_max']}) | {row['listing_max_kb']:.0f} Ko | |",
        f"| Index de recherche du site sur disque (compressé) | {row['search_index_mb']:.1f} Mo | |",
        f"| Site entier sur disque | {row['site_mb']:.0f} Mo | |",
        f"| Markdown généré pour mkdocs (dont hors fiches) | {row['markdown_mb']:.1f} Mo "
        f"({row['listings_markdown_mb']:.1f} Mo) | |",
    ]
    if search:
        budget = TARGETS["search_kb_10000"] if row["size"] >= 10_000 else TARGETS["search_kb"]
        lines += [
            f"| Ouverture de la page de recherche : fichiers d'index transférés | {search['ouverture']['index_kb']:.0f} Ko "
            "| 0 |",
            f"| Première recherche, un mot et un filtre : index + scripts de recherche transférés "
            f"| {search['search_kb']:.0f} Ko | ≤ {budget} Ko |",
            f"| Parcourir par un filtre seul : index + scripts transférés "
            f"| {search['filtre_seul']['index_kb'] + search['filtre_seul']['scripts_kb']:.0f} Ko | ≤ {budget} Ko |",
            f"| … toute la page (HTML, thème, scripts, index), première recherche | "
            f"{search['mot_et_filtre']['total_kb']:.0f} Ko | |",
        ]
    lines += ["", f"Étapes : {steps}."]
    if len(rows) > 1:
        lines += ["", *linearity_table(rows)]
    measured = [r for r in rows if r.get("search")]
    if measured:
        lines += ["", "Octets de la recherche par taille de base, mesurés dans Chromium (cache vide, `http.server` "
                      "sans compression ; les fichiers d'index sont compressés par Essaim, les scripts non) :", "",
                  "| Fiches | Ouverture : index | Un mot + un filtre : index + scripts | Filtre seul : index + scripts "
                  "| Cible | Requêtes (mot + filtre) | Affichage (s) |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in measured:
            found = r["search"]
            budget = TARGETS["search_kb_10000"] if r["size"] >= 10_000 else TARGETS["search_kb"]
            alone = found["filtre_seul"]["index_kb"] + found["filtre_seul"]["scripts_kb"]
            lines.append(f"| {format(r['size'], ',').replace(',', ' ')} | {found['ouverture']['index_kb']:.0f} Ko "
                         f"| {found['search_kb']:.0f} Ko | {alone:.0f} Ko | ≤ {budget} Ko "
                         f"| {found['mot_et_filtre']['requests']} | {found['mot_et_filtre']['seconds']:.1f} |")
        last = measured[-1]["search"]["mot_et_filtre"]
        largest = ", ".join(f"`{name}` {size / 1024:.0f} Ko" for name, size in last["largest"])
        lines += ["", f"Plus gros fichiers d'index de la plus grande base (« médiation » + région) : {largest}."]
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
        "|---:|---:|---:|" + "---:|" * len(steps) + "---:|---:|---:|",
    ]
    lines[-2] += " Pages HTML | Site (Mo) | Markdown (Mo) |"
    for row, scaled in zip(rows, per_thousand):
        cells = " | ".join(f"{row['steps'].get(s, 0) * 1000 / row['size']:.1f}" for s in steps)
        lines.append(f"| {format(row['size'], ',').replace(',', ' ')} | {row['build_s']:.1f} | {scaled:.1f} | {cells} "
                     f"| {row['pages']} | {row['site_mb']:.0f} | {row['markdown_mb']:.1f} |")
    ratio = per_thousand[-1] / per_thousand[0]
    lines += ["", f"Temps par fiche de la plus grande base rapporté à celui de la plus petite : {ratio:.2f}."]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m essaim.bench.site", description="Mesure la construction du site.")
    add_option(parser, "--sizes", old="--tailles", type=int, nargs="+", default=[1000],
               help="nombres de fiches synthétiques, du plus petit au plus grand (défaut : 1000)")
    parser.add_argument("--content", default="content", help="dossier des contenus (défaut : ./content)")
    add_option(parser, "--write", old="--ecrire", action="store_true", help="écrit les résultats dans docs/benchmarks.md")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    rows, search = [], None
    sizes = sorted(args.sizes)
    searched = detailed([{"size": size} for size in sizes])["size"]  # search measured where targets apply
    for size in sizes:
        print(f"Construction de {size} fiches…", file=sys.stderr)
        with tempfile.TemporaryDirectory() as folder:
            rows.append(build_synthetic(Path(args.content), size, Path(folder) / "site", Path("mkdocs.yml")))
            rows[-1]["search"] = measure_search(rows[-1]["site"], rows[-1]["region"])
            if size == searched:
                search = rows[-1]["search"]
    machine = (f"{benchmark_machine()}, charge moyenne "
               f"au départ {load:.1f} (les temps varient avec la charge : autres travaux sur les deux cœurs)")
    section = report_markdown(rows, search, machine)
    print(section)
    if args.write:
        replace_section(Path("docs/benchmarks.md"), "site", section)
    row = detailed(rows)
    met = row["build_s"] <= TARGETS["build_s"] and row["card_max_kb"] <= TARGETS["card_kb"] and (
        search is None or search["search_kb"] <= TARGETS["search_kb"])
    print("Cibles atteintes." if met else "Cibles NON atteintes.", file=sys.stderr)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
