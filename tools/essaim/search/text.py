"""French text handling for search that does not depend on the engine.

- inclusive writing (« professionnel·les ») folded to the plural masculine form the
  stemmer knows (« professionnels »);
- acronyms paired with their expansions (from the vocabularies), used in both directions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from essaim.vocabularies import acronym_expansions, fold

MIDDLE_DOTS = "·•⋅"
WORD_PATTERN = rf"\w+(?:[{MIDDLE_DOTS}]\w+)*"
INCLUSIVE = re.compile(rf"^(\w+?)(?:[{MIDDLE_DOTS}](\w+))+$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold_inclusive(word: str) -> str:
    """« professionnel·les » → « professionnels », « usager·ères » → « usagers »."""
    match = INCLUSIVE.match(word)
    if not match:
        return word
    base, last = match.group(1), word.rsplit(word[len(match.group(1))], 1)[-1]
    plural = last.endswith("s") and not base.endswith(("s", "x"))
    return base + ("s" if plural else "")


@cache
def acronyms() -> dict[str, tuple[str, ...]]:
    """Acronym (upper case) → its expansions, case and accents folded, for matching queries."""
    pairs: dict[str, set[str]] = {}
    for acronym, phrase, _ in acronym_expansions():
        pairs.setdefault(acronym, set()).add(fold(phrase))
    return {a: tuple(sorted(p)) for a, p in sorted(pairs.items())}
