"""The field reference of the contributor docs, generated from the JSON Schema."""

from __future__ import annotations

from essaim.model.card import CARD_SECTIONS, SILENT_TEXT
from essaim.derived.schema import json_schema

TYPE_LABELS = {"string": "texte", "integer": "entier", "boolean": "booléen", "null": "vide", "object": "groupe de clés"}


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    return root["$defs"][ref.split("/")[-1]] if ref else schema


def _type_label(schema: dict, root: dict) -> str:
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return " ou ".join(dict.fromkeys(_type_label(s, root) for s in schema["anyOf"]))
    if "x-vocabulaire" in schema:
        return f"valeur du vocabulaire « {schema['x-vocabulaire']} »"
    if "enum" in schema:
        return "code officiel (INSEE)"
    if schema.get("type") == "array":
        return f"liste de {_type_label(schema.get('items', {}), root)}"
    return TYPE_LABELS.get(schema.get("type", "object"), schema.get("type", "?"))


def _rows(schema: dict, root: dict, prefix: str = "") -> list[tuple[str, str, str, str]]:
    schema = _resolve(schema, root)
    rows = []
    required = set(schema.get("required", []))
    for key, prop in schema.get("properties", {}).items():
        path = f"{prefix}{key}"
        rows.append((path, "oui" if key in required else "non", _type_label(prop, root), prop.get("description", "")))
        target = _resolve(prop.get("items", prop) if prop.get("type") == "array" else prop, root)
        if "anyOf" in target:
            target = next((_resolve(s, root) for s in target["anyOf"] if "$ref" in s), target)
        if target.get("properties"):
            rows += _rows(target, root, f"{path}[]." if prop.get("type") == "array" else f"{path}.")
    return rows


def field_reference() -> str:
    root = json_schema("fiche-action")
    lines = [
        "| Clé | Obligatoire | Type | Description |",
        "|---|---|---|---|",
        *[f"| `{path}` | {req} | {kind} | {desc} |" for path, req, kind, desc in _rows(root, root)],
        "",
        "Sections du corps de la fiche, dans cet ordre (titres de niveau 2, `## …`) :",
        "",
        *[f"{i}. **{s.heading}**{' (obligatoire)' if s.mandatory else ''} — {s.guidance}"
          for i, s in enumerate(CARD_SECTIONS, 1)],
        "",
        f"Quand la source ne dit rien d'une section, son texte est exactement la ligne « {SILENT_TEXT} », "
        "sans rien d'autre, plutôt que d'omettre la section ou d'inventer. Quand la source en dit une partie, "
        "écrivez ce qu'elle dit, sans préfixe « Non renseigné ».",
    ]
    return "\n".join(lines) + "\n"
