"""Search: French full-text and faceted search over the catalog.

    index_catalog(catalog, root)          build or update the index (only what changed)
    SearchIndex(root).search(text, filters, sort=, limit=)   ranked hits and facet counts
    SearchIndex(root).similar(card_id)    the closest cards
"""

from __future__ import annotations

from pathlib import Path

from essaim.catalog import Catalog
from essaim.facets import FACETS, facet_label
from essaim.search.documents import entries
from essaim.search.engine import IndexBusy, Results, SearchIndex, UpdateReport, analyze

DEFAULT_ROOT = Path("build/index")

__all__ = ["FACETS", "IndexBusy", "Results", "SearchIndex", "UpdateReport", "analyze", "facet_label",
           "index_catalog", "DEFAULT_ROOT"]


def index_catalog(catalog: Catalog, root: Path = DEFAULT_ROOT, rebuild: bool = False) -> UpdateReport:
    return SearchIndex(root).update(entries(catalog), rebuild=rebuild)
