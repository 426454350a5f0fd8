"""`essaim bench --compare`: our engine side by side with a reference tantivy index.

The reference is built from the same search documents (essaim.search.documents) and the same
analysis: every text field is handed to tantivy already analysed by our analyzer (terms separated
by spaces, read by tantivy's whitespace tokenizer), facet values as raw multi-valued fast fields.
Each query is understood once by our engine (essaim.search.understanding) and the same groups are
compiled for tantivy: a group is any of its alternatives, an alternative all of its terms, a term
any of the boosted fields; filters are OR within a facet, AND across facets; facet counts are
disjunctive (each facet counted under the other facets' filters), one aggregation per ticked facet
plus one for the others. Totals and facet counts are compared on every query.

tantivy is an optional dependency (`pip install -e '.[bench]'`), never needed to search.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from essaim.bench.engine import QUERIES, _filters, synthetic_catalog
from essaim.pipeline.catalog import Catalog
from essaim.pipeline.facets import FACETS
from essaim.search import SearchIndex, index_catalog
from essaim.search.documents import entries
from essaim.search.engine import FIELD_BOOSTS, analyze

CLI_QUERY = "médiation"
RUNS = 9  # alternated runs of each process-level measurement (a shared machine: medians of more)

# The one-shot tantivy script: what a compiled engine costs from process start to JSON on stdout.
ONE_SHOT = r'''
import json, sys
import tantivy
spec = json.loads(sys.argv[2])
index = tantivy.Index.open(sys.argv[1])
searcher = index.searcher()
schema = index.schema
BOOSTS = spec["boosts"]
def term(t):
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.boost_query(
        tantivy.Query.term_query(schema, f, t), b)) for f, b in BOOSTS.items()])
def alternative(a):
    if "tag" in a:
        return tantivy.Query.const_score_query(tantivy.Query.term_query(schema, a["tag"][0], a["tag"][1]), 3.0)
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, term(t)) for t in a["terms"]])
def values(facet, vs):
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(schema, facet, v))
                                        for v in vs])
def run(spec):
    base = [(tantivy.Occur.Must, tantivy.Query.term_query(schema, "kind", spec["kind"]))]
    if spec["groups"]:
        base.append((tantivy.Occur.Must, tantivy.Query.boolean_query([(tantivy.Occur.Should,
            tantivy.Query.disjunction_max_query([alternative(a) for a in g])) for g in spec["groups"]])))
    filters = {f: values(f, vs) for f, vs in spec["filters"].items()}
    query = tantivy.Query.boolean_query(base + [(tantivy.Occur.Must, q) for q in filters.values()])
    if spec["groups"]:
        found = searcher.search(query, spec["limit"])
    else:
        found = searcher.search(query, spec["limit"], order_by_field="title_sort", order=tantivy.Order.Asc)
    hits = []
    for key, address in found.hits:
        doc = searcher.doc(address)
        hits.append({"id": doc["id"][0], "title": doc["title"][0], "url": doc["url"][0], "score": key})
    facets = {}
    free = [f for f in spec["facets"] if f not in filters]
    groups = [(free, query)] + [([f], tantivy.Query.boolean_query(
        base + [(tantivy.Occur.Must, q) for g, q in filters.items() if g != f])) for f in filters]
    for names, q in groups:
        result = searcher.aggregate(q, {f: {"terms": {"field": f, "size": 1000}} for f in names})
        for f in names:
            facets[f] = {b["key"]: b["doc_count"] for b in result[f]["buckets"]}
    return {"total": found.count, "results": hits, "facets": facets}
if __name__ == "__main__":
    print(json.dumps(run(spec), ensure_ascii=False))
'''


class Clock:
    """Wall time and CPU time (this process and its finished children): on a shared machine the CPU time
    of a step barely moves with the load, the wall time does."""

    @staticmethod
    def cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    def __enter__(self):
        self.wall, self.processor = time.perf_counter(), self.cpu()
        return self

    def __exit__(self, *exc):
        self.wall, self.processor = time.perf_counter() - self.wall, self.cpu() - self.processor


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _tantivy():
    try:
        import tantivy
    except ImportError as error:
        raise SystemExit("essaim bench --compare : tantivy manque ; installez l'extra « bench » : "
                         "pip install -e '.[bench]'") from error
    return tantivy


def build_reference(catalog: Catalog, folder: Path) -> dict:
    """The tantivy index of the catalog's search documents; seconds of analysis and of indexing."""
    tantivy = _tantivy()
    start = time.perf_counter()
    docs = [entry.make() for entry in entries(catalog)]
    rows = [{"id": d.id, "kind": d.kind, "url": d.url, "updated": d.updated, "title_sort": d.title.lower(),
             "stored_title": d.title, **{name: " ".join(analyze(getattr(d, name))) for name in FIELD_BOOSTS},
             "facets": d.facets} for d in docs]
    analysis = time.perf_counter() - start
    start, cpu = time.perf_counter(), Clock.cpu()
    builder = tantivy.SchemaBuilder()
    for name in ("id", "kind", "url"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    builder.add_text_field("updated", fast=True, tokenizer_name="raw")
    builder.add_text_field("title_sort", fast=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="whitespace")
    for name in FIELD_BOOSTS:
        if name != "title":
            builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    for facet in FACETS:
        builder.add_text_field(facet, fast=True, tokenizer_name="raw", index_option="basic")
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(builder.build(), path=str(folder))
    writer = index.writer(heap_size=256_000_000)
    for row in rows:
        doc = tantivy.Document()
        for name in ("id", "kind", "url", "updated", "title_sort", *FIELD_BOOSTS):
            doc.add_text(name, row[name])
        for facet, values in row["facets"].items():
            for value in values:
                doc.add_text(facet, value)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return {"analysis_s": analysis, "index_s": time.perf_counter() - start, "index_cpu_s": Clock.cpu() - cpu}


def query_spec(search_index: SearchIndex, text: str, filters: dict[str, list[str]], limit: int = 10) -> dict:
    """Our engine's understanding of a query, as the reference compiles it."""
    groups = []
    if text.strip():
        for group in search_index.understand(text).groups:
            alternatives = [{"tag": list(a.tag)} if a.tag else {"terms": list(a.terms)} for a in group.alternatives]
            groups.append([a for a in alternatives if a.get("tag") or a.get("terms")])
    return {"groups": [g for g in groups if g], "filters": {f: v for f, v in filters.items() if v}, "kind": "action",
            "limit": limit, "boosts": FIELD_BOOSTS, "facets": list(FACETS)}


class Reference:
    """The reference index opened in this process, running compiled query specs."""

    def __init__(self, folder: Path):
        self.namespace: dict = {"__name__": "essaim_reference"}
        self.folder = folder
        self.code = compile(ONE_SHOT, "<tantivy>", "exec")

    def open(self, spec: dict) -> dict:
        saved = sys.argv
        sys.argv = ["tantivy", str(self.folder), json.dumps(spec)]
        try:
            exec(self.code, self.namespace)  # noqa: S102 — our own script, the one-shot measured below
        finally:
            sys.argv = saved
        return self.namespace["run"](spec)

    def run(self, spec: dict) -> dict:
        return self.namespace["run"](spec)


def _same(ours, theirs: dict) -> bool:
    """Same total and same non-zero facet counts."""
    if ours.total != theirs["total"]:
        return False
    for facet in FACETS:
        mine = {v: n for v, n in ours.facets.get(facet, {}).items() if n}
        if mine != theirs["facets"].get(facet, {}):
            return False
    return True


def _cli_times(content: Path, ours: Path, reference: Path, spec: dict,
               runs: int = RUNS) -> tuple[list[Clock], list[Clock]]:
    """Times of `essaim search … --json` and of the one-shot tantivy script, alternated."""
    script = reference.parent / "reference.py"
    script.write_text(ONE_SHOT, encoding="utf-8")
    essaim = [sys.executable, "-m", "essaim", "--content", str(content), "search", CLI_QUERY, "--json",
              "--index", str(ours)]
    oneshot = [sys.executable, str(script), str(reference), json.dumps(spec)]
    times: dict[str, list[Clock]] = {"ours": [], "tantivy": []}
    for _ in range(runs):
        for name, command in (("ours", essaim), ("tantivy", oneshot)):
            with Clock() as clock:
                done = subprocess.run(command, capture_output=True, text=True)
            times[name].append(clock)
            if done.returncode:
                raise RuntimeError(f"{name} : échec\n{done.stderr[-2000:]}")
    return times["ours"], times["tantivy"]


def compare(catalog: Catalog, size: int | None, queries: int = 200, content: Path = Path("content")) -> dict:
    """Every figure for one base (size synthetic cards, or the real catalog when size is None)."""
    base = synthetic_catalog(catalog, size) if size else catalog
    row: dict = {"size": len(base.cards)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Clock() as clock:
            index_catalog(base, folder / "ours", rebuild=True)
        row["index_ours_s"], row["index_ours_cpu_s"] = clock.wall, clock.processor
        built = build_reference(base, folder / "tantivy")
        row["index_tantivy_s"], row["analysis_s"] = built["index_s"], built["analysis_s"]
        row["index_tantivy_cpu_s"] = built["index_cpu_s"]
        rng = random.Random(len(base.cards))
        workload = [(QUERIES[n % len(QUERIES)], _filters(rng)) for n in range(queries)]
        understanding = SearchIndex(folder / "ours")
        specs = [query_spec(understanding, text, filters) for text, filters in workload]
        cli_spec = query_spec(understanding, CLI_QUERY, {})
        understanding.close()
        cli = _cli_times(content, folder / "ours", folder / "tantivy", cli_spec)
        for name, clocks in zip(("ours", "tantivy"), cli):
            row[f"cli_{name}_s"] = _median([c.wall for c in clocks])
            row[f"cli_{name}_cpu_s"] = _median([c.processor for c in clocks])
        opened: dict[str, list[Clock]] = {"ours": [], "tantivy": []}
        ours = None
        for _ in range(RUNS):
            if ours is not None:
                ours.close()
            with Clock() as clock:
                ours = SearchIndex(folder / "ours")
                ours.search(*workload[0], limit=10)
            opened["ours"].append(clock)
            with Clock() as clock:
                reference = Reference(folder / "tantivy")
                reference.open(specs[0])
            opened["tantivy"].append(clock)
        for name, clocks in opened.items():
            row[f"open_{name}_s"] = _median([c.wall for c in clocks])
            row[f"open_{name}_cpu_s"] = _median([c.processor for c in clocks])
        latencies: dict[str, list[Clock]] = {"ours": [], "tantivy": []}
        mismatches = 0
        for (text, filters), spec in zip(workload, specs):  # alternated, query by query
            with Clock() as clock:
                mine = ours.search(text, filters, limit=10)
            latencies["ours"].append(clock)
            with Clock() as clock:
                theirs = reference.run(spec)
            latencies["tantivy"].append(clock)
            mismatches += not _same(mine, theirs)
        ours.close()
    for name, clocks in latencies.items():
        for suffix, values in (("", sorted(c.wall * 1000 for c in clocks)),
                               ("_cpu", sorted(c.processor * 1000 for c in clocks))):
            row[f"p50_{name}{suffix}_ms"] = statistics.median(values)
            row[f"p95_{name}{suffix}_ms"] = values[int(len(values) * 0.95) - 1]
    row["queries"], row["mismatches"] = queries, mismatches
    return row


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.1f}×" if theirs else "—"


def report_markdown(rows: list[dict], cli_rows: list[dict], machine: str) -> str:
    from datetime import date

    lines = [
        f"### Essaim (whoosh) et tantivy côte à côte — mesuré le {date.today().isoformat()}",
        "",
        f"Machine : {machine}. `essaim bench --compare` : mêmes fiches (synthétiques, `synthetic_catalog`), "
        "mêmes documents et même analyse (les champs sont donnés à tantivy déjà analysés par notre analyseur), "
        f"mêmes {rows[0]['queries']} requêtes avec filtres et facettes disjonctives, exécutées en alternance. "
        "tantivy reçoit la requête déjà comprise par notre moteur (groupes, formes, termes de vocabulaire) : "
        "la compréhension de la requête n'est comptée que de notre côté ; les extraits surlignés, faits à la "
        "lecture d'un résultat, ne sont demandés ni d'un côté ni de l'autre. "
        "Ligne de commande : `essaim search \"médiation\" --json` (réponse en Python depuis les fichiers de "
        "l'index, sans numpy ni whoosh), démarrage du processus compris, contre un "
        "script tantivy d'un coup (ouvre l'index, cherche, compte les facettes, écrit le JSON), médianes de "
        f"{RUNS} lancements alternés. Index : construction complète ; pour tantivy, écriture seule (l'analyse "
        "Python des textes, commune aux deux, à part). Chaque case donne le temps de calcul (processus et "
        "sous-processus), peu sensible à la charge d'une machine partagée, puis entre parenthèses le temps "
        "écoulé ; le rapport est celui des temps de calcul.",
        "",
        "| Mesure | Fiches | Essaim | tantivy | Rapport |",
        "|---|---:|---:|---:|---:|",
    ]

    def size(r: dict) -> str:
        return f"{r['size']:,}".replace(",", " ")

    def cell(r: dict, key: str, unit: str, scale: float = 1.0, digits: int = 0) -> str:
        base, suffix = key.rsplit("_", 1)
        cpu, wall = r[f"{base}_cpu_{suffix}"] * scale, r[key] * scale
        return f"{cpu:.{digits}f} {unit} ({wall:.{digits}f})"

    def ratio(r: dict, ours: str, theirs: str) -> str:
        base_o, suffix_o = ours.rsplit("_", 1)
        base_t, suffix_t = theirs.rsplit("_", 1)
        return _ratio(r[f"{base_o}_cpu_{suffix_o}"], r[f"{base_t}_cpu_{suffix_t}"])

    for r in cli_rows:
        lines.append(f"| `essaim search … --json`, processus compris | {size(r)} | {cell(r, 'cli_ours_s', 'ms', 1000)} "
                     f"| {cell(r, 'cli_tantivy_s', 'ms', 1000)} | {ratio(r, 'cli_ours_s', 'cli_tantivy_s')} |")
    for r in rows:
        lines += [
            f"| Moteur ouvert + première requête | {size(r)} | {cell(r, 'open_ours_s', 'ms', 1000)} | "
            f"{cell(r, 'open_tantivy_s', 'ms', 1000, 1)} | {ratio(r, 'open_ours_s', 'open_tantivy_s')} |",
            f"| Requête à chaud, p50 | {size(r)} | {cell(r, 'p50_ours_ms', 'ms', 1, 1)} | "
            f"{cell(r, 'p50_tantivy_ms', 'ms', 1, 1)} | {ratio(r, 'p50_ours_ms', 'p50_tantivy_ms')} |",
            f"| Requête à chaud, p95 | {size(r)} | {cell(r, 'p95_ours_ms', 'ms', 1, 1)} | "
            f"{cell(r, 'p95_tantivy_ms', 'ms', 1, 1)} | {ratio(r, 'p95_ours_ms', 'p95_tantivy_ms')} |",
            f"| Index complet | {size(r)} | {cell(r, 'index_ours_s', 's', 1, 1)} | {cell(r, 'index_tantivy_s', 's', 1, 1)} "
            f"+ analyse {r['analysis_s']:.1f} s | {ratio(r, 'index_ours_s', 'index_tantivy_s')} |",
        ]
    lines += ["", "Totaux et comptes de facettes identiques des deux côtés : "
              + ", ".join(f"{r['queries'] - r['mismatches']} requêtes sur {r['queries']} à {size(r)} fiches"
                          for r in rows) + ".", ""]
    return "\n".join(lines)


def run(catalog: Catalog, sizes: list[int], queries: int, content: Path) -> tuple[list[dict], list[dict]]:
    """The comparison at each size, plus the command line on the real base."""
    _tantivy()
    rows, cli_rows = [], []
    print(f"Comparaison sur la base réelle ({len(catalog.cards)} fiches)…", file=sys.stderr)
    cli_rows.append(compare(catalog, None, queries, content))
    for size in sizes:
        print(f"Comparaison sur {size} fiches…", file=sys.stderr)
        rows.append(compare(catalog, size, queries, content))
    cli_rows += [r for r in rows if r["size"] >= 10_000]
    return rows, cli_rows
