"""One vocabulary lookup (essaim.model.vocabularies.find_term) for every command that takes a term.

- A term may be written by its id, its label or a synonym; case and accents do not count:
  « mediation_en_sante », « Médiation en santé », « médiatrice santé ».
- A value that is none of them is refused with the nearest term: « vouliez-vous dire « mediation_en_sante » ? ».
- `essaim new`, `essaim search` and the validator give the same suggestion for the same mistake.
"""

from __future__ import annotations

import pytest

from essaim.cli.main import main
from essaim.model.vocabularies import UnknownTerm, find_term, nearest

MISTYPED = "mediaton en sante"


@pytest.mark.parametrize("written", ["mediation_en_sante", "Médiation en santé", "MEDIATRICE SANTE"])
def test_a_term_by_id_label_or_synonym(written):
    assert find_term("themes", written) == "mediation_en_sante"


def test_an_unknown_value_suggests_the_nearest_term():
    with pytest.raises(UnknownTerm) as refused:
        find_term("themes", MISTYPED)
    assert refused.value.suggestion == "mediation_en_sante"
    assert str(refused.value) == (f"« {MISTYPED} » n'est pas dans le vocabulaire « themes » ; "
                                  "vouliez-vous dire « mediation_en_sante » ?")
    assert nearest("Problématique", ["Problématique et contexte", "Résultats"], cutoff=0.5) == "Problématique et contexte"
    assert nearest("zzz", ["Résultats"]) is None


def test_new_search_and_validate_give_the_same_suggestion(content, capsys, example_text):
    suggestion = "vouliez-vous dire « mediation_en_sante » ?"
    code = main(["--content", str(content), "new", "--no-input", "--titre", "Une action", "--porteur", "X",
                 "--type-porteur", "association", "--echelle", "commune", "--theme", MISTYPED, "--public", "QPV",
                 "--source", "s"])
    assert code == 2 and suggestion in capsys.readouterr().err
    code = main(["--content", str(content), "search", "--theme", MISTYPED])
    assert code == 2 and suggestion in capsys.readouterr().err
    card = content / "actions" / "en-route-pour-ma-sante-poitiers.md"
    card.write_text(example_text.replace("themes: [acces_aux_droits,", "themes: [mediaton_en_sante,", 1), encoding="utf-8")
    code = main(["--content", str(content), "validate", "--format", "json"])
    assert code == 1 and suggestion in capsys.readouterr().out
