"""What the search index holds for each card and guide, taken from the catalog."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from essaim.model import geography
from essaim.pipeline.catalog import Card, Catalog, Guide
from essaim.pipeline.facets import card_facets
from essaim.search.text import nfc
from essaim.model.vocabularies import vocabulary

@dataclass(frozen=True)
class SearchDocument:
    id: str
    kind: str  # "action" or "guide"
    title: str
    summary: str
    body: str
    carrier: str
    places: str
    keywords: str
    facets: dict[str, list[str]]
    updated: str
    url: str
    digest: str
    # (name, facet, code) of the places the card names: what a query naming them may filter on
    place_names: tuple[tuple[str, str, str], ...] = ()


def _vocabulary_words(name: str, ids: list[str]) -> list[str]:
    vocab = vocabulary(name)
    return [w for i in ids for w in (vocab.by_id[i].label, *vocab.by_id[i].synonyms)]


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    """A document to index, known by its digest; built only when it must be written."""

    id: str
    digest: str
    make: Callable[[], SearchDocument]


def card_digest(card: Card) -> str:
    from essaim.model.freshness import freshness

    # The freshness facet moves with the date: a card that turns « à vérifier » is indexed again.
    return _digest(card.meta.model_dump_json(), freshness(card).value, *card.sections.values())


def guide_digest(guide: Guide) -> str:
    return _digest(guide.meta.model_dump_json(), guide.body)


def from_card(card: Card) -> SearchDocument:
    m, t = card.meta, card.meta.territory
    facets = card_facets(card)
    places = [c.name for c in t.communes] + [geography.departements()[d].name for d in facets["departement"]]
    places += [geography.regions()[r].name for r in facets["region"]]
    if t.detail:
        places.append(t.detail)
    keywords = (_vocabulary_words("themes", m.themes) + _vocabulary_words("publics", m.publics)
                + _vocabulary_words("porteurs", [m.carrier.type]) + _vocabulary_words("territoires", t.kinds)
                + _vocabulary_words("cadres", m.frameworks))
    body = "\n\n".join(text for text in card.sections.values() if text)
    fields = dict(title=nfc(m.title), summary=nfc(m.summary), body=nfc(body), carrier=nfc(m.carrier.name),
                  places=nfc(" ; ".join(places)), keywords=nfc(" ; ".join(keywords)))
    place_names = tuple((c.name, "departement", geography.commune_departement(c.insee))
                        for c in t.communes if c.insee and geography.commune_departement(c.insee))
    place_names += tuple((geography.departements()[d].name, "departement", d) for d in facets["departement"])
    place_names += tuple((geography.regions()[r].name, "region", r) for r in facets["region"])
    return SearchDocument(id=card.id, kind="action", facets=facets, updated=m.updated, url=card.url,
                          digest=card_digest(card), place_names=place_names, **fields)


def from_guide(guide: Guide) -> SearchDocument:
    m = guide.meta
    families = sorted({vocabulary("themes").by_id[i].family for i in m.themes})
    return SearchDocument(
        id=guide.id, kind="guide", title=nfc(m.title), summary=nfc(m.summary), body=nfc(guide.body), carrier="",
        places="", keywords=nfc(" ; ".join(_vocabulary_words("themes", m.themes))),
        facets={"theme": list(m.themes), "famille": families}, updated=m.updated, url=guide.url,
        digest=guide_digest(guide))


def entries(catalog: Catalog) -> list[Entry]:
    cards = [Entry(c.id, card_digest(c), partial(from_card, c)) for c in catalog.cards]
    return cards + [Entry(g.id, guide_digest(g), partial(from_guide, g)) for g in catalog.guides]
