"""Command-line options renamed to English keep their old French spelling for one release, hidden.

Option names are English (docs/decisions.md, « Interface machine »); an option renamed from French still accepts
its old spelling, which is absent from --help and from the README's command table and says, on standard error,
which name replaces it. Remove the `old=` arguments one release after the rename (CHANGELOG.md).
"""

from __future__ import annotations

import argparse
import sys


def add_option(parser: argparse.ArgumentParser, name: str, *, old: str | None = None, **kwargs) -> argparse.Action:
    """parser.add_argument(name, **kwargs) and, given `old`, that spelling as a hidden alias of the same option."""
    action = parser.add_argument(name, **kwargs)
    if old is None:
        return action
    kind = parser._registry_get("action", kwargs.get("action"), kwargs.get("action"))  # noqa: SLF001

    class OldSpelling(kind):
        renamed_to = name  # read by essaim.cli.reference.renamed_options (the CHANGELOG test)

        def __call__(self, parser_, namespace, values, option_string=None):
            print(f"{parser_.prog} : {old} s'écrit désormais {name} ; l'ancienne orthographe sera retirée à la "
                  "prochaine version.", file=sys.stderr)
            super().__call__(parser_, namespace, values, option_string)

    rest = {key: value for key, value in kwargs.items() if key not in ("action", "default", "help", "required")}
    parser.add_argument(old, action=OldSpelling, dest=action.dest, default=argparse.SUPPRESS, help=argparse.SUPPRESS,
                        **rest)
    return action
