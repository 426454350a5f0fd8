"""The card template of `essaim new`, written from the model's fields and examples."""

from __future__ import annotations

import yaml
from pydantic import BaseModel

from essaim.pipeline.messages import inner_model
from essaim.model.card import CARD_SECTIONS, SILENT_TEXT, CardMeta

SCHEMA_COMMENT = "# yaml-language-server: $schema=../../schemas/fiche-action.schema.json"


def example_values(model: type[BaseModel] = CardMeta) -> dict:
    """Front matter built from the model's examples (required fields and those with an example)."""
    values = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        sub = inner_model(info.annotation)
        if info.examples:
            values[key] = info.examples[0]
        elif sub is not None and not _is_list(info.annotation):
            values[key] = example_values(sub)
        elif info.is_required():
            raise ValueError(f"le champ obligatoire {key} n'a pas d'exemple dans le modèle")
    return values


def _is_list(annotation) -> bool:
    return "list" in str(annotation)


def _scalar(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10_000).strip().removesuffix("\n...").removesuffix("...").strip()


def front_matter(values: dict, model: type[BaseModel] = CardMeta, indent: str = "") -> list[str]:
    """YAML lines for values, each key preceded by its description from the model."""
    lines = []
    fields = {info.alias or name: info for name, info in model.model_fields.items()}
    for key, value in values.items():
        info = fields[key]
        if info.description:
            lines.append(f"{indent}# {info.description}")
        sub = inner_model(info.annotation)
        if isinstance(value, dict) and not value:
            lines.append(f"{indent}{key}: {{}}")
        elif isinstance(value, dict) and sub is not None:
            lines.append(f"{indent}{key}:")
            lines += front_matter(value, sub, indent + "  ")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{indent}{key}:")
            for item in value:
                pairs = [f"{k}: {_scalar(v)}" for k, v in item.items()]
                lines.append(f"{indent}  - {pairs[0]}")
                lines += [f"{indent}    {pair}" for pair in pairs[1:]]
        else:
            lines.append(f"{indent}{key}: {_scalar(value)}")
    return lines


def card_text(values: dict, sections: dict[str, str] | None = None) -> str:
    """A whole card: front matter, then every section (filled, or holding the standard silent line)."""
    sections = sections or {}
    parts = ["---", SCHEMA_COMMENT, *front_matter(values), "---", ""]
    for section in CARD_SECTIONS:
        text = sections.get(section.key) or SILENT_TEXT
        parts += [f"## {section.heading}", "", text.strip(), ""]
    return "\n".join(parts)


def template_text() -> str:
    return card_text(example_values())
