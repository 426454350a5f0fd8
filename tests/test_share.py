"""Sharing metadata of the built pages: description, Open Graph, Twitter card, canonical URL, JSON-LD, sitemap lastmod."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from browser.sitebuild import build_real_site
from essaim.pipeline.facets import facet_label as label

BASE = "https://essaim-sante.github.io/essaim/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory.getbasetemp())


class Head(HTMLParser):
    """<meta>, <link> and JSON-LD of a page, as a browser or a crawler reads them."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.meta, self.links, self.jsonld, self._in_ld = {}, {}, [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("property") or a.get("name")):
            self.meta[a.get("property") or a.get("name")] = a.get("content")
        elif tag == "link" and a.get("rel"):
            self.links.setdefault(a["rel"], a.get("href"))
        elif tag == "script":
            self._in_ld = a.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_ld:
            assert "<" not in data  # nothing in the data can close the element (tojson escapes it)
            self.jsonld.append(json.loads(data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False


def test_every_page_has_description_open_graph_twitter_canonical_and_json_ld(real_site):
    site, _, _ = real_site
    pages = [p for p in site.rglob("index.html")]
    assert len(pages) > 100
    for path in pages:
        head = Head(path.read_text("utf-8"))
        url = BASE + path.parent.relative_to(site).as_posix() + "/"
        url = url.replace("/./", "/")
        for key in ("description", "og:title", "og:description", "og:type", "og:url", "og:site_name",
                    "twitter:card", "twitter:title", "twitter:description"):
            assert head.meta.get(key), (path, key)
        assert head.meta["og:url"] == head.links["canonical"] == url, path
        assert head.meta["og:description"] == head.meta["description"]
        assert len(head.jsonld) == 1 and head.jsonld[0]["@context"] == "https://schema.org", path


def test_card_json_ld_describes_the_action_its_carrier_and_places(real_site):
    site, catalog, _ = real_site
    for card in catalog.cards:
        head = Head((site / "actions" / card.id / "index.html").read_text("utf-8"))
        data = head.jsonld[0]
        assert data["@type"] == "Article" and data["url"] == BASE + card.url
        assert data["name"] == card.meta.title and head.meta["og:title"] == card.meta.title
        assert data["dateModified"] == str(card.meta.updated)
        action = data["about"]
        assert action["@type"] == "Project"
        assert action["parentOrganization"]["name"] == card.meta.carrier.name
        places = {place["name"] for place in action["areaServed"]}
        assert {c.name for c in card.meta.territory.communes} <= places
        assert {label("region", r) for r in card.meta.territory.regions} <= places
        assert action["keywords"] == [label("theme", t) for t in card.meta.themes]
        assert len(data["citation"]) == len(card.meta.sources)
        assert head.meta["og:type"] == "article"


def test_sitemap_gives_cards_their_own_update_date(real_site):
    site, catalog, _ = real_site
    root = ET.parse(site / "sitemap.xml").getroot()
    lastmod = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod").text for u in root}
    for card in catalog.cards:
        parts = (str(card.meta.updated).split("-") + ["01", "01"])[:3]
        assert lastmod[BASE + card.url] == "-".join(parts)
    assert all(len(value) == 10 for value in lastmod.values())
