"""Shared fixtures: a throw-away content folder seeded with real content."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from essaim.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
# A frozen copy of a real card (content/actions/en-route-pour-ma-sante-poitiers.md as of 2026-12): the tests edit
# its text by search and replace, so it must not change when editors rework the real card. Its title names no
# place: validating it gives one « titre-sans-lieu » warning.
EXAMPLE_CARD = ROOT / "tests" / "data" / "fiche-exemple" / "en-route-pour-ma-sante-poitiers.md"
# The example card's title as editors wrote it: tests that need "the same title" read it here, so that rewording
# the card does not break them.
EXAMPLE_TITLE = next(line for line in EXAMPLE_CARD.read_text(encoding="utf-8").splitlines()
                     if line.startswith("titre:")).removeprefix("titre:").strip().strip('"')


@pytest.fixture
def content(tmp_path: Path, monkeypatch) -> Path:
    """A content folder with the real sources and one real card, cwd set beside it."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "sources", root / "sources")
    (root / "actions").mkdir()
    (root / "guides").mkdir()
    shutil.copy(EXAMPLE_CARD, root / "actions" / EXAMPLE_CARD.name)
    monkeypatch.chdir(tmp_path)
    return root


@pytest.fixture
def example_text() -> str:
    return EXAMPLE_CARD.read_text(encoding="utf-8")


def run_validate(content: Path, capsys, *extra: str) -> tuple[int, list[dict]]:
    """Run `essaim validate --format json` and return (exit code, diagnostics)."""
    code = main(["--content", str(content), "validate", "--format", "json", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else []
