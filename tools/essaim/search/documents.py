"""What the search index holds for each card and guide, taken from the catalog."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from essaim import geography
from essaim.catalog import Card, Catalog, Guide
from essaim.search.text import nfc
from essaim.vocabularies import vocabulary

# Facets: name -> French label. Values are vocabulary ids or official codes.
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
}
# Facet -> vocabulary naming its values (régions and départements use geography).
FACET_VOCABULARIES = {"theme": "themes", "famille": "familles", "public": "publics", "porteur": "porteurs",
                      "territoire": "territoires", "echelle": "echelles", "statut": "statuts"}


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


def _vocabulary_words(name: str, ids: list[str]) -> list[str]:
    vocab = vocabulary(name)
    return [w for i in ids for w in (vocab.by_id[i].label, *vocab.by_id[i].synonyms)]


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def from_card(card: Card) -> SearchDocument:
    m, t = card.meta, card.meta.territory
    families = sorted({vocabulary("themes").by_id[i].family for i in m.themes})
    regions = set(t.regions) | {geography.departements()[d].parent for d in t.departements}
    places = [c.name for c in t.communes] + [geography.departements()[d].name for d in t.departements]
    places += [geography.regions()[r].name for r in sorted(regions)]
    if t.detail:
        places.append(t.detail)
    keywords = (_vocabulary_words("themes", m.themes) + _vocabulary_words("publics", m.publics)
                + _vocabulary_words("porteurs", [m.carrier.type]) + _vocabulary_words("territoires", t.kinds)
                + _vocabulary_words("cadres", m.frameworks))
    body = "\n\n".join(text for text in card.sections.values() if text)
    evaluated = {True: "oui", False: "non", None: "inconnu"}[m.evaluation.evaluated]
    facets = {
        "theme": list(m.themes), "famille": families, "public": list(m.publics), "region": sorted(regions),
        "departement": list(t.departements), "porteur": [m.carrier.type], "territoire": list(t.kinds),
        "echelle": [t.scale], "statut": [m.status], "evaluee": [evaluated],
    }
    fields = dict(title=nfc(m.title), summary=nfc(m.summary), body=nfc(body), carrier=nfc(m.carrier.name),
                  places=nfc(" ; ".join(places)), keywords=nfc(" ; ".join(keywords)))
    return SearchDocument(id=card.id, kind="action", facets=facets, updated=m.updated, url=card.url,
                          digest=_digest(m.model_dump_json(), body), **fields)


def from_guide(guide: Guide) -> SearchDocument:
    m = guide.meta
    families = sorted({vocabulary("themes").by_id[i].family for i in m.themes})
    return SearchDocument(
        id=guide.id, kind="guide", title=nfc(m.title), summary=nfc(m.summary), body=nfc(guide.body), carrier="",
        places="", keywords=nfc(" ; ".join(_vocabulary_words("themes", m.themes))),
        facets={"theme": list(m.themes), "famille": families}, updated=m.updated, url=guide.url,
        digest=_digest(m.model_dump_json(), guide.body))


def documents(catalog: Catalog) -> list[SearchDocument]:
    return [from_card(c) for c in catalog.cards] + [from_guide(g) for g in catalog.guides]


def facet_label(facet: str, value: str) -> str:
    if facet == "region":
        place = geography.regions().get(value)
        return place.name if place else value
    if facet == "departement":
        place = geography.departements().get(value)
        return f"{place.name} ({value})" if place else value
    if facet == "evaluee":
        return value
    vocab = vocabulary(FACET_VOCABULARIES[facet])
    return vocab.label(value) if value in vocab else value
