"""What each card is filed under: the facets shared by listings, map, search filters and exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from essaim.model import geography
from essaim.pipeline.catalog import Card, Catalog
from essaim.text.collation import sort_key
from essaim.pipeline.facets import FACET_VOCABULARIES, card_facets
from essaim.model.vocabularies import vocabulary

# Facets of the search page, in display order: key (Pagefind filter name, URL parameter) -> label.
FACETS = {
    "theme": "Thème",
    "public": "Public",
    "region": "Région",
    "departement": "Département",
    "porteur": "Type de porteur",
    "territoire": "Territoire",
}
# Listing folders of the site.
LISTING_FOLDERS = {"theme": "themes", "famille": "familles", "public": "publics", "region": "regions",
                   "departement": "departements", "porteur": "porteurs"}


def options(facet: str) -> list[str]:
    """Every possible value of a facet, in display order."""
    if facet == "region":
        return sorted(geography.regions(), key=lambda c: sort_key(geography.regions()[c].name))
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
        for card in sorted(self.catalog.cards, key=lambda c: (sort_key(c.meta.title), c.id)):
            for facet, values in self.by_card[card.id].items():
                for value in values:
                    members.setdefault((facet, value), []).append(card)
        return members

    def cards(self, facet: str, value: str) -> list[Card]:
        return self.members.get((facet, value), [])
