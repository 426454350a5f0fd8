"""The transferability facts (transfert): in the model, the validator, the helper and the open data."""

from __future__ import annotations

import csv
import io
import json

from conftest import EXAMPLE_CARD, ROOT, run_validate
from essaim.pipeline.catalog import open_catalog, transfer_facts
from essaim.model.card import Transfer
from essaim.site import Site
from essaim.site.exports import COLUMNS, actions_csv, actions_json

BLOCK = """transfert:
  budget: "120 000 € en 2021, pour deux médiatrices et le local"
  moyens_humains: 2 médiatrices en santé (2 ETP)
  prerequis: [un local au cœur du quartier, "une convention avec la CPAM"]
mise_a_jour:"""


def test_a_card_with_a_transfert_block_is_valid(content, capsys, example_text):
    (content / "actions" / EXAMPLE_CARD.name).write_text(example_text.replace("mise_a_jour:", BLOCK, 1), "utf-8")
    code, diagnostics = run_validate(content, capsys)
    assert code == 0, diagnostics


def test_unknown_key_and_wrong_type_in_transfert_are_located(content, capsys, example_text):
    block = BLOCK.replace("  moyens_humains:", "  cout: 3 €\n  moyens_humains:").replace(
        "prerequis: [un local au cœur du quartier, \"une convention avec la CPAM\"]", "prerequis: un local")
    text = example_text.replace("mise_a_jour:", block, 1)
    (content / "actions" / EXAMPLE_CARD.name).write_text(text, "utf-8")
    code, diagnostics = run_validate(content, capsys)
    lines = text.split("\n")
    found = {d["code"]: d for d in diagnostics}
    assert code == 1
    assert found["champ-inconnu"]["line"] == lines.index("  cout: 3 €") + 1
    assert "budget" in found["champ-inconnu"]["hint"]
    assert found["type-invalide"]["line"] == lines.index("  prerequis: un local") + 1


def test_transfer_facts_labels_values_in_order():
    catalog, _ = open_catalog(ROOT / "content")
    card = catalog.cards[0]
    assert transfer_facts(card.meta.model_copy(update={"transfer": None})) == []
    transfer = Transfer.model_validate({"prerequis": ["un local", "un partenariat CPAM"], "delai": "6 mois",
                                        "budget": "45 000 € (2022)"})
    card.meta = card.meta.model_copy(update={"transfer": transfer})
    assert transfer_facts(card) == [("Budget", "45 000 € (2022)"), ("Délai de mise en place", "6 mois"),
                                    ("Prérequis", "un local ; un partenariat CPAM")]
    assert transfer_facts(card.meta) == transfer_facts(card)


def test_open_data_exports_carry_the_transfer_facts():
    catalog, _ = open_catalog(ROOT / "content")
    with_facts, without = catalog.cards[0], catalog.cards[1]
    with_facts.meta = with_facts.meta.model_copy(update={"transfer": Transfer.model_validate(
        {"moyens_humains": "1 médiatrice (0,8 ETP)", "prerequis": ["un local", "une convention"]})})
    without.meta = without.meta.model_copy(update={"transfer": None})
    site = Site(catalog)
    records = {a["id"]: a for a in json.loads(actions_json(site))["actions"]}
    assert records[with_facts.id]["transfert"] == {"moyens_humains": "1 médiatrice (0,8 ETP)",
                                                    "prerequis": ["un local", "une convention"]}
    assert records[without.id]["transfert"] == {}
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(actions_csv(site)))}
    assert list(rows[with_facts.id]) == list(COLUMNS)
    assert rows[with_facts.id]["transfert_moyens_humains"] == "1 médiatrice (0,8 ETP)"
    assert rows[with_facts.id]["transfert_prerequis"] == "un local | une convention"
    assert rows[with_facts.id]["transfert_budget"] == rows[without.id]["transfert_prerequis"] == ""
