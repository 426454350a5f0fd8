"""The machine interface: English option names, old French spellings as hidden aliases, the README's command table
written from the parser (docs/decisions.md, « Interface machine »)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT
from essaim.cli.main import main, parser
from essaim.cli.reference import BEGIN, END, readme_block, renamed_options, subcommands

README = (ROOT / "README.md").read_text(encoding="utf-8")
CHANGELOG = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
SAMPLE = ROOT / "tests" / "data" / "editorial" / "proposition-bus-sante.md"


def test_readme_command_table_is_the_parsers():
    """Regenerate with `essaim schema` when this fails: the README's block must be what the parser says."""
    start, end = README.index(BEGIN), README.index(END) + len(END)
    assert README[start:end] == readme_block(parser())


def test_every_command_and_option_is_in_the_table():
    """The table is not a stale copy of a subset: each command and each visible option appears in it."""
    block = readme_block(parser())
    for name, help_text, sub in subcommands(parser()):
        assert f"`essaim {name}" in block and help_text and help_text in block
        for action in sub._actions:
            if action.help != "==SUPPRESS==" and action.option_strings and "-h" not in action.option_strings:
                assert f"`{action.option_strings[0]}" in block, (name, action.option_strings)


def test_option_names_are_english():
    """No visible option is one of the French names renamed in this release."""
    visible = {o for _, _, sub in subcommands(parser()) for a in sub._actions if a.help != "==SUPPRESS=="
               for o in a.option_strings}
    assert visible.isdisjoint(renamed_options(parser()))
    assert {"--like", "--sort", "--preview", "--despite-duplicate", "--comment", "--links", "--timeout", "--sizes",
            "--queries", "--write", "--compare"} <= visible


def test_old_spellings_are_hidden_and_listed_in_the_changelog():
    renamed = renamed_options(parser())
    assert len(renamed) == 11  # --apercu is the old name of both --preview options
    for name, _, sub in subcommands(parser()):
        shown = sub.format_help() + sub.format_usage()
        for old, new in renamed.items():
            if new in shown:
                assert not re.search(re.escape(old) + r"(?![\w-])", shown), (name, old)
    for old, new in renamed.items():
        assert re.search(rf"`{re.escape(old)}[^`]*` \| `{re.escape(new)}", CHANGELOG), (old, new)


@pytest.mark.parametrize("command, old, new, value", [
    (["search"], "--comme", "--like", "12208"),
    (["search"], "--tri", "--sort", "titre"),
    (["from-issue", "x.md"], "--apercu", "--preview", None),
    (["from-issue", "x.md"], "--malgre-doublon", "--despite-duplicate", None),
    (["from-issue", "x.md"], "--commentaire", "--comment", "c.md"),
    (["correction", "x.md"], "--apercu", "--preview", None),
    (["report"], "--liens", "--links", None),
    (["report"], "--delai", "--timeout", "2.5"),
    (["bench"], "--tailles", "--sizes", "100"),
    (["bench"], "--requetes", "--queries", "5"),
    (["bench"], "--ecrire", "--write", None),
    (["bench"], "--comparer", "--compare", None),
])
def test_old_spelling_sets_the_same_option(capsys, command, old, new, value):
    given = [value] if value else []
    with_new = parser(command[0]).parse_args([*command, new, *given])
    with_old = parser(command[0]).parse_args([*command, old, *given])
    assert vars(with_old) == vars(with_new)
    assert vars(with_new) != vars(parser(command[0]).parse_args(command))  # the option did change something
    assert f"{old} s'écrit désormais {new}" in capsys.readouterr().err


def test_old_preview_option_still_previews(content, capsys):
    """`from-issue --apercu`, as scripts written before the rename call it: shows the card, writes nothing."""
    assert main(["--content", str(content), "from-issue", str(SAMPLE), "--apercu", "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["written"] is False and result["text"].startswith("---\n")
    assert "--apercu s'écrit désormais --preview" in captured.err
    assert sorted(p.name for p in (content / "actions").iterdir()) == ["en-route-pour-ma-sante-poitiers.md"]


def test_sort_takes_english_and_old_french_values():
    assert parser("search").parse_args(["search", "--sort", "title"]).sort == "title"
    assert parser("search").parse_args(["search", "--tri", "pertinence"]).sort == "relevance"
    with pytest.raises(SystemExit):
        parser("search").parse_args(["search", "--sort", "hasard"])
