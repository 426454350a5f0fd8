"""Search quality, measured: graded queries run through an engine, scored per kind of query.

Metrics (graded relevance: 2 = exactly what the query is after, 1 = a reasonable answer):
- hit@5: share of queries with a relevant card (grade ≥ 1) in the first five;
- MRR: mean of 1 / rank of the first relevant card (0 if none in the first ten);
- nDCG@10: discounted gain of the first ten (gain 2^grade − 1) over the ideal ordering;
- empty: share of queries answered with no result at all.

Engines: the command line's (`SearchIndex`), a plain SQLite FTS5 BM25 baseline over the same Markdown
files (every word, OR), and the website's (run in Chromium by tests/browser/test_search_relevance.py).
`python -m essaim.bench.relevance` prints the report and can write it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import math
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from essaim.bench.doc import replace_section
from essaim.text.options import add_option

KINDS = {
    "paraphrase": "Besoin dit autrement",
    "mot_cle": "Mot-clé, sigle",
    "faute": "Faute de frappe, accents",
    "question": "Question longue",
    "lieu_theme": "Lieu + thème",
    "public_besoin": "Public + besoin",
}
DEPTH = 10


@dataclass(frozen=True)
class GradedQuery:
    text: str
    kind: str
    grades: dict[str, int]
    filters: dict[str, list[str]]


def load_queries(path: Path) -> list[GradedQuery]:
    queries = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        grades = item.get("pertinents") or dict.fromkeys(item.get("attendus", []), 2)
        queries.append(GradedQuery(item["requete"], item.get("type", "autre"), dict(grades),
                                   item.get("filtres") or {}))
    return queries


@dataclass
class Scores:
    queries: int = 0
    hits: int = 0
    reciprocal: float = 0.0
    ndcg: float = 0.0
    empty: int = 0

    def add(self, ranked: list[str], grades: dict[str, int], total: int) -> None:
        self.queries += 1
        self.empty += total == 0
        relevant = [i for i, doc in enumerate(ranked[:DEPTH]) if grades.get(doc, 0) > 0]
        self.hits += bool(relevant) and relevant[0] < 5
        self.reciprocal += 1 / (relevant[0] + 1) if relevant else 0.0
        self.ndcg += ndcg(ranked, grades)

    def row(self) -> dict[str, float]:
        n = self.queries or 1
        return {"n": self.queries, "hit@5": self.hits / n, "mrr": self.reciprocal / n, "ndcg@10": self.ndcg / n,
                "vides": self.empty / n}


def ndcg(ranked: list[str], grades: dict[str, int], depth: int = DEPTH) -> float:
    gains = [2 ** grades.get(doc, 0) - 1 for doc in ranked[:depth]]
    ideal = sorted((2 ** g - 1 for g in grades.values()), reverse=True)[:depth]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


# engine(query) -> (ranked ids, total)
Engine = Callable[[GradedQuery], tuple[list[str], int]]


def evaluate(queries: Iterable[GradedQuery], engine: Engine) -> tuple[dict[str, dict], list[tuple]]:
    """Scores overall and per kind, and the misses (query, first ids) for reading."""
    per_kind: dict[str, Scores] = {}
    overall = Scores()
    misses = []
    for query in queries:
        ranked, total = engine(query)
        for scores in (overall, per_kind.setdefault(query.kind, Scores())):
            scores.add(ranked, query.grades, total)
        if not any(query.grades.get(d, 0) for d in ranked[:5]):
            misses.append((query.kind, query.text, ranked[:5]))
    table = {"ensemble": overall.row(), **{k: per_kind[k].row() for k in sorted(per_kind)}}
    return table, misses


def cli_engine(search_index) -> Engine:
    def run(query: GradedQuery) -> tuple[list[str], int]:
        results = search_index.search(query.text, query.filters, limit=DEPTH)
        return [h.id for h in results.hits], results.total
    return run


def baseline_engine(content: Path, facet_of: Callable[[str], dict[str, list[str]]] | None = None) -> Engine:
    """Plain SQLite FTS5 (unicode61, accents removed, BM25) over the cards' Markdown files, words OR-ed."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE cards USING fts5(id UNINDEXED, text, tokenize='unicode61 remove_diacritics 2')")
    for path in sorted((content / "actions").glob("*.md")):
        db.execute("INSERT INTO cards VALUES (?, ?)", (path.stem, path.read_text(encoding="utf-8")))
    facets = facet_of or (lambda _id: {})

    def run(query: GradedQuery) -> tuple[list[str], int]:
        tokens = re.findall(r"\w+", query.text.lower())
        if not tokens:
            return [], 0
        match = " OR ".join(f'"{t}"' for t in tokens)
        rows = [r[0] for r in db.execute("SELECT id FROM cards WHERE cards MATCH ? ORDER BY bm25(cards)", (match,))]
        rows = [r for r in rows if all(set(v) & set(facets(r).get(k, [])) for k, v in query.filters.items())]
        return rows[:DEPTH], len(rows)
    return run


def markdown(tables: dict[str, dict[str, dict]]) -> str:
    """One table per engine, rows = kinds, plus the misses count."""
    lines = []
    for engine, table in tables.items():
        lines += [f"**{engine}**", "", "| Type de requête | n | hit@5 | MRR | nDCG@10 | sans résultat |",
                  "|---|---:|---:|---:|---:|---:|"]
        for kind, row in table.items():
            label = KINDS.get(kind, kind).capitalize() if kind != "ensemble" else "**Ensemble**"
            lines.append(f"| {label} | {row['n']} | {row['hit@5']:.2f} | {row['mrr']:.2f} | {row['ndcg@10']:.2f} "
                         f"| {row['vides']:.0%} |")
        lines.append("")
    return "\n".join(lines)


DEFAULT_QUERIES = "tests/data/relevance.yaml"
HOLDOUT_NOTE = ("Jeu **tenu à l'écart** : écrit par une autre personne, sans voir le moteur, son thésaurus ni le jeu "
                "principal, et jamais utilisé pour régler quoi que ce soit ; il dit si les réglages se généralisent.")


def section(report: str, site: str | None, count: int, cli: dict, baseline: dict,
            queries: str = DEFAULT_QUERIES) -> str:
    from datetime import date

    held_out = queries != DEFAULT_QUERIES
    title = "Pertinence sur le jeu tenu à l'écart" if held_out else "Pertinence de la recherche"
    lines = [f"### {title} — mesurée le {date.today().isoformat()}", "",
             *([HOLDOUT_NOTE, ""] if held_out else []),
             f"{count} requêtes notées (`{queries}`, six types, écrites en lisant les fiches). "
             f"nDCG@10 : ligne de commande {cli['ndcg@10']:.2f}, référence SQLite FTS5 {baseline['ndcg@10']:.2f} "
             f"(écart {cli['ndcg@10'] - baseline['ndcg@10']:+.2f}). Commandes : `python -m essaim.bench.relevance "
             f"--queries {queries} --write` (après `pytest tests/browser/test_search_site.py` pour le tableau du site).", "", report]
    if site:
        lines += ["Le site, dans Chromium, par l'adresse de la page de recherche (`/recherche/?q=…`) :", "", site]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from essaim.pipeline.catalog import open_catalog
    from essaim.pipeline.facets import card_facets
    from essaim.search import SearchIndex, index_catalog

    parser = argparse.ArgumentParser(prog="python -m essaim.bench.relevance",
                                     description="Mesure la pertinence de la recherche (ligne de commande et "
                                                 "référence SQLite FTS5) sur le jeu de requêtes notées.")
    add_option(parser, "--queries", old="--requetes", default=DEFAULT_QUERIES, metavar="FICHIER",
               help="jeu de requêtes notées")
    parser.add_argument("--content", default="content", help="dossier du contenu")
    add_option(parser, "--misses", old="--manques", action="store_true", help="affiche les requêtes manquées")
    add_option(parser, "--write", old="--ecrire", action="store_true",
               help="écrit le rapport dans docs/benchmarks.md (avec celui du site, build/pertinence-site.md, "
                             "s'il a été produit par tests/browser/test_search_site.py)")
    args = parser.parse_args(argv)
    queries = load_queries(Path(args.queries))
    catalog, _ = open_catalog(Path(args.content))
    facets = {c.id: card_facets(c) for c in catalog.cards}
    with tempfile.TemporaryDirectory() as folder:
        index_catalog(catalog, Path(folder))
        cli, misses = evaluate(queries, cli_engine(SearchIndex(Path(folder))))
    baseline, _ = evaluate(queries, baseline_engine(Path(args.content), facets.get))
    report = markdown({"essaim search": cli, "Référence SQLite FTS5 (BM25, mots en OU)": baseline})
    print(report)
    if args.write:
        held_out = args.queries != DEFAULT_QUERIES
        site = Path("build/pertinence-site.md")
        site_report = site.read_text("utf-8") if site.exists() and not held_out else None
        key = f"pertinence-{Path(args.queries).stem}" if held_out else "pertinence"
        replace_section(Path("docs/benchmarks.md"), key, section(report, site_report, len(queries), cli["ensemble"],
                                                                 baseline["ensemble"], args.queries))
    if args.misses:
        for kind, text, ranked in misses:
            print(f"- [{kind}] {text} → {', '.join(ranked) or 'aucun résultat'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
