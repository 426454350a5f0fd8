"""Atom feeds of new and updated cards and the « Nouveautés » page, on the real build (parsed with feedparser)."""

from __future__ import annotations

import calendar
from datetime import datetime, timezone
import xml.etree.ElementTree as ET

import pytest

from browser.sitebuild import build_real_site
from essaim.site.feeds import NEWS_SIZE, rfc3339

feedparser = pytest.importorskip("feedparser", reason="feedparser absent : bash scripts/installer.sh --tests")
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://essaim-sante.github.io/essaim/"


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory.getbasetemp())


def _timestamp(value: str) -> int:
    """The first second of a card's « mise_a_jour » (AAAA, AAAA-MM or AAAA-MM-JJ), UTC."""
    parts = [int(x) for x in str(value).split("-")] + [1, 1]
    return calendar.timegm(datetime(*parts[:3], tzinfo=timezone.utc).timetuple())


def _check_atom(site, path):
    """What RFC 4287 requires of a feed and of each entry (feedparser tolerates their absence)."""
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    for element in [root, *root.findall(f"{ATOM}entry")]:
        for child in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{child}")) == 1, (path.name, child)
        assert element.find(f"{ATOM}link[@rel='alternate']") is not None or element is root
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == BASE + path.relative_to(site).as_posix()


def test_main_feed_lists_the_newest_cards_with_their_own_dates(real_site):
    site, catalog, _ = real_site
    path = site / "flux" / "actions.xml"
    _check_atom(site, path)
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.title == "Essaim — nouveautés"
    by_url = {BASE + card.url: card for card in catalog.cards}
    assert len(feed.entries) == min(NEWS_SIZE, len(catalog.cards))
    stamps = []
    for entry in feed.entries:
        card = by_url[entry.link]
        assert entry.title == card.meta.title
        assert calendar.timegm(entry.updated_parsed) == _timestamp(card.meta.updated)
        assert [t.term for t in entry.tags] == list(card.meta.themes)
        stamps.append(calendar.timegm(entry.updated_parsed))
    assert stamps == sorted(stamps, reverse=True)
    newest = max(_timestamp(card.meta.updated) for card in catalog.cards)
    assert calendar.timegm(feed.feed.updated_parsed) == newest == stamps[0]


def test_each_theme_has_a_valid_feed_of_its_cards(real_site):
    site, catalog, _ = real_site
    themes = {t for card in catalog.cards for t in card.meta.themes}
    files = {p.stem: p for p in (site / "flux" / "themes").glob("*.xml")}
    assert set(files) == themes
    for theme, path in files.items():
        _check_atom(site, path)
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (theme, feed.get("bozo_exception"))
        expected = {BASE + c.url for c in catalog.cards if theme in c.meta.themes}
        assert len(feed.entries) == min(NEWS_SIZE, len(expected))
        assert {e.link for e in feed.entries} <= expected
        assert all(theme in [t.term for t in e.tags] for e in feed.entries)


def test_news_page_lists_recent_cards_by_month_and_links_the_feeds(real_site):
    site, catalog, _ = real_site
    page = (site / "nouveautes" / "index.html").read_text("utf-8")
    assert 'href="../flux/actions.xml"' in page
    assert page.count('href="../flux/themes/') == len({t for c in catalog.cards for t in c.meta.themes})
    first = max(catalog.cards, key=lambda c: rfc3339(c.meta.updated))
    assert f'href="../actions/{first.id}/"' in page
