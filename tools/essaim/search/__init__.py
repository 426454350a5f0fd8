"""Search: French full-text and faceted search over the catalog.

    index_catalog(catalog, root)          build or update the index (only what changed)
    SearchIndex(root).search(text, filters, sort=, limit=)   ranked hits and facet counts
    SearchIndex(root).similar(card_id)    the closest cards
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from essaim.pipeline.facets import FACETS, facet_label

DEFAULT_ROOT = Path("build/index")
# Loaded on first use: the engine brings whoosh, which commands that never search need not import.
ENGINE_NAMES = ("IndexBusy", "Results", "SearchIndex", "UpdateReport", "analyze")

if TYPE_CHECKING:
    from essaim.pipeline.catalog import Catalog
    from essaim.search.engine import UpdateReport

__all__ = ["FACETS", *ENGINE_NAMES, "facet_label", "index_catalog", "DEFAULT_ROOT"]


def __getattr__(name: str):
    if name in ENGINE_NAMES:
        from essaim.search import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def index_catalog(catalog: Catalog, root: Path = DEFAULT_ROOT, rebuild: bool = False) -> UpdateReport:
    from essaim.search.documents import entries
    from essaim.search.engine import SearchIndex

    return SearchIndex(root).update(entries(catalog), rebuild=rebuild)
