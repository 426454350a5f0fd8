"""« Un territoire comme le mien » : a commune's profile, a card's profile, and an explainable similarity.

A commune's profile comes from official data shipped in data/geo/ (see its README): population (INSEE,
through @etalab/decoupage-administratif), the kind of its intercommunality (EPCI), its département and
région, and whether it is overseas. A card's profile is derived from the communes it names (INSEE codes);
when it names only départements or régions, the profile says so and size and EPCI stay unknown.

The similarity is a sum of parts, each with a weight and a French reason. The rules (bands, weights,
labels, reason texts) are defined here only; the site's page reads them from the JSON written by
`rules_json()` and applies the same arithmetic (tools/essaim/data/site/assets/territoire.js).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from essaim.model import geography

# Population bands: lower bound of each band.
BANDS = (0, 2_000, 10_000, 50_000, 200_000)
NNBSP = "\u202f"  # narrow no-break space, between thousands
BAND_LABELS = tuple(label.replace("_", NNBSP) for label in (
    "moins de 2_000 habitants", "de 2_000 à 9_999 habitants", "de 10_000 à 49_999 habitants",
    "de 50_000 à 199_999 habitants", "200_000 habitants et plus"))
# EPCI kind in the source -> our id.
EPCI_KINDS = {"METRO": "metropole", "MET69": "metropole", "CU": "cu", "CA": "ca", "CC": "cc"}
EPCI_LABELS = {"metropole": "métropole", "cu": "communauté urbaine", "ca": "communauté d'agglomération",
               "cc": "communauté de communes", "aucun": "aucune intercommunalité"}
# How an EPCI kind reads in a reason (« intercommunalité rurale » is the wording for a CC).
EPCI_REASONS = {"metropole": "métropole aussi", "cu": "communauté urbaine aussi",
                "ca": "communauté d'agglomération aussi", "cc": "intercommunalité rurale (communauté de communes)",
                "aucun": "commune sans intercommunalité aussi"}
OVERSEAS_FROM = "97"  # départements 971 and beyond

# Weight of each part of the similarity; the reasons are French templates filled with the place's names.
WEIGHTS = {"taille": 3.0, "taille_proche": 1.0, "epci": 3.0, "type": 2.0, "departement": 2.0,
           "voisin": 1.5, "region": 1.0, "outre_mer": 2.0}
REASONS = {
    "taille": "même taille ({band})",
    "taille_proche": "taille proche ({band})",
    "epci": "{epci}",
    "type": "territoire {kind} aussi",
    "departement": "même département ({departement})",
    "voisin": "département voisin ({departement})",
    "region": "même région ({region})",
    "outre_mer": "outre-mer aussi",
}
# Notes (no weight) when a card's profile is partial.
NOTES = {
    "departement": "la fiche ne nomme qu'un département : taille et intercommunalité inconnues",
    "region": "la fiche ne nomme qu'une région : taille et intercommunalité inconnues",
    "national": "action nationale ou sans lieu précis",
    "sans_code": "communes de la fiche sans code INSEE : taille et intercommunalité inconnues",
}


def band_of(population: int | None) -> int | None:
    if population is None:
        return None
    return max(i for i, low in enumerate(BANDS) if population >= low)


@dataclass(frozen=True)
class CommuneProfile:
    code: str
    name: str
    population: int | None
    band: int | None
    epci: str  # metropole, cu, ca, cc, aucun
    epci_name: str | None
    departement: str
    region: str
    overseas: bool

    @property
    def kinds(self) -> tuple[str, ...]:
        """Territory kinds (vocabulary « territoires ») this profile stands for; a proxy, see docs/territoire.md."""
        kinds = []
        if self.overseas:
            kinds.append("outre_mer")
        if self.epci == "cc" or (self.band is not None and self.band == 0):
            kinds.append("rural")
        elif self.epci in ("metropole", "cu", "ca") and self.band is not None and self.band >= 2:
            kinds.append("urbain")
        return tuple(kinds)

    def describe(self) -> list[str]:
        """The profile in French, one line a part."""
        lines = []
        if self.population is not None:
            lines.append(f"{self.population:,}".replace(",", NNBSP) + f" habitants ({BAND_LABELS[self.band]})")
        lines.append(EPCI_LABELS[self.epci].capitalize() + (f" : {self.epci_name}" if self.epci_name else ""))
        dep = geography.departements()[self.departement]
        lines.append(f"Département : {dep.name} ({dep.code})")
        region = geography.regions().get(self.region)
        if region:
            lines.append(f"Région : {region.name}")
        if self.overseas:
            lines.append("Outre-mer")
        return lines

    def as_dict(self) -> dict:
        return {"code": self.code, "nom": self.name, "population": self.population, "tranche": self.band,
                "tranche_libelle": BAND_LABELS[self.band] if self.band is not None else None,
                "epci": self.epci, "epci_libelle": EPCI_LABELS[self.epci], "epci_nom": self.epci_name,
                "departement": self.departement, "region": self.region, "outre_mer": self.overseas,
                "types": list(self.kinds)}


def _geo(name: str):
    return resources.files("essaim").joinpath("data", "geo", name)


@cache
def epci_table() -> dict[str, tuple[str, str]]:
    """SIREN of each EPCI -> (kind id, name)."""
    with _geo("epci.tsv").open(encoding="utf-8") as f:
        return {r["code"]: (EPCI_KINDS[r["type"]], r["nom"]) for r in csv.DictReader(f, delimiter="\t")}


@cache
def _profile_rows() -> dict[str, tuple[int | None, str]]:
    with _geo("communes-profils.tsv").open(encoding="utf-8") as f:
        return {r["code"]: (int(r["population"]) if r["population"] else None, r["epci"])
                for r in csv.DictReader(f, delimiter="\t")}


def population_and_epci(code: str) -> tuple[int | None, str]:
    return _profile_rows().get(code, (None, ""))


@cache
def neighbours() -> dict[str, list[str]]:
    return json.loads(_geo("departements-voisins.json").read_text("utf-8"))["voisins"]


@cache
def profile(code: str) -> CommuneProfile | None:
    place = geography.communes().get(code)
    if place is None:
        return None
    population, epci = population_and_epci(code)
    kind, epci_name = epci_table().get(epci, ("aucun", None))
    dep = geography.departements()[place.parent]
    return CommuneProfile(code=code, name=place.name, population=population, band=band_of(population), epci=kind,
                          epci_name=epci_name, departement=dep.code, region=dep.parent,
                          overseas=dep.code >= OVERSEAS_FROM and len(dep.code) == 3)


class AmbiguousCommune(Exception):
    def __init__(self, name: str, candidates: list[CommuneProfile]):
        self.name, self.candidates = name, candidates
        super().__init__(name)


class UnknownCommune(Exception):
    def __init__(self, name: str, suggestions: list[CommuneProfile]):
        self.name, self.suggestions = name, suggestions  # communes whose name starts with the text, largest first
        super().__init__(name)


def find_commune(query: str) -> CommuneProfile:
    """A commune from its INSEE code or its name, by essaim.model.geography.find_place; never guesses.

    A name shared by several communes raises AmbiguousCommune with the candidates; « Nom (12) » or
    « Nom 12 » picks the one in that département. An unknown name raises UnknownCommune with the communes
    whose name starts with it, largest first.
    """
    try:
        return profile(geography.find_place("commune", query).code)
    except geography.AmbiguousPlace as error:
        raise AmbiguousCommune(query, [profile(c.code) for c in error.candidates]) from None
    except geography.UnknownPlace:
        starting = geography.communes_starting(geography.split_departement(query.strip())[0])
        starting.sort(key=lambda c: -(population_and_epci(c)[0] or 0))
        raise UnknownCommune(query, [profile(c) for c in starting[:5]]) from None


# --- cards -----------------------------------------------------------------


@dataclass(frozen=True)
class CardProfile:
    """What a card says of its territory, as far as it says it."""

    communes: tuple[CommuneProfile, ...]
    departements: tuple[str, ...]
    regions: tuple[str, ...]
    kinds: tuple[str, ...]
    basis: str  # communes, sans_code, departement, region, national

    def as_dict(self) -> dict:
        return {"communes": [[c.band, c.epci] for c in self.communes], "departements": list(self.departements),
                "regions": list(self.regions), "types": list(self.kinds), "base": self.basis}


def card_profile(card) -> CardProfile:
    from essaim.pipeline.facets import card_departements, card_regions

    t = card.meta.territory
    # The main commune (listed first) stands for the card's size and intercommunality: an action run in
    # Saint-Denis with a holiday house in a village is not a village action.
    communes = tuple(p for p in (profile(c.insee) for c in t.communes if c.insee) if p is not None)[:1]
    departements, regions = tuple(card_departements(card)), tuple(card_regions(card))
    if communes:
        basis = "communes"
    elif t.communes:
        basis = "sans_code"
    elif departements:
        basis = "departement"
    elif regions:
        basis = "region"
    else:
        basis = "national"
    return CardProfile(communes, departements, regions, tuple(t.kinds), basis)


@dataclass
class Match:
    score: float = 0.0
    parts: list[tuple[str, str]] = field(default_factory=list)  # (part id, French reason)
    note: str | None = None

    def add(self, part: str, **names) -> None:
        self.score += WEIGHTS[part]
        self.parts.append((part, REASONS[part].format(**names)))

    @property
    def reasons(self) -> list[str]:
        return [text for _, text in self.parts] + ([self.note] if self.note else [])

    def as_dict(self) -> dict:
        return {"score": round(self.score, 2), "raisons": [text for _, text in self.parts], "note": self.note,
                "parties": [part for part, _ in self.parts]}


def similarity(place: CommuneProfile, card: CardProfile) -> Match:
    """How much a card's territory resembles a commune, part by part (see WEIGHTS and REASONS)."""
    match = Match()
    # Size and intercommunality: the card's commune that resembles the place most.
    best: tuple[float, list[str], CommuneProfile | None] = (0.0, [], None)
    for commune in card.communes:
        parts = []
        if place.band is not None and commune.band is not None:
            if commune.band == place.band:
                parts.append("taille")
            elif abs(commune.band - place.band) == 1:
                parts.append("taille_proche")
        if commune.epci == place.epci:
            parts.append("epci")
        weight = sum(WEIGHTS[p] for p in parts)
        if weight > best[0]:
            best = (weight, parts, commune)
    for part in best[1]:
        if part == "epci":
            match.add(part, epci=EPCI_REASONS[place.epci])
        else:
            match.add(part, band=BAND_LABELS[best[2].band])
    for kind in place.kinds:
        if kind in card.kinds and kind != "outre_mer":
            match.add("type", kind=_kind_label(kind))
    if place.departement in card.departements:
        match.add("departement", departement=geography.departements()[place.departement].name)
    else:
        near = [d for d in card.departements if d in neighbours().get(place.departement, [])]
        if near:
            match.add("voisin", departement=geography.departements()[near[0]].name)
        elif place.region in card.regions:
            match.add("region", region=geography.regions()[place.region].name)
        if place.overseas and ("outre_mer" in card.kinds or any(_overseas(d) for d in card.departements)):
            match.add("outre_mer")
    if card.basis != "communes":
        match.note = NOTES[card.basis]
    return match


def _overseas(departement: str) -> bool:
    return len(departement) == 3 and departement >= OVERSEAS_FROM


def _kind_label(kind: str) -> str:
    from essaim.model.vocabularies import vocabulary

    return vocabulary("territoires").label(kind).lower()


def rules_json() -> dict:
    """The rules above, for the site's script (which applies them the same way)."""
    return {"tranches": list(BAND_LABELS), "bornes": list(BANDS), "epci": EPCI_LABELS, "epci_raisons": EPCI_REASONS,
            "poids": WEIGHTS,
            "raisons": REASONS, "notes": NOTES,
            "types": {k: _kind_label(k) for k in ("rural", "urbain", "outre_mer")},
            "departements": {c: [p.name, p.parent] for c, p in geography.departements().items()},
            "regions": {c: p.name for c, p in geography.regions().items()}, "voisins": neighbours()}
