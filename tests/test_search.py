"""Search on a real whoosh index: French analysis, synonyms, facets, JSON contract, indexing."""

from __future__ import annotations

import json
import shutil
import unicodedata

import pytest

from conftest import CONTENT

from essaim.pipeline.catalog import open_catalog
from essaim.text.collation import sort_text
from essaim.cli.main import main
from essaim.search import SearchIndex, analyze, index_catalog
from essaim.derived.template import card_text, example_values

# A hand-made base: (id, title, themes, publics, région, département, carrier type, territory kinds, text).
BASE = [
    ("bus-sante-brest", "Bus santé dans les quartiers", ["unite_mobile", "aller_vers"], ["habitants_qpv"],
     "53", "29", "commune", ["qpv", "urbain"], "Un bus va vers les habitants avec des professionnel·les."),
    ("mediation-rennes", "Médiatrices santé à Rennes", ["mediation_en_sante"], ["habitants_qpv"],
     "53", "35", "association", ["qpv"], "Les médiatrices accompagnent les usager·ères vers l'énergie du soin."),
    ("msp-lyon", "Une maison de santé pluriprofessionnelle en quartier", ["exercice_coordonne"], ["tout_public"],
     "84", "69", "commune", ["qpv"], "La ville loue des locaux à la maison de santé pluriprofessionnelle."),
    ("mediation-rurale-gard", "Médiation en santé en zone rurale", ["mediation_en_sante", "aller_vers"],
     ["habitants_ruraux"], "76", "30", "association", ["rural"], "Une médiatrice sillonne les villages."),
    ("mutuelle-metz", "Mutuelle communale", ["complementaire_sante"], ["personnes_precaires"],
     "44", "57", "ccas", ["urbain"], "Le CCAS négocie une complémentaire santé."),
]


def write_base(content):
    for card_id, title, themes, publics, region, dep, carrier, kinds, text in BASE:
        values = example_values()
        values.update(titre=title, themes=themes, publics=publics)
        values["porteur"] = {"nom": f"Porteur {card_id}", "type": carrier}
        values["territoire"] = {"regions": [region], "departements": [dep], "communes": [], "echelle": "commune",
                                "types": kinds, **({"precision": "Un QPV"} if "qpv" in kinds else {})}
        (content / "actions" / f"{card_id}.md").write_text(card_text(values, {"problem": text}), encoding="utf-8")
    (content / "actions" / "en-route-pour-ma-sante-poitiers.md").unlink()


@pytest.fixture
def base(content, tmp_path):
    write_base(content)
    catalog, validation = open_catalog(content)
    assert not validation.errors, validation.errors
    root = tmp_path / "index"
    index_catalog(catalog, root)
    return SearchIndex(root)


def ids(results):
    return [h.id for h in results.hits]


@pytest.mark.parametrize("indexed, query", [
    ("l'énergie", "energie"),
    ("d'accès", "acces"),
    ("professionnel·les", "professionnels"),
    ("usager·ères", "usagers"),
    ("Médiatrices", "médiatrice"),
    (unicodedata.normalize("NFD", "santé"), "sante"),
])
def test_french_analysis_matches(indexed, query):
    assert analyze(indexed) == analyze(query)


def test_elisions_and_stopwords_are_dropped():
    assert analyze("l'accès qu'il jusqu'au d'un") == analyze("accès")


def test_acronym_finds_its_expansion_and_back(base):
    assert ids(base.search("MSP"))[0] == "msp-lyon"
    assert "msp-lyon" in ids(base.search("quartier prioritaire de la politique de la ville"))


def test_typo_is_corrected(base):
    results = base.search("mediatrisses")
    assert results.corrected and results.suggestion and "mediation-rennes" in ids(results)


def test_title_weighs_more_than_body(base):
    assert ids(base.search("médiation"))[0] == "mediation-rurale-gard"


def test_disjunctive_facet_counts(base):
    results = base.search("", {"region": ["53"]})
    assert sorted(ids(results)) == ["bus-sante-brest", "mediation-rennes"]
    # Région counts ignore the région filter itself: each option shows what it would give.
    assert results.facets["region"] == {"53": 2, "44": 1, "76": 1, "84": 1}
    # Other facets are counted under the région filter.
    assert results.facets["departement"] == {"29": 1, "35": 1}
    assert results.facets["territoire"] == {"qpv": 2, "urbain": 1}


def test_or_within_and_across_facets(base):
    results = base.search("", {"region": ["53", "76"], "theme": ["mediation_en_sante"]})
    assert sorted(ids(results)) == ["mediation-rennes", "mediation-rurale-gard"]
    assert results.facets["theme"]["aller_vers"] == 2  # bus (53) and rural (76)
    assert results.facets["region"] == {"53": 1, "76": 1}


def test_words_with_filters(base):
    assert ids(base.search("médiation", {"territoire": ["rural"]})) == ["mediation-rurale-gard"]


def test_json_contract(content, capsys, tmp_path):
    write_base(content)
    code = main(["--content", str(content), "search", "médiation", "--region", "bretagne", "--json",
                 "--index", str(tmp_path / "i")])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    # The contract of earlier releases, plus additive keys: complete, corrections, suggestions, ignored.
    assert code == 0 and set(data) == {"query", "total", "results", "facets", "complete", "corrections",
                                       "suggestions", "ignored"}
    assert data["query"] == "médiation" and data["total"] == 1
    assert set(data["results"][0]) == {"id", "title", "carrier", "region", "departement", "themes", "score", "url"}
    assert data["results"][0]["id"] == "mediation-rennes" and data["results"][0]["departement"] == ["35"]
    assert data["facets"]["region"]["53"] == 1


@pytest.mark.parametrize("option, value", [("--region", "Île-de-france"), ("--region", "11"),
                                           ("--departement", "93"), ("--theme", "mediation en sante"),
                                           ("--porteur", "ccas"), ("--territoire", "QPV")])
def test_filters_accept_codes_and_labels(content, capsys, tmp_path, option, value):
    assert main(["--content", str(content), "search", option, value, "--json", "--index", str(tmp_path / "i")]) == 0


def test_unknown_filter_value_is_explained(content, capsys, tmp_path):
    assert main(["--content", str(content), "search", "--theme", "mediaton", "--index", str(tmp_path / "i")]) == 2
    assert "mediation_en_sante" in capsys.readouterr().err


def test_incremental_update_touches_only_changed_cards(content, tmp_path):
    write_base(content)
    root = tmp_path / "index"
    catalog, _ = open_catalog(content)
    assert index_catalog(catalog, root).rebuilt
    assert index_catalog(catalog, root).updated == 0
    path = content / "actions" / "mutuelle-metz.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Mutuelle communale", "Mutuelle communale de Metz"),
                    encoding="utf-8")
    (content / "actions" / "bus-sante-brest.md").unlink()
    report = index_catalog(open_catalog(content)[0], root)
    assert (report.rebuilt, report.added, report.updated, report.deleted) == (False, 0, 1, 1)
    assert ids(SearchIndex(root).search("Metz"))[0] == "mutuelle-metz"


def whoosh_scores(searcher, field: str, term: str) -> dict[int, float]:
    """whoosh's own BM25F scorer, posting by posting: the reference the engine's vector scoring must equal."""
    found = {}
    if (field, term) in searcher.reader():
        matcher, scorer = searcher.postings(field, term), searcher.weighting.scorer(searcher, field, term)
        while matcher.is_active():
            found[matcher.id()] = scorer.score(matcher)
            matcher.next()
    return found


def test_scores_equal_whoosh_scorer_also_after_updates_and_deletions(content, tmp_path):
    write_base(content)
    root = tmp_path / "index"
    index_catalog(open_catalog(content)[0], root)
    (content / "actions" / "bus-sante-brest.md").unlink()  # a deletion: segments with deleted documents
    path = content / "actions" / "mutuelle-metz.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Mutuelle communale", "Mutuelle de Metz"), encoding="utf-8")
    assert not index_catalog(open_catalog(content)[0], root).rebuilt
    engine_index = SearchIndex(root)
    reading = engine_index.reading()
    assert reading.searcher.reader().has_deletions()
    checked = 0
    for field in ("title", "summary", "body", "keywords", "places"):
        for term in ("sant", "mediat", "mutuel", "bus", "metz", "brest"):
            mine, theirs = engine_index._field_scores(reading, field, term), whoosh_scores(reading.searcher, field, term)
            assert mine.keys() == theirs.keys() and all(abs(mine[d] - theirs[d]) < 1e-9 for d in theirs), (field, term)
            checked += len(theirs)
    assert checked > 10
    assert "bus-sante-brest" not in ids(engine_index.search("bus Brest"))


def test_facet_sets_and_orders_are_stored_with_the_index(content, tmp_path, monkeypatch):
    """Opening the index reads the sets written at indexing (after a rebuild and after an update with a
    deletion, whose document numbers have holes) and they equal the sets recomputed from whoosh."""
    from essaim.search import engine

    write_base(content)
    root = tmp_path / "index"
    index_catalog(open_catalog(content)[0], root)
    path = content / "actions" / "mutuelle-metz.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Mutuelle communale", "Mutuelle de Metz"), encoding="utf-8")
    (content / "actions" / "bus-sante-brest.md").unlink()
    assert not index_catalog(open_catalog(content)[0], root).rebuilt
    index = SearchIndex(root)
    expected_by_date = [h.id for h in index.search(sort="date", limit=50).hits]
    reading = index._reader()
    computed = engine._sets(reading.searcher)
    assert reading.facet_masks == computed["facets"] and reading.kinds == computed["kinds"]
    for name, order in computed["orders"].items():
        assert reading.orders[name].tolist() == order.tolist(), name
    for name, lengths in computed["lengths"].items():
        assert reading.lengths[name].tolist() == lengths.tolist(), name

    def forbidden(searcher):
        raise AssertionError("sets rebuilt from whoosh at opening")

    monkeypatch.setattr(engine, "_sets", forbidden)
    again = SearchIndex(root)
    assert [h.id for h in again.search(sort="date", limit=50).hits] == expected_by_date
    titles = [h.title for h in again.search(sort="titre", limit=50).hits]
    assert titles == sorted(titles, key=sort_text) and len(titles) == len(BASE) - 1  # French order
    (root / "current" / engine.SETS_FILE).write_bytes(b"\x05\x00\x00\x00{}")  # damaged: recomputed, same answers
    monkeypatch.undo()
    assert [h.id for h in SearchIndex(root).search(sort="date", limit=50).hits] == expected_by_date


def test_corrupt_or_old_index_is_rebuilt(content, tmp_path):
    write_base(content)
    root = tmp_path / "index"
    catalog, _ = open_catalog(content)
    index_catalog(catalog, root)
    meta = root / "current" / "essaim-index.json"
    meta.write_text(json.dumps({"format": 0}), encoding="utf-8")
    assert "format" in SearchIndex(root).stale_reason()
    assert index_catalog(catalog, root).rebuilt
    for toc in (root / "current").glob("*.toc"):
        toc.write_bytes(b"garbage")
    assert "illisible" in SearchIndex(root).stale_reason()
    report = index_catalog(catalog, root)
    assert report.rebuilt and SearchIndex(root).document_count() == len(BASE)


def test_similar_cards(base):
    assert "mediation-rurale-gard" in base.similar("mediation-rennes")


def test_similar_cards_rank_as_whoosh_more_like_on_the_real_base(tmp_path):
    """The budgeted computation gives whoosh's own more_like ranking where the budget is not reached."""
    from essaim.search.facets import members

    catalog, _ = open_catalog(CONTENT)
    index_catalog(catalog, tmp_path / "index", rebuild=True)
    index = SearchIndex(tmp_path / "index")
    reading = index._reader()
    searcher = reading.searcher
    actions = set(members(reading.kinds["action"]))
    for card in catalog.cards[::7]:
        docnum = searcher.document_number(id=card.id)
        expected = [hit["id"] for hit in searcher.more_like(docnum, "body", top=5, numterms=20, filter=actions)]
        assert index.similar(card.id) == expected


def test_similar_cards_read_a_bounded_number_of_postings(tmp_path, monkeypatch):
    """However frequent a card's words, its similar cards read at most SIMILAR_POSTINGS postings:
    the whole catalog's similar cards cost time linear in its size."""
    from essaim.search import engine

    catalog, _ = open_catalog(CONTENT)
    index_catalog(catalog, tmp_path / "index", rebuild=True)
    monkeypatch.setattr(engine, "SIMILAR_POSTINGS", 60)
    read: list[int] = []
    original = engine.SearchIndex._field_scores

    def counting(self, reading, name, term):
        scores = original(self, reading, name, term)
        read.append(len(scores))
        return scores

    monkeypatch.setattr(engine.SearchIndex, "_field_scores", counting)
    index = SearchIndex(tmp_path / "index")
    for card in catalog.cards[:20]:
        read.clear()
        found = index.similar(card.id)
        assert sum(read) <= 60
        assert len(found) <= 5 and card.id not in found


def _answer(results) -> tuple:
    """Everything a search returns, snippets aside (made on demand by whoosh in both)."""
    return (results.query, results.total, [(h.id, h.kind, h.title, h.carrier, h.url, h.score, h.updated, h.facets)
                                           for h in results.hits], results.facets, results.complete,
            results.suggestion, results.corrected, [(s.facet, s.value, s.count) for s in results.suggestions],
            results.ignored)


def _same_answers(root, queries) -> int:
    from essaim.search.quick import QuickIndex

    engine_index, quick = SearchIndex(root), QuickIndex.open(root)
    assert quick is not None
    compared = 0
    for text, filters, kind, sort in queries:
        mine = quick.search(text, filters, kind=kind, sort=sort, limit=50)
        theirs = engine_index.search(text, filters, kind=kind, sort=sort, limit=50)
        assert _answer(mine) == _answer(theirs), (text, filters, kind, sort)
        compared += bool(theirs.hits)
    return compared


def test_one_query_without_numpy_gives_the_engine_answers(tmp_path):
    """essaim.search.quick (plain Python, for `essaim search`) and the engine (numpy vectors) give the same
    results, scores, counts and suggestions: every graded query of the relevance set and the benchmark's,
    with and without filters, every sort, on the real cards; then after an update with a deletion."""
    import random

    from essaim.bench.engine import QUERIES as BENCH_QUERIES
    from essaim.bench.engine import _filters
    from essaim.bench.relevance import load_queries

    catalog, _ = open_catalog(CONTENT)
    root = tmp_path / "index"
    index_catalog(catalog, root)
    graded = load_queries(CONTENT.parent / "tests" / "data" / "relevance.yaml")
    rng = random.Random(3)
    queries = [(q.text, q.filters, "action", "pertinence") for q in graded]
    queries += [(text, _filters(rng), kind, sort) for text in BENCH_QUERIES for kind in ("action", "guide", None)
                for sort in ("pertinence", "date", "titre")]
    assert _same_answers(root, queries) > len(graded)

    victim = catalog.cards[3]
    edited = victim.path.read_text(encoding="utf-8")
    scratch = tmp_path / "content"
    shutil.copytree(CONTENT, scratch)
    (scratch / "actions" / catalog.cards[5].path.name).unlink()
    (scratch / "actions" / victim.path.name).write_text(edited.replace(victim.meta.title, victim.meta.title + " médiation"),
                                                        encoding="utf-8")
    assert not index_catalog(open_catalog(scratch)[0], root).rebuilt
    assert SearchIndex(root).reading().searcher.reader().has_deletions()
    assert _same_answers(root, queries[::5]) > 10


def test_one_query_reads_only_the_index_files(tmp_path, monkeypatch):
    """`essaim search` answers from the files written with the index: neither numpy nor whoosh is imported;
    an index without them (older, or being updated) is read by the engine."""
    import subprocess
    import sys

    from essaim.search import engine

    catalog, _ = open_catalog(CONTENT)
    root = tmp_path / "index"
    index_catalog(catalog, root)
    probe = ("import sys; from essaim.cli.main import main; main(['--content', sys.argv[1], 'search', 'médiation', "
             "'--index', sys.argv[2], '--json']); print(sorted(m for m in ('numpy', 'whoosh') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe, str(CONTENT), str(root)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
    expected = done.stdout[:done.stdout.rindex("\n[")]
    for old in (root / "current").glob(engine.POSTINGS_FILE.format("*")):
        old.unlink()
    from essaim.search.quick import QuickIndex

    assert QuickIndex.open(root) is None
    again = subprocess.run([sys.executable, "-m", "essaim", "--content", str(CONTENT), "search", "médiation",
                            "--index", str(root), "--json"], capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout.strip() == expected.strip()
