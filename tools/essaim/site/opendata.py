"""Open data beyond JSON and CSV: one JSON file per card (/api/actions/<id>.json) and an SQLite
database of the catalogue (donnees/actions.db) with its Datasette metadata (donnees/metadata.json).

Both reuse exports.card_record / card_row: a contact's name, e-mail and telephone leave the site only
when the contact is `exportable`, exactly as in actions.json and actions.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from essaim.model.card import CARD_SECTIONS
from essaim.site.exports import LICENCE, LICENCE_URL, card_record, card_row

API_FOLDER = "api/actions"
API_SCHEMA = "api-action.schema.json"
DATABASE = "donnees/actions.db"
METADATA = "donnees/metadata.json"
FTS_COLUMNS = ["titre", "resume", "porteur", "communes", "territoire_precision", "themes_libelles",
               "publics_libelles", *(f"section_{s.key}" for s in CARD_SECTIONS)]

TABLES = {
    "actions": "Une ligne par fiche publiée ; mêmes colonnes que actions.csv (valeurs multiples séparées par « | »).",
    "themes": "Vocabulaire des thèmes utilisés par au moins une fiche.",
    "actions_themes": "Thèmes de chaque fiche ; rang 1 = le plus central.",
    "publics": "Vocabulaire des publics utilisés par au moins une fiche.",
    "actions_publics": "Publics visés par chaque fiche.",
    "lieux": "Lieux d'intervention de chaque fiche : régions, départements et communes (codes INSEE).",
    "contacts": "Contacts publiés : fonction et structure ; nom, courriel et téléphone seulement si la personne "
                "a accepté leur diffusion en données ouvertes.",
    "sources": "Documents sources cités par les fiches.",
    "actions_sources": "Documents sources de chaque fiche, avec les pages citées.",
}


TEXT = str
SHAPES = {  # table -> (columns, primary key); parents before children
    "themes": ({"id": TEXT, "libelle": TEXT}, "id"),
    "publics": ({"id": TEXT, "libelle": TEXT}, "id"),
    "sources": ({"id": TEXT, "titre": TEXT, "editeur": TEXT, "date": TEXT, "url": TEXT}, "id"),
    "actions_themes": ({"action_id": TEXT, "theme_id": TEXT, "rang": int}, ("action_id", "theme_id")),
    "actions_publics": ({"action_id": TEXT, "public_id": TEXT}, ("action_id", "public_id")),
    "actions_sources": ({"action_id": TEXT, "source_id": TEXT, "pages": TEXT}, None),
    "lieux": ({"action_id": TEXT, "type": TEXT, "code": TEXT, "nom": TEXT}, None),
    "contacts": ({"action_id": TEXT, "rang": int, "fonction": TEXT, "structure": TEXT, "nom": TEXT, "email": TEXT,
                  "telephone": TEXT}, None),
}
FOREIGN = {"action_id": "actions", "theme_id": "themes", "public_id": "publics", "source_id": "sources"}


def api_record(site, card) -> dict:
    """The card as published in /api/actions/<id>.json (schemas/api-action.schema.json)."""
    return {**card_record(site, card), "licence": {"nom": LICENCE, "url": LICENCE_URL}}


def api_files(site) -> dict[str, str]:
    return {f"{API_FOLDER}/{card.id}.json": json.dumps(api_record(site, card), ensure_ascii=False, indent=1) + "\n"
            for card in site.catalog.cards}


def _related_rows(site) -> dict[str, list[dict]]:
    rows = {name: [] for name in TABLES if name != "actions"}
    themes, publics, sources = {}, {}, {}
    for card in site.catalog.cards:
        record = card_record(site, card)
        for rank, theme in enumerate(record["themes"], 1):
            themes[theme["id"]] = {"id": theme["id"], "libelle": theme["libelle"]}
            rows["actions_themes"].append({"action_id": card.id, "theme_id": theme["id"], "rang": rank})
        for public in record["publics"]:
            publics[public["id"]] = {"id": public["id"], "libelle": public["libelle"]}
            rows["actions_publics"].append({"action_id": card.id, "public_id": public["id"]})
        territory = record["territoire"]
        for kind, key in (("region", "regions"), ("departement", "departements")):
            rows["lieux"] += [{"action_id": card.id, "type": kind, "code": p["code"], "nom": p["nom"]}
                              for p in territory[key]]
        rows["lieux"] += [{"action_id": card.id, "type": "commune", "code": c.get("insee"), "nom": c["nom"]}
                          for c in territory["communes"]]
        for rank, contact in enumerate(record["contacts"], 1):
            rows["contacts"].append({"action_id": card.id, "rang": rank,
                                     **{k: contact.get(k) for k in ("fonction", "structure", "nom", "email",
                                                                     "telephone")}})
        for source in record["sources"]:
            sources[source["document"]] = {"id": source["document"],
                                           **{k: source.get(k) for k in ("titre", "editeur", "date", "url")}}
            rows["actions_sources"].append({"action_id": card.id, "source_id": source["document"],
                                            "pages": source.get("pages")})
    rows["themes"], rows["publics"], rows["sources"] = list(themes.values()), list(publics.values()), list(sources.values())
    return rows


def write_database(site, path: Path) -> None:
    """Write the SQLite catalogue (replacing any previous file) with sqlite-utils."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partiel")
    partial.unlink(missing_ok=True)
    db = sqlite_utils.Database(partial)
    db["actions"].insert_all((card_row(site, card) for card in site.catalog.cards), pk="id")
    if not db["actions"].exists():  # no card: the columns still exist
        db["actions"].create({"id": str}, pk="id")
    for name, (columns, pk) in SHAPES.items():
        foreign = [(c, FOREIGN[c], "id") for c in columns if c in FOREIGN]
        db[name].create(columns, pk=pk, foreign_keys=foreign)
    related = _related_rows(site)
    for name in SHAPES:
        db[name].insert_all(related[name])
    db["lieux"].create_index(["action_id"])
    db["contacts"].create_index(["action_id"])
    db["actions"].enable_fts(FTS_COLUMNS, tokenize="unicode61 remove_diacritics 2")
    db.vacuum()
    db.close()
    partial.replace(path)


def datasette_metadata(site_url: str | None = None) -> str:
    """metadata.json for `datasette actions.db --metadata metadata.json`."""
    data = {
        "title": "Essaim — actions locales pour l'accès à la santé",
        "description": "Les fiches action d'Essaim en base SQLite, régénérée à chaque construction du site.",
        "license": LICENCE, "license_url": LICENCE_URL,
        "source": "Essaim",
        **({"source_url": site_url.rstrip("/") + "/donnees/"} if site_url else {}),
        "databases": {"actions": {
            "license": LICENCE, "license_url": LICENCE_URL,
            "tables": {name: {"description": text, "license": LICENCE, "license_url": LICENCE_URL}
                       for name, text in TABLES.items()},
        }},
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
