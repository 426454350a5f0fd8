"""French administrative geography (régions, départements, communes with INSEE codes).

Data: Etalab's @etalab/decoupage-administratif (MIT), reduced to the columns we use.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


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
    """A place name as it is compared: case, accents, hyphens and apostrophes ignored."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[-_'’]", " ", bare).split())


@cache
def communes_by_name() -> dict[str, list[str]]:
    """name_key(name) -> INSEE codes of the communes of that name (several: « Saint-Denis » is four)."""
    names: dict[str, list[str]] = {}
    for code, place in communes().items():
        names.setdefault(name_key(place.name), []).append(code)
    return names
