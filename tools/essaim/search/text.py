"""French text handling for search that does not depend on the engine.

- inclusive writing (« professionnel·les ») folded to the plural masculine form the
  stemmer knows (« professionnels »);
- acronyms paired with their expansions, derived from the vocabularies' synonyms
  (QPV ↔ quartier prioritaire de la politique de la ville), used in both directions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from essaim.vocabularies import all_vocabularies, fold

MIDDLE_DOTS = "·•⋅"
WORD_PATTERN = rf"\w+(?:[{MIDDLE_DOTS}]\w+)*"
INCLUSIVE = re.compile(rf"^(\w+?)(?:[{MIDDLE_DOTS}](\w+))+$")
# Words that do not count when matching an acronym's letters.
LINK_WORDS = {"de", "la", "le", "les", "du", "des", "d", "l", "et", "a", "aux", "au", "en", "pour", "sur"}


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


def _significant_initials(phrase: str) -> str:
    return "".join(w[0] for w in re.findall(r"\w+", fold(phrase)) if w not in LINK_WORDS)


def _matches(acronym: str, phrase: str) -> bool:
    """True when an acronym abbreviates a phrase.

    Either its letters are the initials of the phrase's significant words, in order,
    first and last included (QPV: quartier prioritaire de la politique de la ville),
    or it spells every word's initial, link words included when it keeps them
    (SSIAD: services de soins infirmiers à domicile)."""
    letters = acronym.lower()
    return _subsequence(letters, _significant_initials(phrase)) or _spells_every_word(letters, phrase)


def _subsequence(letters: str, initials: str) -> bool:
    if not initials or initials[0] != letters[0] or initials[-1] != letters[-1]:
        return False
    position = 0
    for letter in letters:
        position = initials.find(letter, position) + 1
        if position == 0:
            return False
    return True


def _spells_every_word(letters: str, phrase: str) -> bool:
    position = 0
    for word in re.findall(r"\w+", fold(phrase)):
        if position < len(letters) and word[0] == letters[position]:
            position += 1
        elif word not in LINK_WORDS:
            return False
    return position == len(letters)


@cache
def acronyms() -> dict[str, tuple[str, ...]]:
    """Acronym (upper case) → expansions found beside it in the vocabularies."""
    pairs: dict[str, set[str]] = {}
    for vocab in all_vocabularies().values():
        for term in vocab.terms:
            names = [term.label, *term.synonyms]
            for acronym in (n for n in names if re.fullmatch(r"[A-Z]{2,6}", n)):
                for phrase in names:
                    if phrase != acronym and " " in phrase and _matches(acronym, phrase):
                        pairs.setdefault(acronym, set()).add(fold(phrase))
    return {a: tuple(sorted(p)) for a, p in sorted(pairs.items())}


def expansions(query: str) -> list[str]:
    """Extra alternatives for a query: expansions of its acronyms, acronyms of its phrases."""
    extra: list[str] = []
    words = {w.upper() for w in re.findall(r"\w+", query)}
    folded = f" {fold(query)} "
    for acronym, phrases in acronyms().items():
        if acronym in words:
            extra += [f'"{p}"' for p in phrases]
        elif any(f" {p} " in folded for p in phrases):
            extra.append(acronym.lower())
    return extra
