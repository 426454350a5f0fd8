"""What each card is filed under: the facets shared by listings, map, search filters and exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from essaim import geography
from essaim.catalog import Card, Catalog
from essaim.vocabularies import vocabulary

# Facets of the search page, in display order: key (Pagefind filter name, URL parameter) -> label.
FACETS = {
    "theme": "Thème",
    "public": "Public",
    "region": "Région",
    "departement": "Département",
    "porteur": "Type de porteur",
    "territoire": "Territoire",
}
FACET_VOCABULARIES = {"theme": "themes", "public": "publics", "porteur": "porteurs", "territoire": "territoires"}
# Listing folders of the site.
LISTING_FOLDERS = {"theme": "themes", "famille": "familles", "public": "publics", "region": "regions",
                   "departement": "departements", "porteur": "porteurs"}


def card_departements(card: Card) -> list[str]:
    t = card.meta.territory
    codes = list(dict.fromkeys(t.departements))
    for commune in t.communes:
        code = geography.commune_departement(commune.insee) if commune.insee else None
        if code and code not in codes:
            codes.append(code)
    return codes


def card_regions(card: Card) -> list[str]:
    regions = list(dict.fromkeys(card.meta.territory.regions))
    for code in card_departements(card):
        parent = geography.departements()[code].parent
        if parent not in regions:
            regions.append(parent)
    return regions


def card_facets(card: Card) -> dict[str, list[str]]:
    m = card.meta
    return {
        "theme": list(m.themes),
        "public": list(m.publics),
        "region": card_regions(card),
        "departement": card_departements(card),
        "porteur": [m.carrier.type],
        "territoire": list(m.territory.kinds),
        "famille": sorted({vocabulary("themes").by_id[t].family for t in m.themes}),
    }


def label(facet: str, value: str) -> str:
    if facet == "region":
        place = geography.regions().get(value)
        return place.name if place else value
    if facet == "departement":
        place = geography.departements().get(value)
        return f"{place.name} ({value})" if place else value
    if facet == "famille":
        return vocabulary("familles").label(value)
    vocab = vocabulary(FACET_VOCABULARIES[facet])
    return vocab.label(value) if value in vocab else value


def options(facet: str) -> list[str]:
    """Every possible value of a facet, in display order."""
    if facet == "region":
        return sorted(geography.regions(), key=lambda c: geography.regions()[c].name)
    if facet == "departement":
        return sorted(geography.departements(), key=lambda c: (len(c) > 2, c))
    if facet == "famille":
        return vocabulary("familles").ids()
    if facet == "theme":
        order = {f: i for i, f in enumerate(vocabulary("familles").ids())}
        return sorted(vocabulary("themes").ids(), key=lambda t: order[vocabulary("themes").by_id[t].family])
    return vocabulary(FACET_VOCABULARIES[facet]).ids()


@dataclass
class Facets:
    """Facets of every card of a catalog, with counts and the cards behind each value."""

    catalog: Catalog
    by_card: dict[str, dict[str, list[str]]] = field(init=False)

    def __post_init__(self):
        self.by_card = {card.id: card_facets(card) for card in self.catalog.cards}

    @cached_property
    def counts(self) -> dict[str, Counter]:
        counts: dict[str, Counter] = {}
        for facets in self.by_card.values():
            for facet, values in facets.items():
                counts.setdefault(facet, Counter()).update(values)
        return counts

    def count(self, facet: str, value: str) -> int:
        return self.counts.get(facet, Counter())[value]

    @cached_property
    def members(self) -> dict[tuple[str, str], list[Card]]:
        members: dict[tuple[str, str], list[Card]] = {}
        for card in sorted(self.catalog.cards, key=lambda c: (c.meta.title.casefold(), c.id)):
            for facet, values in self.by_card[card.id].items():
                for value in values:
                    members.setdefault((facet, value), []).append(card)
        return members

    def cards(self, facet: str, value: str) -> list[Card]:
        return self.members.get((facet, value), [])
