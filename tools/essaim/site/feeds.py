"""Following the base: Atom feeds of new and updated cards (all cards, and one per theme) and the
« Nouveautés » page. Dates are the cards' own `mise_a_jour` (AAAA, AAAA-MM or AAAA-MM-JJ), completed to
the first day of the period for Atom, which wants a full date and time (RFC 3339).
"""

from __future__ import annotations

from itertools import groupby
from xml.sax.saxutils import escape, quoteattr

from essaim.pipeline.catalog import Card
from essaim.pipeline.facets import facet_label as label
from essaim.site.listings import PAGE_SIZE
from essaim.site.markup import esc, rel
from essaim.site.pages import count_text, card_list, french_date, front_matter

FEED = "flux/actions.xml"
NEWS_PAGE = "nouveautes.md"
NEWS_SIZE = PAGE_SIZE  # cards on the « Nouveautés » page and in each feed


def theme_feed(theme: str) -> str:
    return f"flux/themes/{theme}.xml"


def rfc3339(value: str) -> str:
    """« 2022 » -> 2022-01-01T00:00:00Z, « 2022-12 » -> 2022-12-01T00:00:00Z, « 2022-12-05 » -> that day."""
    parts = (str(value).split("-") + ["01", "01"])[:3]
    return f"{parts[0]}-{parts[1]}-{parts[2]}T00:00:00Z"


def newest(cards: list[Card]) -> list[Card]:
    """Most recently updated first; the title breaks ties, so the order does not change from build to build."""
    by_title = sorted(cards, key=lambda c: c.meta.title.casefold())
    return sorted(by_title, key=lambda c: rfc3339(c.meta.updated), reverse=True)


def site_base(site) -> str:
    return (site.site_url or "/").rstrip("/") + "/"


def atom_feed(site, cards: list[Card], title: str, path: str) -> str:
    base = site_base(site)
    cards = newest(cards)[:NEWS_SIZE]
    updated = rfc3339(cards[0].meta.updated) if cards else "2026-01-01T00:00:00Z"
    entries = []
    for card in cards:
        m = card.meta
        categories = "".join(f"<category term={quoteattr(t)} label={quoteattr(label('theme', t))}/>" for t in m.themes)
        entries.append(
            "<entry>"
            f"<id>{escape(base + card.url)}</id>"
            f"<title>{escape(m.title)}</title>"
            f'<link rel="alternate" type="text/html" href={quoteattr(base + card.url)}/>'
            f"<updated>{rfc3339(m.updated)}</updated>"
            f"<author><name>{escape(m.carrier.name)}</name></author>"
            f"{categories}"
            f"<summary>{escape(' '.join(m.summary.split()))}</summary>"
            "</entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">'
            f"<id>{escape(base + path)}</id>"
            f"<title>{escape(title)}</title>"
            "<subtitle>Fiches action d'Essaim nouvelles ou mises à jour, les plus récentes d'abord.</subtitle>"
            f'<link rel="self" type="application/atom+xml" href={quoteattr(base + path)}/>'
            f'<link rel="alternate" type="text/html" href={quoteattr(base + "nouveautes/")}/>'
            f"<updated>{updated}</updated>"
            "<author><name>Essaim</name></author>"
            "<rights>Contenus sous licence CC BY 4.0</rights>"
            f"{''.join(entries)}</feed>\n")


def feed_files(site) -> dict[str, str]:
    files = {FEED: atom_feed(site, site.catalog.cards, "Essaim — nouveautés", FEED)}
    for theme in sorted({t for card in site.catalog.cards for t in card.meta.themes}):
        cards = [c for c in site.catalog.cards if theme in c.meta.themes]
        files[theme_feed(theme)] = atom_feed(site, cards, f"Essaim — {label('theme', theme)}", theme_feed(theme))
    return files


def news_page(site) -> str:
    cards = newest(site.catalog.cards)[:NEWS_SIZE]
    themes = sorted({t for card in site.catalog.cards for t in card.meta.themes}, key=lambda t: label("theme", t))
    theme_links = "".join(f'<li><a href="{esc(rel(NEWS_PAGE, theme_feed(t)))}" type="application/atom+xml">'
                          f"{esc(label('theme', t))}</a></li>" for t in themes)
    blocks = [front_matter("Nouveautés", "Les fiches action d'Essaim nouvelles ou mises à jour, et leurs flux Atom."),
              "# Nouveautés",
              f"<p>Les {count_text(len(cards))} les plus récemment mises à jour, par mois de mise à jour des "
              "informations. Pour être prévenu des prochaines, abonnez-vous au "
              f'<a href="{esc(rel(NEWS_PAGE, FEED))}" type="application/atom+xml">flux Atom de toutes les fiches</a> '
              "dans votre lecteur de flux, ou au flux d'un thème (liste en bas de page).</p>"]
    for month, group in groupby(cards, key=lambda c: rfc3339(c.meta.updated)[:7]):
        blocks += [f"## {french_date(month).capitalize()}", card_list(site, list(group), NEWS_PAGE)]
    blocks += ["## Flux par thème", f'<ul class="essaim-flux">{theme_links}</ul>']
    return "\n\n".join(blocks) + "\n"
