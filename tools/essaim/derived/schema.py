"""The published JSON Schemas of the front matter, generated from the model."""

from __future__ import annotations

import json

from pydantic import BaseModel

from essaim.model.card import CardMeta, GuideMeta, SourceDocument

SCHEMAS: dict[str, type[BaseModel]] = {
    "fiche-action": CardMeta,
    "guide": GuideMeta,
    "document-source": SourceDocument,
}
TITLES = {
    "fiche-action": "Essaim — en-tête YAML d'une fiche action",
    "guide": "Essaim — en-tête YAML d'un guide pratique",
    "document-source": "Essaim — document source",
}


def json_schema(name: str) -> dict:
    schema = SCHEMAS[name].model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://essaim.example/schemas/{name}.schema.json",
        **schema,
        "title": TITLES[name],
    }


def schema_text(name: str) -> str:
    return json.dumps(json_schema(name), ensure_ascii=False, indent=2) + "\n"
