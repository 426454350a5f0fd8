"""The essaim command as editors and scripts use it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import CONTENT, EXAMPLE_TITLE, run_validate
from essaim.cli.main import main


def test_help_is_in_french():
    result = subprocess.run([sys.executable, "-m", "essaim", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "usage : essaim" in result.stdout and "affiche cette aide" in result.stdout


def test_list_json_gives_completeness(content, capsys):
    assert main(["--content", str(content), "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{
        "id": "en-route-pour-ma-sante-poitiers", "titre": EXAMPLE_TITLE,
        "porteur": "Centre Communal d'Action Sociale (CCAS) de Poitiers", "level": "complete",
        "missing": [], "path": "content/actions/en-route-pour-ma-sante-poitiers.md"}]


def test_new_from_flags_writes_a_valid_stub(content, capsys):
    code = main(["--content", str(content), "new", "--no-input", "--titre", "Bus santé des villages de Brest",
                 "--porteur", "Association Exemple", "--type-porteur", "association", "--departement", "finistère",
                 "--commune", "Brest", "--echelle", "commune", "--theme", "unite mobile, Médiation en santé",
                 "--public", "QPV", "--source", "fts-inspir-actions-acces-aux-soins-2023"])
    out = capsys.readouterr().out
    assert code == 0, out
    card = content / "actions" / "bus-sante-des-villages-de-brest.md"
    text = card.read_text(encoding="utf-8")
    assert 'departements: [\'29\']' in text and "insee: '29019'" in text and "regions: ['53']" in text
    assert "themes: [unite_mobile, mediation_en_sante]" in text and "publics: [habitants_qpv]" in text
    exit_code, diagnostics = run_validate(content, capsys, str(card))
    assert exit_code == 0 and diagnostics == []
    assert main(["--content", str(content), "list", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["bus-sante-des-villages-de-brest"]["level"] == "ebauche"


def test_new_without_input_names_what_is_missing(content, capsys):
    assert main(["--content", str(content), "new", "--no-input", "--titre", "Une action"]) == 2
    assert "--porteur manque" in capsys.readouterr().err


@pytest.mark.parametrize("commune, departement, written", [("Saint-Denis", None, None), ("Saint-Denis", "93", "93066"),
                                                          ("Saint-Denis (974)", None, "97411")])
def test_new_never_guesses_a_commune_shared_by_several(content, capsys, commune, departement, written):
    """« Saint-Denis » is four communes: without a département, the candidates are listed and nothing is written."""
    options = ["--departement", departement] if departement else []
    code = main(["--content", str(content), "new", "--no-input", "--titre", "Médiation santé à Saint-Denis",
                 "--porteur", "Association Exemple", "--type-porteur", "association", "--commune", commune,
                 "--echelle", "commune", "--theme", "mediation_en_sante", "--public", "QPV",
                 "--source", "fts-inspir-actions-acces-aux-soins-2023", *options])
    captured = capsys.readouterr()
    card = content / "actions" / "mediation-sante-a-saint-denis.md"
    if written is None:
        assert code == 2 and "« Saint-Denis » désigne 4 communes" in captured.err
        for candidate in ("« Saint-Denis (93) » (Seine-Saint-Denis, code 93066)", "« Saint-Denis (11) » (Aude, code 11339)",
                          "« Saint-Denis (30) » (Gard, code 30247)", "« Saint-Denis (974) » (La Réunion, code 97411)"):
            assert candidate in captured.err
        assert not card.exists()
    else:
        assert code == 0 and f"insee: '{written}'" in card.read_text(encoding="utf-8")


def test_new_rejects_unknown_vocabulary_with_a_suggestion(content, capsys):
    code = main(["--content", str(content), "new", "--no-input", "--titre", "Une action", "--porteur", "X",
                 "--type-porteur", "assocation", "--echelle", "commune", "--theme", "x", "--public", "x",
                 "--source", "s"])
    assert code == 2 and "vouliez-vous dire « association »" in capsys.readouterr().err


def test_new_asks_questions_in_a_terminal(content, capsys, monkeypatch):
    answers = iter(["Point santé du marché", "CCAS de Brest", "ccas", "", "29", "Brest", "commune",
                    "accès aux droits", "personnes_precaires", "fts-inspir-actions-acces-aux-soins-2023"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    assert main(["--content", str(content), "new"]) == 0
    assert (content / "actions" / "point-sante-du-marche.md").exists()


@pytest.mark.content
def test_validate_exit_codes_on_real_content(capsys, monkeypatch):
    monkeypatch.chdir(CONTENT.parent)
    code, diagnostics = run_validate(CONTENT, capsys)
    errors = [d for d in diagnostics if d["severity"] == "erreur"]
    assert code == 0 and errors == []


def test_no_traceback_on_a_directory_given_as_file(content, capsys):
    (content / "actions" / "dossier.md").mkdir()
    exit_code, diagnostics = run_validate(content, capsys)
    assert exit_code == 1 and diagnostics[0]["code"] == "fichier-special"  # not a regular file: not read


def test_commands_that_never_search_do_not_load_the_search_engine():
    """whoosh is imported by index, search and build only: every other command starts faster."""
    probe = ("import sys; from essaim.cli.main import parser, main; parser(); "
             "main(['--content', sys.argv[1], 'validate']); print('whoosh' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe, str(CONTENT)], capture_output=True, text=True,
                          cwd=CONTENT.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "False"


SEARCH_NEVER_IMPORTS = ("pydantic", "email_validator", "phonenumbers", "essaim.model.card", "essaim.pipeline.catalog",
                        "yaml", "essaim.text.yamlreader", "markdown", "markdown_it", "mkdocs")


def test_search_does_not_load_the_card_model(tmp_path):
    """`essaim search` imports what searching needs: not pydantic, email-validator, phonenumbers, the card model,
    YAML nor Markdown (labels of the suggested filters come from the index, not from the vocabularies)."""
    probe = ("import sys; from essaim.cli.main import main; main(['--content', sys.argv[1], 'search', 'médiation', "
             "'--index', sys.argv[2], '--json']); print(sorted(m for m in sys.argv[3].split() if m in sys.modules))")
    index = tmp_path / "index"
    subprocess.run([sys.executable, "-m", "essaim", "--content", str(CONTENT), "index", "--index", str(index)],
                   check=True, capture_output=True, cwd=CONTENT.parent)
    done = subprocess.run([sys.executable, "-c", probe, str(CONTENT), str(index), " ".join(SEARCH_NEVER_IMPORTS)],
                          capture_output=True, text=True, cwd=CONTENT.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    output = json.loads(done.stdout[:done.stdout.rindex("\n[")])
    assert output["total"] > 0 and output["suggestions"] and all(s["label"] for s in output["suggestions"])
    assert done.stdout.strip().splitlines()[-1] == "[]"
