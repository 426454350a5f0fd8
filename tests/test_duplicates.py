"""One duplicate detector (essaim.pipeline.duplicates) for the validator and for `essaim from-issue`.

- Texts are compared folded: case, accents and hyphens do not count, nor does the order of the words.
- Two cards of the content are a probable duplicate when they have the same carrier and titles at 85 %.
- A proposal is probably an existing card when it has its id, a title at 85 % or a summary at 90 %, or, with the
  same carrier, a title at 60 % or a summary at 70 %; another card of the same carrier is worth a look.
"""

from __future__ import annotations

from essaim.pipeline.duplicates import closeness, likeness

CARD = {"id": "bus-sante-brest", "carrier": "Association Brest Santé", "title": "Bus santé dans les quartiers de Brest",
        "summary": "Un bus va au-devant des habitants des quartiers prioritaires pour des consultations."}


def test_folding_and_word_order_do_not_count():
    assert closeness("Bus santé à Brest", "BUS SANTE A BREST") == 1.0
    assert closeness("Bus santé à Brest", "à Brest bus santé") == 1.0
    assert closeness("", "Bus santé") == 0.0


def test_same_carrier_and_close_titles_make_a_duplicate_card():
    twin = {**CARD, "id": "autre", "title": "Le bus santé dans les quartiers de Brest"}
    assert likeness(CARD, twin).duplicate
    assert not likeness(CARD, {**twin, "carrier": "CCAS de Brest"}).duplicate
    assert not likeness(CARD, {**twin, "title": "Permanence d'accès aux droits à Brest"}).duplicate


def test_a_proposal_close_to_a_card_is_probably_the_same_action():
    same_carrier = {"id": "x", "carrier": CARD["carrier"], "title": "Bus santé de Brest", "summary": ""}
    assert likeness(same_carrier, CARD).strong and "même structure porteuse" in likeness(same_carrier, CARD).reasons
    copied_summary = {"id": "y", "carrier": "Autre", "title": "Autre chose", "summary": CARD["summary"]}
    assert likeness(copied_summary, CARD).strong and "résumé proche à 100 %" in likeness(copied_summary, CARD).reasons
    neighbour = {"id": "z", "carrier": CARD["carrier"], "title": "Permanence d'accès aux droits", "summary": ""}
    assert not likeness(neighbour, CARD).strong and likeness(neighbour, CARD).same_carrier  # worth a look only
    assert likeness({"id": CARD["id"]}, CARD).strong  # the same id
