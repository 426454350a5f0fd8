"""The README's command table, written from the argument parser (as Datasette does with cog).

`essaim schema` rewrites the block between BEGIN and END in README.md; tests/test_cli_reference.py fails when the
README's block differs from the parser, so a new command or option cannot be left undocumented.
"""

from __future__ import annotations

import argparse
from pathlib import Path

BEGIN = "<!-- commandes:début — bloc écrit par « essaim schema » depuis l'analyseur d'arguments -->"
END = "<!-- commandes:fin -->"


def subcommands(main: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, one-line help, parser) of each subcommand, in the parser's order."""
    group = next(a for a in main._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    helps = {choice.dest: choice.help for choice in group._choices_actions}  # noqa: SLF001
    return [(name, helps.get(name) or "", sub) for name, sub in group.choices.items()]


def _shown(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions  # noqa: SLF001
            if a.help is not argparse.SUPPRESS and not isinstance(a, argparse._HelpAction)]  # noqa: SLF001


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def command_table(main: argparse.ArgumentParser) -> str:
    """A Markdown table: each command with its arguments, its options and its one-line French help."""
    lines = ["| Commande | Ce qu'elle fait | Options |", "|---|---|---|"]
    for name, help_text, sub in subcommands(main):
        formatter = sub._get_formatter()  # noqa: SLF001
        actions = _shown(sub)
        positionals = " ".join(formatter._format_args(a, a.dest.upper())  # noqa: SLF001
                               for a in actions if not a.option_strings)
        options = " ".join(f"`{formatter._format_action_invocation(a)}`"  # noqa: SLF001
                           for a in actions if a.option_strings)
        usage = f"essaim {name}" + (f" {positionals}" if positionals else "")
        lines.append(f"| `{_cell(usage)}` | {_cell(help_text)} | {_cell(options)} |")
    return "\n".join(lines)


def readme_block(main: argparse.ArgumentParser) -> str:
    return f"{BEGIN}\n{command_table(main)}\n{END}"


def with_command_table(readme: str, main: argparse.ArgumentParser) -> str:
    """The README's text with its command block replaced by the one the parser gives."""
    start, end = readme.index(BEGIN), readme.index(END) + len(END)
    return readme[:start] + readme_block(main) + readme[end:]


def renamed_options(main: argparse.ArgumentParser) -> dict[str, str]:
    """Old (French) spelling -> new option, for every hidden alias of every subcommand."""
    renamed = {}
    for _, _, sub in subcommands(main):
        for action in sub._actions:  # noqa: SLF001
            if hasattr(action, "renamed_to"):
                renamed.update({old: action.renamed_to for old in action.option_strings})
    return renamed


def write_readme(root: Path, main: argparse.ArgumentParser) -> Path | None:
    """Rewrite root/README.md's command block; None when there is no README with the markers."""
    path = root / "README.md"
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text:
        return None
    updated = with_command_table(text, main)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return path
