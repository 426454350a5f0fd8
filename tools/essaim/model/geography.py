"""French administrative geography (régions, départements, communes with INSEE codes).

Data: Etalab's @etalab/decoupage-administratif (MIT), reduced to the columns we use.

`find_place` is the one way a place written by a person (a code or a name) becomes a place: `essaim new`,
`essaim from-issue`, `essaim search` (filters and --comme) and the territory page all go through it. It never
guesses: a name shared by several communes (« Saint-Denis » is four) raises AmbiguousPlace, whose message
lists the candidates as they can be written back (« Saint-Denis (93) »), with their département.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from essaim.model.vocabularies import fold


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    parent: str | None = None  # région of a département, département of a commune


def _data(name: str):
    return resources.files("essaim").joinpath("data", "geo", name)


@cache
def regions() -> dict[str, Place]:
    return {r["code"]: Place(r["code"], r["nom"]) for r in json.loads(_data("regions.json").read_text("utf-8"))}


@cache
def departements() -> dict[str, Place]:
    rows = json.loads(_data("departements.json").read_text("utf-8"))
    return {d["code"]: Place(d["code"], d["nom"], d["region"]) for d in rows}


@cache
def communes() -> dict[str, Place]:
    with _data("communes.tsv").open(encoding="utf-8") as f:
        return {r["code"]: Place(r["code"], r["nom"], r["departement"]) for r in csv.DictReader(f, delimiter="\t")}


def commune_departement(insee: str) -> str | None:
    place = communes().get(insee)
    return place.parent if place else None


def name_key(name: str) -> str:
    """A place name as it is compared: case, accents, hyphens and apostrophes (typographic too) ignored."""
    return fold(name.replace("’", "'"))


# kind -> (table, singular, plural), for find_place and its messages.
KINDS = {"region": (regions, "région", "régions"), "departement": (departements, "département", "départements"),
         "commune": (communes, "commune", "communes")}


@cache
def _by_name(kind: str) -> dict[str, list[str]]:
    """name_key(name) -> codes of the places of that kind and name (several: « Saint-Denis » is four communes)."""
    names: dict[str, list[str]] = {}
    for code, place in KINDS[kind][0]().items():
        names.setdefault(name_key(place.name), []).append(code)
    return names


def shown(place: Place) -> str:
    """A commune as a person can write it back without ambiguity: « Saint-Denis (93) »."""
    return f"{place.name} ({place.parent})" if place.code in communes() else place.name


class PlaceError(ValueError):
    """A written place that names no place, or several; str() is the French message."""

    def __init__(self, kind: str, raw: str, message: str):
        self.kind, self.raw = kind, raw
        super().__init__(message)


class UnknownPlace(PlaceError):
    def __init__(self, kind: str, raw: str):
        super().__init__(kind, raw, f"{KINDS[kind][1]} « {raw} » introuvable dans le référentiel officiel")


class AmbiguousPlace(PlaceError):
    def __init__(self, kind: str, raw: str, candidates: list[Place]):
        self.candidates = candidates  # ordered by code
        super().__init__(kind, raw, f"nom ambigu : « {raw} » désigne {len(candidates)} {KINDS[kind][2]} : "
                                    + ", ".join(self.listed()))

    def listed(self) -> list[str]:
        """« Saint-Denis (93) » (Seine-Saint-Denis, code 93066), one per candidate."""
        return [f"« {shown(c)} » ({departements()[c.parent].name}, code {c.code})" if c.parent in departements()
                else f"« {shown(c)} » (code {c.code})" for c in self.candidates]


def split_departement(text: str) -> tuple[str, str | None]:
    """« Saint-Denis (93) » or « Saint-Denis 93 » -> ("Saint-Denis", "93"); the text alone otherwise."""
    for opening, closing in (("(", ")"), ("", "")):
        head, _, tail = text.rpartition(" " + opening) if opening else text.rpartition(" ")
        code = tail.rstrip(closing).strip().upper()
        if head.strip() and code in departements():
            return head.strip(), code
    return text, None


def find_place(kind: str, raw: str, within: tuple[str, ...] | list[str] = ()) -> Place:
    """The région, département or commune a person wrote, by code or by name; never a guess.

    Names are compared with name_key (case, accents, hyphens, apostrophes ignored). A commune may carry its
    département, « Saint-Denis (93) » or « Saint-Denis 93 », which then must hold it; `within` (départements
    the text already names, as on a card) only settles a name shared by several communes. A région or a
    département may be written « Nom (code) ». Raises UnknownPlace, or AmbiguousPlace with the candidates."""
    table = KINDS[kind][0]()
    text = " ".join(raw.split())
    if text.upper() in table:
        return table[text.upper()]
    hint = None
    if kind == "commune":
        text, hint = split_departement(text)
    codes = _by_name(kind).get(name_key(text), [])
    if kind != "commune" and not codes and "(" in text:  # « Aveyron (12) »: the name, else the code
        name, _, inside = text.partition("(")
        for part in (name, inside.strip(" )")):
            try:
                return find_place(kind, part)
            except UnknownPlace:
                pass
    if hint:
        codes = [c for c in codes if table[c].parent == hint]
    if len(codes) > 1 and within:
        codes = [c for c in codes if table[c].parent in within] or codes
    if not codes:
        raise UnknownPlace(kind, raw)
    if len(codes) > 1:
        raise AmbiguousPlace(kind, raw, [table[c] for c in sorted(codes)])
    return table[codes[0]]


def communes_starting(text: str) -> list[str]:
    """INSEE codes of the communes whose name starts with the text (names compared with name_key)."""
    key = name_key(text)
    return [code for name, found in _by_name("commune").items() if key and name.startswith(key) for code in found]
