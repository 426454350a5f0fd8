"""Relevance on the real cards: realistic practitioner queries and the cards they must find.

The set lives in tests/data/relevance.yaml; the run reports hit@5 and MRR and
fails below the thresholds. Tune analysis and weights against it, never the
other way round.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import CONTENT
from essaim.catalog import open_catalog
from essaim.search import SearchIndex, index_catalog

QUERIES = yaml.safe_load((Path(__file__).parent / "data" / "relevance.yaml").read_text(encoding="utf-8"))
HIT_AT_5 = 0.9


@pytest.fixture(scope="module")
def real_index(tmp_path_factory):
    catalog, _ = open_catalog(CONTENT)
    root = tmp_path_factory.mktemp("index")
    index_catalog(catalog, root)
    return SearchIndex(root), {c.id for c in catalog.cards}


def test_relevance_set_is_large_and_points_to_real_cards(real_index):
    _, ids = real_index
    assert len(QUERIES) >= 30
    for item in QUERIES:
        missing = set(item["attendus"]) - ids
        assert not missing, f"{item['requete']!r} attend des fiches absentes : {missing}"


def test_hit_at_5_and_mrr(real_index):
    search_index, _ = real_index
    hits, reciprocal, misses = 0, 0.0, []
    for item in QUERIES:
        results = search_index.search(item["requete"], item.get("filtres"), limit=5)
        ranked = [h.id for h in results.hits]
        found = [ranked.index(i) + 1 for i in item["attendus"] if i in ranked]
        if found:
            hits += 1
            reciprocal += 1 / min(found)
        else:
            misses.append(f"{item['requete']!r} → {ranked}")
    hit_at_5, mrr = hits / len(QUERIES), reciprocal / len(QUERIES)
    print(f"\nPertinence : hit@5 = {hit_at_5:.2f}, MRR = {mrr:.2f} sur {len(QUERIES)} requêtes")
    assert hit_at_5 >= HIT_AT_5, "requêtes manquées :\n" + "\n".join(misses)
