"""What each card is filed under: the facets shared by search, listings, map and exports.

Régions and départements are completed from the communes' INSEE codes, so a card
coded only with a commune is still found under its département and région.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from essaim.model.freshness import VALUES as FRESHNESS_VALUES
from essaim.model.freshness import freshness
from essaim.model.vocabularies import vocabulary

if TYPE_CHECKING:
    from essaim.pipeline.catalog import Card

# Facet -> French label. Values are vocabulary ids or official codes.
FACETS = {
    "theme": "Thème",
    "famille": "Famille de thèmes",
    "public": "Public",
    "region": "Région",
    "departement": "Département",
    "porteur": "Type de porteur",
    "territoire": "Territoire",
    "echelle": "Échelle",
    "statut": "Statut",
    "evaluee": "Évaluée",
    "contact": "Contact publié",
    "fraicheur": "Fraîcheur",
}
# Facet -> vocabulary naming its values (régions and départements use geography).
FACET_VOCABULARIES = {"theme": "themes", "famille": "familles", "public": "publics", "porteur": "porteurs",
                      "territoire": "territoires", "echelle": "echelles", "statut": "statuts"}
EVALUATED = {True: "oui", False: "non", None: "inconnu"}
# Facets whose values are fixed words rather than vocabulary ids or codes: value -> label.
FIXED_VALUES = {"evaluee": {"oui": "oui", "non": "non", "inconnu": "inconnu"},
                "contact": {"oui": "avec contact", "non": "sans contact publié"},
                "fraicheur": FRESHNESS_VALUES}


def card_departements(card: Card) -> list[str]:
    from essaim.model import geography  # here: searching reads labels from the index, never the geography

    t = card.meta.territory
    codes = list(dict.fromkeys(t.departements))
    for commune in t.communes:
        code = geography.commune_departement(commune.insee) if commune.insee else None
        if code and code not in codes:
            codes.append(code)
    return codes


def card_regions(card: Card) -> list[str]:
    from essaim.model import geography

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
        "famille": sorted({vocabulary("themes").by_id[t].family for t in m.themes}),
        "public": list(m.publics),
        "region": card_regions(card),
        "departement": card_departements(card),
        "porteur": [m.carrier.type],
        "territoire": list(m.territory.kinds),
        "echelle": [m.territory.scale],
        "statut": [m.status],
        "evaluee": [EVALUATED[m.evaluation.evaluated]],
        "contact": ["oui" if m.contacts else "non"],
        "fraicheur": [freshness(card).value],
    }


def facet_label(facet: str, value: str) -> str:
    from essaim.model import geography

    if facet == "region":
        place = geography.regions().get(value)
        return place.name if place else value
    if facet == "departement":
        place = geography.departements().get(value)
        return f"{place.name} ({value})" if place else value
    if facet in FIXED_VALUES:
        return FIXED_VALUES[facet].get(value, value)
    vocab = vocabulary(FACET_VOCABULARIES[facet])
    return vocab.label(value) if value in vocab else value
