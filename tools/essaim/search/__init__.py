"""Search: French full-text and faceted search over the catalog.

    index_catalog(catalog, root)          build or update the index (only what changed)
    SearchIndex(root).search(text, filters, sort=, limit=)   ranked hits and facet counts
    SearchIndex(root).similar(card_id)    the closest cards
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from essaim.catalog import Catalog
from essaim.facets import FACETS, facet_label

DEFAULT_ROOT = Path("build/index")
# Loaded on first use: the engine brings whoosh, which commands that never search need not import.
ENGINE_NAMES = ("IndexBusy", "Results", "SearchIndex", "UpdateReport", "analyze")

if TYPE_CHECKING:
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

    search_index = SearchIndex(root)
    return search_index.update(entries(catalog), rebuild=rebuild or bool(missing_facets(search_index)))


def missing_facets(search_index) -> str | None:
    """Why an index written before a facet was added (« fraîcheur ») must be rebuilt, or None."""
    from whoosh import index

    if not search_index.current.exists():
        return None
    try:
        names = set(index.open_dir(str(search_index.current)).schema.names())
    except Exception:  # noqa: BLE001 — an unreadable index is the engine's stale_reason to tell
        return None
    missing = [facet for facet in FACETS if facet not in names]
    return f"sans la rubrique « {FACETS[missing[0]]} »" if missing else None
