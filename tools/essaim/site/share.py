"""Sharing a card: the JSON-LD (schema.org) the theme override prints in <head> (overrides/partials/partage.html),
given to it through the page's front matter, and the sitemap's `lastmod` taken from the cards' own dates.

The card page's body is not touched: `with_front_matter` adds keys to the front matter a page writer produced.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from essaim.pipeline.catalog import Card
from essaim.pipeline.facets import facet_label as label
from essaim.site.exports import LICENCE_URL
from essaim.site.feeds import rfc3339
from essaim.model.vocabularies import vocabulary


def card_jsonld(site, card: Card) -> dict:
    """The card page (an Article) about the action (a schema.org Project), its carrier and its places."""
    m, facets = card.meta, site.facets.by_card[card.id]
    base = (site.site_url or "/").rstrip("/") + "/"
    places = ([{"@type": "AdministrativeArea", "name": label("region", r), "identifier": f"region:{r}"}
               for r in facets["region"]]
              + [{"@type": "AdministrativeArea", "name": label("departement", d), "identifier": f"departement:{d}"}
                 for d in facets["departement"]]
              + [{"@type": "City", "name": c.name, **({"identifier": f"insee:{c.insee}"} if c.insee else {})}
                 for c in m.territory.communes])
    action = {
        "@type": "Project",
        "name": m.title,
        "description": " ".join(m.summary.split()),
        "parentOrganization": {"@type": "Organization", "name": m.carrier.name,
                               "description": vocabulary("porteurs").label(m.carrier.type)},
        "areaServed": places or [{"@type": "Place", "name": m.territory.detail or vocabulary("echelles").label(m.territory.scale)}],
        "keywords": [label("theme", t) for t in m.themes],
    }
    if m.period.start:
        action["foundingDate"] = str(m.period.start)
    if m.period.end:
        action["dissolutionDate"] = str(m.period.end)
    if m.partners.financial:
        action["funder"] = [{"@type": "Organization", "name": name} for name in m.partners.financial]
    citations = []
    for ref in m.sources:
        doc = site.catalog.sources.get(ref.document)
        if doc:
            citations.append({"@type": "CreativeWork", "name": doc.title, "datePublished": str(doc.date),
                              "publisher": {"@type": "Organization", "name": doc.publisher},
                              **({"url": doc.url} if doc.url else {})})
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": m.title[:110],
        "name": m.title,
        "description": " ".join(m.summary.split()),
        "url": base + card.url,
        "inLanguage": "fr",
        "dateModified": str(m.updated),
        "license": LICENCE_URL,
        "isPartOf": {"@type": "WebSite", "name": "Essaim", "url": base},
        "publisher": {"@type": "Organization", "name": "Essaim"},
        "audience": [{"@type": "Audience", "audienceType": label("public", p)} for p in m.publics],
        "about": action,
        "citation": citations,
    }


def with_front_matter(page: str, extra: dict) -> str:
    """The page with `extra` keys added to its front matter (JSON values are valid YAML)."""
    if not page.startswith("---\n"):
        raise ValueError("page sans en-tête")
    lines = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in extra.items())
    return "---\n" + lines + page[len("---\n"):]


def shared_card_page(site, card: Card, page: str) -> str:
    return with_front_matter(page, {"jsonld": card_jsonld(site, card)})


LASTMOD = re.compile(r"(<loc>([^<]*)</loc>\s*<lastmod>)[^<]*(</lastmod>)")


def sitemap_lastmod(site_dir: Path, catalog, site_url: str | None) -> int:
    """Give card and guide pages their own update date in sitemap.xml (and .xml.gz); return how many."""
    sitemap = site_dir / "sitemap.xml"
    if not site_url or not sitemap.exists():
        return 0
    base = site_url.rstrip("/") + "/"
    # sitemaps.org's schema wants a full date: a month's update counts from its first day, as in the feeds
    dates = {base + item.url: rfc3339(item.meta.updated)[:10] for item in [*catalog.cards, *catalog.guides]}
    changed = 0

    def replace(match):
        nonlocal changed
        if match.group(2) in dates:
            changed += 1
            return f"{match.group(1)}{dates[match.group(2)]}{match.group(3)}"
        return match.group(0)

    text = LASTMOD.sub(replace, sitemap.read_text("utf-8"))
    sitemap.write_text(text, encoding="utf-8")
    (site_dir / "sitemap.xml.gz").write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    return changed
