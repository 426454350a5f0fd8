"""Output — the website's pages: Markdown (with escaped HTML blocks) written from the catalog into build/docs.

`Site` holds what every page needs; `site_files` returns the text files, `write_files` and
`write_binary_files` put them in the docs folder, and `build.py` runs mkdocs on it (no hook, no generation
plugin). The search page reads a static index written from the whoosh index (`searchfiles`). Modules: pages
(cards, guides), listings, carte (maps), exports and opendata (open data), feeds, share, compare, territoire,
general (home, search, about…), markup (escaping), facets, mapdata (boundary data).
"""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from essaim.pipeline.catalog import Card, Catalog
from essaim.site.facets import Facets
from essaim.site.markup import ID_SAFE

ASSETS = ("essaim.css", "essaim.js", "essaim-portee.js", "recherche.js", "moteur.js", "recherche.css", "territoire.js",
          "territoire.css", "impression.css", "comparer.js", "comparer.css")


@dataclass
class Site:
    """What every page writer reads: the catalog, its facets, similar cards and the repository links."""

    catalog: Catalog
    similar: dict[str, list[str]] = field(default_factory=dict)
    repo_url: str | None = None
    edit_base: str | None = None  # ends with "/"; + "actions/<file>.md" edits a card
    site_url: str | None = None  # mkdocs.yml's site_url, for absolute links (feeds, sharing metadata)
    rendered: dict[str, dict[str, str]] = field(default_factory=dict)  # card id -> section key -> HTML, if done
    facets: Facets = field(init=False)

    def __post_init__(self):
        self.facets = Facets(self.catalog)
        self._cards = {card.id: card for card in self.catalog.cards}

    def card(self, card_id: str) -> Card | None:
        return self._cards.get(card_id)


def safe_catalog(catalog: Catalog) -> Catalog:
    """Cards and guides whose id can name a file; others (never valid) are left out."""
    return dataclasses.replace(catalog, cards=[c for c in catalog.cards if ID_SAFE.fullmatch(c.id)],
                               guides=[g for g in catalog.guides if ID_SAFE.fullmatch(g.id)])


def card_files(site: Site) -> dict[str, str]:
    """The card and guide pages (they need the similar cards)."""
    from essaim.site.pages import card_page, card_page_path, guide_page
    from essaim.site.share import shared_card_page

    files = {card_page_path(card.id): shared_card_page(site, card, card_page(site, card)) for card in site.catalog.cards}
    files.update({f"guides/{guide.id}.md": guide_page(site, guide) for guide in site.catalog.guides})
    return files


def other_files(site: Site, project_root: Path | None = None) -> dict[str, str]:
    """Every other generated file: listings, maps, open data, home, search, about…"""
    from essaim.site.carte import map_pages
    from essaim.site.exports import data_files, data_page
    from essaim.site.general import (about_page, actions_index, browse_page, contribute_page, guides_index,
                                     home_page, search_page)
    from essaim.site.listings import listing_pages
    from essaim.site.territoire import PAGE as territory_page_path
    from essaim.site.territoire import territory_page
    from essaim.site.compare import COMPARE_PAGE, compare_page
    from essaim.site.feeds import NEWS_PAGE, feed_files, news_page
    from essaim.site.opendata import METADATA, api_files, datasette_metadata

    files = listing_pages(site)
    files.update(map_pages(site))
    data = data_files(site, project_root)
    data.update(api_files(site))
    data[METADATA] = datasette_metadata(site.site_url)
    files.update(data)
    files["donnees/index.md"] = data_page(site, data)
    files.update(feed_files(site))
    files[NEWS_PAGE] = news_page(site)
    files[COMPARE_PAGE] = compare_page(site)
    files["index.md"] = home_page(site)
    files["recherche.md"] = search_page(site)
    files[territory_page_path] = territory_page(site)
    files["parcourir/index.md"] = browse_page(site)
    files["actions/index.md"] = actions_index(site)
    files["guides/index.md"] = guides_index(site)
    files["contribuer.md"] = contribute_page(site)
    files["a-propos.md"] = about_page(site)
    return files


def site_files(site: Site, project_root: Path | None = None) -> dict[str, str]:
    """docs-relative path -> text of every generated file."""
    return {**card_files(site), **other_files(site, project_root)}


def write_files(docs: Path, files: dict[str, str], blocks: list[str] | None = None) -> None:
    """Replace the docs folder with these files and the site's assets. With `blocks`, the pages' HTML blocks
    are set aside there, a mark in their place, for essaim.site.blocks.put_back after mkdocs."""
    from essaim.site.blocks import set_aside

    if docs.exists():
        shutil.rmtree(docs)
    docs.mkdir(parents=True)
    folders: set[Path] = set()
    for path, text in files.items():
        target = docs / path
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        if blocks is not None and path.endswith(".md"):
            text = set_aside(text, blocks)
        target.write_text(text, encoding="utf-8")
    assets = docs / "assets"
    assets.mkdir(exist_ok=True)
    for name in ASSETS:
        (assets / name).write_bytes(resources.files("essaim").joinpath("data", "site", "assets", name).read_bytes())


def write_binary_files(site: Site, docs: Path) -> None:
    """Files that are not text: the SQLite catalogue."""
    from essaim.site.opendata import DATABASE, write_database

    write_database(site, docs / DATABASE)
