"""`essaim validate --changed [--base REF]`: only the cards changed since REF, cross-card rules still whole."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CONTENT
from essaim.cli.main import main


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@exemple.fr",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@exemple.fr"}
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def card(example: str, title: str, carrier: str, extra_body: str = "") -> str:
    text = example.replace("titre: En route pour ma santé", f"titre: {title} (Poitiers)")
    text = text.replace("nom: Centre Communal d'Action Sociale (CCAS) de Poitiers", f"nom: {carrier}")
    return text.replace("## Objectifs\n", f"## Objectifs\n\n{extra_body}\n" if extra_body else "## Objectifs\n")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch, example_text) -> Path:
    """A git repository: a base commit on main, then a branch with committed, staged, unstaged and new files."""
    root = tmp_path / "depot"
    content = root / "content"
    shutil.copytree(CONTENT / "sources", content / "sources")
    actions = content / "actions"
    actions.mkdir()
    files = {
        "a-modifiee.md": card(example_text, "Action A modifiée ensuite", "Porteur A"),
        "b-invalide-avant.md": card(example_text, "Action B déjà invalide", "Porteur B", "Voir [x](absente.md)."),
        "d-supprimee.md": card(example_text, "Action D supprimée ensuite", "Porteur D"),
        "e-lien-vers-d.md": card(example_text, "Action E qui cite D", "Porteur E", "Voir [D](d-supprimee.md)."),
        "g-modifiee-sans-commit.md": card(example_text, "Action G modifiée sans commit", "Porteur G"),
    }
    for name, text in files.items():
        (actions / name).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "switch", "-q", "-c", "proposition")
    a = actions / "a-modifiee.md"
    a.write_text(a.read_text(encoding="utf-8").replace("themes: [acces_aux_droits,", "themes: [acces_aux_droit,"),
                 encoding="utf-8")
    (actions / "d-supprimee.md").unlink()
    git(root, "commit", "-q", "-am", "branche")
    g = actions / "g-modifiee-sans-commit.md"
    g.write_text(g.read_text(encoding="utf-8").replace("statut: en_cours", "statut: fini"), encoding="utf-8")
    (actions / "c-nouvelle.md").write_text(card(example_text, "Action E qui cite D !", "Porteur E"), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def validate_json(capsys, *extra: str) -> tuple[int, list[dict]]:
    code = main(["validate", "--format", "json", *extra])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else []


def test_only_changed_files_and_what_they_break_are_reported(repo, capsys):
    code, diagnostics = validate_json(capsys, "--changed", "--base", "main")
    found = {(d["path"], d["code"]) for d in diagnostics}
    assert code == 1
    assert found == {
        ("content/actions/a-modifiee.md", "valeur-inconnue"),  # committed on the branch
        ("content/actions/c-nouvelle.md", "doublon-probable"),  # untracked new card, duplicate of an unchanged one
        ("content/actions/g-modifiee-sans-commit.md", "valeur-inconnue"),  # modified, not committed
        ("content/actions/e-lien-vers-d.md", "lien-casse"),  # unchanged, but its link target was deleted
    }
    # The card already broken at the base, and untouched, is not reported.
    code, everything = validate_json(capsys)
    assert ("content/actions/b-invalide-avant.md", "lien-casse") in {(d["path"], d["code"]) for d in everything}


def test_github_annotations_point_at_the_changed_lines(repo, capsys):
    assert main(["validate", "--changed", "--base", "main", "--format", "github"]) == 1
    out = capsys.readouterr().out.splitlines()
    text = (repo / "content/actions/a-modifiee.md").read_text(encoding="utf-8").split("\n")
    line = next(i for i, row in enumerate(text, 1) if row.startswith("themes:"))
    assert f"::error file=content/actions/a-modifiee.md,line={line},col=10,title=valeur-inconnue::" \
           "valeur inconnue « acces_aux_droit » dans le vocabulaire « themes » — conseil : vouliez-vous dire " \
           "« acces_aux_droits » ?" in out
    assert all(row.startswith("::error file=content/actions/") for row in out)
    assert not any("b-invalide-avant" in row for row in out)


def test_default_base_is_main_when_there_is_no_origin(repo, capsys):
    code, diagnostics = validate_json(capsys, "--changed")
    assert code == 1 and {d["path"] for d in diagnostics} >= {"content/actions/c-nouvelle.md",
                                                              "content/actions/g-modifiee-sans-commit.md"}


def test_origin_main_is_preferred(repo, capsys):
    git(repo, "update-ref", "refs/remotes/origin/main", "proposition")  # as if the branch were already merged
    git(repo, "stash", "-u", "-q")
    code, diagnostics = validate_json(capsys, "--changed")
    assert code == 0 and diagnostics == []
    assert "0 fichier(s) vérifié(s) : aucune erreur" in main_stderr(capsys, "--changed")


def main_stderr(capsys, *extra: str) -> str:
    main(["validate", *extra])
    return capsys.readouterr().err


def test_changed_combined_with_paths_keeps_the_intersection(repo, capsys):
    code, diagnostics = validate_json(capsys, "--changed", "--base", "main", "content/actions/g-modifiee-sans-commit.md",
                                      "content/actions/b-invalide-avant.md")
    assert code == 1 and {d["path"] for d in diagnostics} == {"content/actions/g-modifiee-sans-commit.md"}


def test_deleted_source_reports_cards_citing_it(repo, capsys):
    git(repo, "stash", "-u", "-q")
    (repo / "content/sources/fts-inspir-actions-acces-aux-soins-2023.yaml").unlink()
    code, diagnostics = validate_json(capsys, "--changed", "--base", "proposition")
    assert code == 1 and {d["code"] for d in diagnostics} == {"source-inconnue"}


def test_unknown_reference_is_a_french_error(repo, capsys):
    assert main(["validate", "--changed", "--base", "origin/nexiste-pas"]) == 2
    err = capsys.readouterr().err
    assert "la référence git « origin/nexiste-pas » est introuvable" in err and "fetch-depth: 0" in err


def test_option_like_reference_is_refused(repo, capsys):
    assert main(["validate", "--changed", "--base=--output=/tmp/x"]) == 2
    assert "introuvable" in capsys.readouterr().err


def test_no_main_and_no_base(repo, capsys):
    git(repo, "branch", "-q", "-m", "main", "ancienne")
    assert main(["validate", "--changed"]) == 2
    assert "donnez la référence de départ avec --base" in capsys.readouterr().err


def test_outside_a_git_repository(content, capsys):
    assert main(["--content", str(content), "validate", "--changed"]) == 2
    assert "n'est pas dans un dépôt git" in capsys.readouterr().err


def test_without_git(repo, capsys, monkeypatch, tmp_path):
    empty = tmp_path / "sans-git"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert main(["validate", "--changed"]) == 2
    assert "git est introuvable" in capsys.readouterr().err


def test_command_line_and_speed_on_the_real_content(tmp_path, example_text):
    """The whole real content is loaded, yet one changed card is checked in a few seconds."""
    root = tmp_path / "reel"
    shutil.copytree(CONTENT, root / "content")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    (root / "content/actions/nouvelle-fiche-de-test.md").write_text(
        card(example_text, "Une fiche toute neuve", "Porteur neuf"), encoding="utf-8")
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "essaim", "validate", "--changed"], cwd=root,
                            capture_output=True, text=True)
    elapsed = time.monotonic() - start
    assert "1 fichier(s) vérifié(s)" in result.stderr, result.stderr
    assert elapsed < 15, elapsed
    assert result.returncode == 0 and result.stdout == "", result.stdout  # the new card is valid, nothing reported


GUIDE = """---
titre: Guide de la médiation
resume: Un guide pratique sur la médiation en santé, pour les porteurs de projet.
themes: [mediation_en_sante]
sources:
  - document: fts-inspir-actions-acces-aux-soins-2023
mise_a_jour: "2024-01"
---

Texte du guide.
"""


def test_new_card_taking_the_id_of_an_unchanged_guide(repo, capsys):
    """The id clash is reported on the (unchanged) guide, naming the new card: it is still shown."""
    git(repo, "stash", "-u", "-q")
    (repo / "content" / "guides").mkdir()
    (repo / "content" / "guides" / "mediation.md").write_text(GUIDE, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "guide")
    shutil.copy(repo / "content" / "actions" / "g-modifiee-sans-commit.md", repo / "content" / "actions" / "mediation.md")
    code, diagnostics = validate_json(capsys, "--changed", "--base", "HEAD")
    found = {(d["path"], d["code"]) for d in diagnostics}
    assert code == 1 and ("content/guides/mediation.md", "id-duplique") in found
    assert all(path in ("content/guides/mediation.md", "content/actions/mediation.md") for path, _ in found)
