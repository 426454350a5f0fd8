"""The schema, template and field reference come from the model and stay in step with it."""

from __future__ import annotations

import jsonschema
import pydantic
import pytest

from conftest import CONTENT, ROOT
from essaim.pipeline import load
from essaim.derived import derived_files
from essaim.model.card import CardMeta
from essaim.derived.schema import json_schema
from essaim.derived.template import example_values, template_text
from essaim.model.vocabularies import vocabulary


@pytest.mark.parametrize("path", sorted(derived_files(ROOT)), ids=lambda p: p.name)
def test_committed_derived_files_are_up_to_date(path):
    expected = derived_files(ROOT)[path]
    assert path.exists(), f"{path} absent : lancez « essaim schema »"
    assert path.read_text(encoding="utf-8") == expected, f"{path} a dérivé du modèle : lancez « essaim schema »"


def _all_aliases(model, prefix=""):
    from essaim.pipeline.messages import inner_model

    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        yield key
        sub = inner_model(info.annotation)
        if sub is not None:
            yield from _all_aliases(sub, key + ".")


def test_every_model_field_is_in_the_reference_and_the_schema():
    reference = derived_files(ROOT)[ROOT / "docs" / "reference-des-champs.md"]
    schema_text = str(json_schema("fiche-action"))
    for key in _all_aliases(CardMeta):
        assert f"`{key}`" in reference.replace("[].", "."), key
        assert repr(key.rsplit(".", 1)[-1]) in schema_text, key


def test_template_is_a_valid_card_with_every_top_level_field(tmp_path):
    path = tmp_path / "actions" / "modele.md"
    path.parent.mkdir()
    path.write_text(template_text(), encoding="utf-8")
    document = load.read(path, "card")
    CardMeta.model_validate(document.data)
    assert set(example_values()) >= {f.alias or n for n, f in CardMeta.model_fields.items() if f.is_required()}


def test_schema_lists_the_vocabularies():
    schema = json_schema("fiche-action")
    themes = schema["properties"]["themes"]["items"]
    assert themes["enum"] == vocabulary("themes").ids()


def real_cards():
    return sorted((CONTENT / "actions").glob("*.md"))


@pytest.mark.parametrize("path", real_cards(), ids=lambda p: p.stem)
def test_json_schema_accepts_every_real_card(path):
    jsonschema.validate(load.read(path, "card").data, json_schema("fiche-action"))


def test_json_schema_and_model_reject_the_same_mistakes(tmp_path):
    data = load.read(real_cards()[0], "card").data
    for field, broken in (("statut", {**data, "statut": "fini"}), ("inconnu", {**data, "inconnu": 1}),
                          ("themes", {**data, "themes": []})):
        with pytest.raises(jsonschema.ValidationError) as by_schema:
            jsonschema.validate(broken, json_schema("fiche-action"))
        assert field in (list(by_schema.value.path)[:1] or [by_schema.value.message.split("'")[1]]), by_schema.value
        with pytest.raises(pydantic.ValidationError) as by_model:
            CardMeta.model_validate(broken)
        assert [error["loc"][0] for error in by_model.value.errors()] == [field]
