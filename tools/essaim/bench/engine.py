"""`essaim bench`: synthetic bases derived from the real cards, timed against the targets."""

from __future__ import annotations

import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from essaim.model import geography
import yaml

from essaim.pipeline.catalog import Card, Catalog
from essaim.search import SearchIndex, index_catalog
from essaim.derived.template import card_text
from essaim.model.vocabularies import vocabulary

LINK = re.compile(r"\[([^\]]*)\]\([^)]*\.md[^)]*\)")  # links to other cards, unlinked in copies
QUERIES = [
    "bus santé pour aller vers les habitants", "MSP en QPV", "médiation rurale", "mutuelle communale",
    "centre de santé communautaire", "accès aux droits RSA", "internes médecine générale logement",
    "santé mentale psychologue", "PASS soins gratuits", "diagnostic participatif habitants", "", "",
    "installation médecins généralistes", "femmes précarité", "unité mobile", "éducation thérapeutique diabète",
]
TARGETS = {"p50_ms": 50, "p95_ms": 150, "build_s": 60, "update_s": 1, "validate_s": 5}


def synthetic_catalog(catalog: Catalog, size: int, seed: int = 1) -> Catalog:
    """size cards made from the real ones: new ids, titles, places and theme mixes."""
    rng = random.Random(seed)
    themes, publics = vocabulary("themes").ids(), vocabulary("publics").ids()
    departements = list(geography.departements().values())
    cards = []
    for number in range(size):
        model = catalog.cards[number % len(catalog.cards)]
        dep = rng.choice(departements)
        territory = model.meta.territory.model_copy(update={"regions": [dep.parent], "departements": [dep.code],
                                                            "communes": []})
        meta = model.meta.model_copy(update={
            "title": f"{model.meta.title} ({dep.name} {number})",
            "territory": territory,
            "themes": list(dict.fromkeys(rng.sample(themes, 2) + model.meta.themes[:1])),  # no theme twice
            "publics": rng.sample(publics, 2),
        })
        cards.append(Card(f"{model.id}-{number}", model.path, meta, model.sections, model.outline, model.body_line,
                          model.source_dates))
    return Catalog(cards, [], catalog.sources, catalog.root, catalog.source_files)


def write_synthetic_content(catalog: Catalog, size: int, folder: Path) -> None:
    """A content folder of size card files, for timing validation on real-looking files."""
    (folder / "actions").mkdir(parents=True)
    (folder / "guides").mkdir()
    (folder / "sources").mkdir()
    for source_id, source in catalog.sources.items():
        (folder / "sources" / f"{source_id}.yaml").write_text(
            yaml.safe_dump(source.model_dump(by_alias=True, exclude_none=True), allow_unicode=True), encoding="utf-8")
    for card in synthetic_catalog(catalog, size).cards:
        values = card.meta.model_dump(by_alias=True, exclude_defaults=True)
        values["porteur"]["nom"] = f"{card.meta.carrier.name} {card.id}"
        sections = {key: LINK.sub(r"\1", text) for key, text in card.sections.items()}
        (folder / "actions" / f"{card.id}.md").write_text(card_text(values, sections), encoding="utf-8")


def measure_validation(catalog: Catalog, size: int, runs: int = 3) -> float:
    """Wall time of the `essaim validate` command itself (start-up included) on size synthetic
    cards: the median of runs."""
    times = []
    with tempfile.TemporaryDirectory() as folder:
        write_synthetic_content(catalog, size, Path(folder))
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "essaim", "--content", folder, "validate"],
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if done.returncode:
                raise RuntimeError(f"la validation des fiches synthétiques a échoué :\n{done.stdout[-2000:]}")
    return statistics.median(times)


def _filters(rng: random.Random) -> dict[str, list[str]]:
    choice = rng.random()
    if choice < 0.3:
        return {}
    if choice < 0.6:
        return {"region": [rng.choice(list(geography.regions())[5:18])]}
    if choice < 0.8:
        return {"theme": rng.sample(vocabulary("themes").ids(), 2)}
    return {"region": [rng.choice(list(geography.regions())[5:18])], "territoire": ["qpv"]}


def measure(catalog: Catalog, size: int, queries: int = 200) -> dict:
    synthetic = synthetic_catalog(catalog, size)
    rng = random.Random(size)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "index"
        start = time.perf_counter()
        index_catalog(synthetic, root, rebuild=True)
        build = time.perf_counter() - start
        changed = synthetic.cards[size // 2]
        changed.meta = changed.meta.model_copy(update={"summary": changed.meta.summary + " Mise à jour."})
        start = time.perf_counter()
        report = index_catalog(synthetic, root)
        update = time.perf_counter() - start
        assert report.updated == 1 and not report.rebuilt
        search_index = SearchIndex(root)
        search_index.search("santé")  # warm-up: opens the index, caches facet sets
        latencies = []
        for number in range(queries):
            text = QUERIES[number % len(QUERIES)]
            start = time.perf_counter()
            search_index.search(text, _filters(rng), limit=10)
            latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    validate = measure_validation(catalog, size)
    return {"size": size, "validate_s": validate, "build_s": build, "update_s": update, "p50_ms": statistics.median(latencies),
            "p95_ms": latencies[int(len(latencies) * 0.95) - 1], "queries": queries}


def report_markdown(rows: list[dict], machine: str) -> str:
    lines = [
        f"### Recherche et validation — mesuré le {date.today().isoformat()}",
        "",
        f"Machine : {machine}. Bases synthétiques tirées des fiches réelles (`essaim bench`) ; requêtes : "
        f"mélange de {len(QUERIES)} requêtes réalistes (dont navigation sans mots), avec ou sans filtres de "
        "région, thèmes et territoire ; chaque requête calcule toutes les facettes ; latences à chaud (index "
        "ouvert). Validation : durée de la commande `essaim validate` elle-même (démarrage compris) sur autant "
        "de fichiers de fiches écrits sur disque, médiane de trois lancements.",
        "",
        "| Fiches | Validation (s) | Index complet (s) | Mise à jour d'une fiche (s) | p50 requête (ms) | p95 requête (ms) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['size']:,} | {r['validate_s']:.1f} | {r['build_s']:.1f} | {r['update_s']:.2f} | {r['p50_ms']:.1f} | "
                     f"{r['p95_ms']:.1f} |".replace(",", " "))
    lines += ["", f"Cibles à 10 000 fiches : validation ≤ {TARGETS['validate_s']} s, index ≤ {TARGETS['build_s']} s, mise à jour ≤ {TARGETS['update_s']} s, "
              f"p50 ≤ {TARGETS['p50_ms']} ms, p95 ≤ {TARGETS['p95_ms']} ms.", ""]
    return "\n".join(lines)
