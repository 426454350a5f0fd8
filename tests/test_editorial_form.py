"""The issue form « Proposer une action » is generated from the model and the vocabularies, and read back."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import ROOT
from essaim.derived import derived_files
from essaim.derived.issue_form import (FORM_FIELDS, FORM_PATH, NO_RESPONSE, RESERVED_OPTIONS, issue_form_text,
                               parse_issue_body, render_issue_body)
from essaim.model.card import CARD_SECTIONS, CardMeta
from essaim.model.vocabularies import vocabulary

FORM_FILE = ROOT.joinpath(*FORM_PATH)


@pytest.fixture(scope="module")
def form() -> dict:
    return yaml.safe_load(FORM_FILE.read_text(encoding="utf-8"))


def elements(form):
    return [e for e in form["body"] if e["type"] != "markdown"]


def test_committed_form_is_the_generated_one():
    assert FORM_FILE in derived_files(ROOT), "le formulaire doit être un fichier dérivé (essaim schema)"
    assert FORM_FILE.read_text(encoding="utf-8") == issue_form_text(), "formulaire périmé : lancez « essaim schema »"


def test_form_follows_github_form_schema(form):
    assert set(form) >= {"name", "description", "body"}
    assert form["labels"] == ["proposition"]
    ids, labels = [], []
    for element in form["body"]:
        assert element["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        if element["type"] == "markdown":
            assert element["attributes"]["value"].strip()
            continue
        ids.append(element["id"])
        labels.append(element["attributes"]["label"])
        assert re.fullmatch(r"[A-Za-z0-9_-]+", element["id"]), element["id"]
        assert set(element.get("validations", {})) <= {"required"}
        if element["type"] in ("dropdown", "checkboxes"):
            options = element["attributes"]["options"]
            names = [o["label"] if isinstance(o, dict) else o for o in options]
            assert names and len(names) == len(set(names)), element["id"]
            assert not {n.lower() for n in names} & RESERVED_OPTIONS
            assert all(isinstance(n, str) and n.strip() for n in names)
    assert len(ids) == len(set(ids)) and len(labels) == len(set(labels))


def test_drop_downs_and_check_boxes_list_the_vocabularies(form):
    by_id = {e["id"]: e for e in elements(form)}
    for name, element_id in (("porteurs", "type-porteur"), ("echelles", "echelle"), ("statuts", "statut")):
        assert by_id[element_id]["type"] == "dropdown"
        assert by_id[element_id]["attributes"]["options"] == [t.label for t in vocabulary(name).terms]
    for name, element_id in (("publics", "publics"), ("territoires", "types-territoire"), ("cadres", "cadres")):
        assert by_id[element_id]["type"] == "checkboxes"
        assert [o["label"] for o in by_id[element_id]["attributes"]["options"]] == [
            t.label for t in vocabulary(name).terms]
    # Themes come in one list per family; together, every theme exactly once.
    theme_lists = [e for e in elements(form) if e["id"].startswith("themes-")]
    assert [e["id"] for e in theme_lists] == [f"themes-{f.id}" for f in vocabulary("familles").terms]
    listed = [o["label"] for e in theme_lists for o in e["attributes"]["options"]]
    assert sorted(listed) == sorted(t.label for t in vocabulary("themes").terms)
    for element in theme_lists:
        family = element["id"].removeprefix("themes-")
        assert {o["label"] for o in element["attributes"]["options"]} == {
            t.label for t in vocabulary("themes").terms if t.family == family}


def test_form_mirrors_the_card():
    targets = {f.target.split(".")[0] for f in FORM_FIELDS}
    automatic = {"sources", "mise_a_jour"}  # filled by essaim from-issue
    required = {info.alias or name for name, info in CardMeta.model_fields.items() if info.is_required()}
    assert required - automatic <= targets
    assert {f"section:{s.key}" for s in CARD_SECTIONS} <= {f.target for f in FORM_FIELDS}
    headings = {f.label for f in FORM_FIELDS if f.target.startswith("section:")}
    assert headings == {s.heading for s in CARD_SECTIONS}
    consents = next(e for e in FORM_FIELDS if e.id == "engagements")
    assert consents.required_options and len(consents.options) == 3


def test_body_round_trip():
    answers = {"titre": "Un titre", "resume": "Deux lignes\nde résumé", "type-porteur": "CCAS",
               "publics": ["Femmes", "Tout public"], "section-problem": "### Un sous-titre\n\nDu texte."}
    parsed = parse_issue_body(render_issue_body(answers))
    assert parsed.found == len(FORM_FIELDS)
    assert parsed.values["titre"] == "Un titre" and parsed.values["resume"] == "Deux lignes\nde résumé"
    assert parsed.values["type-porteur"] == "CCAS" and parsed.values["communes"] == ""
    assert parsed.checked["publics"] == ["Tout public", "Femmes"]
    assert parsed.values["section-problem"] == "### Un sous-titre\n\nDu texte."


def test_body_with_windows_line_ends_and_lower_case_ticks():
    body = render_issue_body({"titre": "Un titre", "publics": ["Femmes"]}).replace("[X]", "[x]").replace("\n", "\r\n")
    parsed = parse_issue_body(body)
    assert parsed.values["titre"] == "Un titre" and parsed.checked["publics"] == ["Femmes"]


def test_a_heading_typed_in_an_answer_cannot_replace_an_earlier_answer():
    body = render_issue_body({"titre": "Vrai titre", "section-resources": "### Titre de l'action\n\nFaux titre"})
    parsed = parse_issue_body(body)
    assert parsed.values["titre"] == "Vrai titre"
    assert "Faux titre" in parsed.values["section-resources"]


def test_no_response_means_empty():
    parsed = parse_issue_body(f"### Titre de l'action\n\n{NO_RESPONSE}\n")
    assert parsed.values["titre"] == "" and parsed.found == 1
