"""The hostile corpus (tests/data/hostile) through every command an attacker reaches, each within a time budget.

tests/data/hostile/fiches/ holds cards written as a pull request could bring them (split and entity-encoded
links, runs of brackets, nested lists, impossible dates, invisible characters, a huge carrier name, contact
details in free text, a title written as a spreadsheet formula); tests/data/hostile/liens.md the link tricks;
tests/data/editorial/proposition-malveillante.md a hostile proposal. Every command runs in a child process,
killed past its budget (subprocess timeout): a slow path fails the test instead of stalling CI.
Clicks in Chromium on the built hostile links: tests/browser/test_site_browser.py.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "data" / "hostile"
CARDS = sorted((HOSTILE / "fiches").glob("*.md"))
VALID = {"titre-formule"}  # accepted by the validator: its danger is for spreadsheets (checked in the CSV)
ANNOTATION = re.compile(r"::(error|warning) file=[^,:\n]*,line=\d+,col=\d+,title=[a-z-]+::[^\n]*")


def essaim(*args: str, budget: float, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "essaim", *args], capture_output=True, text=True, timeout=budget,
                          cwd=cwd, input=stdin, env={**os.environ, "PYTHONPATH": str(ROOT / "tools")})


@pytest.fixture
def hostile_content(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "sources", content / "sources")
    (content / "actions").mkdir()
    (content / "guides").mkdir()
    for card in CARDS:
        shutil.copy(card, content / "actions" / card.name)
    (content / "actions" / "zero.md").symlink_to("/dev/zero")
    (content / "actions" / "x\n::stop-commands::jeton\n::error file=faux.md::forge.md").write_text(
        CARDS[0].read_text(encoding="utf-8"), encoding="utf-8")
    return content


def test_corpus_is_there():
    assert len(CARDS) >= 15 and len((HOSTILE / "liens.md").read_text(encoding="utf-8").split("\n=====\n")) >= 10


def test_validate_refuses_every_hostile_card_in_github_format(hostile_content):
    result = essaim("--content", str(hostile_content), "validate", "--format", "github", budget=30,
                    cwd=hostile_content.parent)
    lines = result.stdout.splitlines()
    assert result.returncode == 1 and lines
    assert all(ANNOTATION.fullmatch(line) for line in lines), [line for line in lines if not ANNOTATION.fullmatch(line)]
    flagged = {re.search(r"file=content/actions/([^,]*)\.md,", line).group(1) for line in lines
               if line.startswith("::error") and "file=content/actions/" in line and ".md," in line}
    assert {card.stem for card in CARDS} - VALID <= flagged, sorted({card.stem for card in CARDS} - VALID - flagged)
    assert not flagged & VALID
    assert any("lien-symbolique" in line for line in lines)


def test_report_reads_the_corpus(hostile_content):
    result = essaim("--content", str(hostile_content), "report", budget=30, cwd=hostile_content.parent)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("words", ["a" * 10_000, "[" * 5000, "=HYPERLINK(", "\u202e santé", "mé" * 3000])
def test_search_is_bounded_and_writes_nothing(hostile_content, words):
    index = hostile_content.parent / "index-absent"
    result = essaim("--content", str(hostile_content), "search", "--index", str(index), words, budget=20,
                    cwd=hostile_content.parent)
    assert result.returncode == 0 and "Traceback" not in result.stderr and not index.exists()


@pytest.mark.parametrize("filler", ["[" * 60000, "[a](" + " " * 60000, "[a](" * 15000, "- " * 3000 + "x",
                                    *(HOSTILE / "liens.md").read_text(encoding="utf-8").split("\n=====\n")])
def test_from_issue_is_bounded_and_keeps_no_unsafe_link(hostile_content, filler):
    from essaim.model import links

    sample = (ROOT / "tests" / "data" / "editorial" / "proposition-bus-sante.md").read_text(encoding="utf-8")
    body = sample.replace("### Résultats\n\n_No response_", "### Résultats\n\n" + filler, 1)
    result = essaim("--content", str(hostile_content), "from-issue", "--preview", "-", budget=20,
                    cwd=hostile_content.parent, stdin=body)
    assert "Traceback" not in result.stderr and "erreur interne" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 0, result.stderr[-2000:]
    assert all(links.scheme(found.target) in links.ALLOWED_SCHEMES for found in links.targets(result.stdout))


def test_from_issue_on_the_hostile_proposal(hostile_content):
    body = (ROOT / "tests" / "data" / "editorial" / "proposition-malveillante.md").read_text(encoding="utf-8")
    result = essaim("--content", str(hostile_content), "from-issue", "--preview", "-", budget=20,
                    cwd=hostile_content.parent, stdin=body)
    assert result.returncode == 0 and "Traceback" not in result.stderr


def test_build_of_the_valid_hostile_card_neutralises_its_formula(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "sources", content / "sources")
    (content / "actions").mkdir()
    (content / "guides").mkdir()
    for name in VALID:
        shutil.copy(HOSTILE / "fiches" / f"{name}.md", content / "actions")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    result = essaim("--content", str(content), "build", budget=180, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "build" / "site" / "donnees" / "actions.csv")
                                           .read_text(encoding="utf-8"), newline="")))
    assert rows[0]["titre"].startswith("'=HYPERLINK(")
    page = (tmp_path / "build" / "site" / "actions" / "titre-formule" / "index.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page
