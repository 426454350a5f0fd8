"""`essaim bench --compare`: the tantivy reference finds the same totals and facet counts as our engine."""

from __future__ import annotations

import random

import pytest

from conftest import CONTENT
from essaim.bench.engine import QUERIES, _filters
from essaim.pipeline.catalog import open_catalog
from essaim.search import SearchIndex, index_catalog

tantivy = pytest.importorskip("tantivy")  # the optional « bench » extra


def test_reference_index_agrees_with_our_engine_on_every_query(tmp_path):
    from essaim.bench.reference import Reference, _same, build_reference, query_spec

    catalog, _ = open_catalog(CONTENT)
    index_catalog(catalog, tmp_path / "ours", rebuild=True)
    build_reference(catalog, tmp_path / "tantivy")
    ours = SearchIndex(tmp_path / "ours")
    rng = random.Random(3)
    workload = [(text, _filters(rng)) for text in QUERIES] + [("médiation en santé", {"theme": ["aller_vers"]})]
    reference = Reference(tmp_path / "tantivy")
    reference.open(query_spec(ours, *workload[0]))
    for text, filters in workload:
        mine = ours.search(text, filters, limit=10)
        theirs = reference.run(query_spec(ours, text, filters))
        assert _same(mine, theirs), (text, filters, mine.total, theirs["total"])
        assert theirs["results"] or not mine.total
