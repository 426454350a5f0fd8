"""French administrative geography (régions, départements, communes with INSEE codes).

Data: Etalab's @etalab/decoupage-administratif (MIT), reduced to the columns we use.
"""

from __future__ import annotations

import csv
import json
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
