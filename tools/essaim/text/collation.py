"""French sorting: one key for titles, places and names everywhere (site listings, maps, search sort key).

`sort_key` orders as a French reader expects: accents, case and ligatures do not count first
(« À Nîmes » sorts with the A, « Écoles » with the E, « Œuvre » as « oeuvre »), spaces, hyphens,
apostrophes and quotation marks are ignored (« « Professionnels… » » sorts with the P, « Laon » before
« La Roche-sur-Yon »); texts equal so far are told apart by their accents (« ete » < « été »), then by
case (lower case first). This is the order of ICU's French collation with punctuation ignored
(`alternate=shifted`), checked on every title, commune, département, région and source of the base
(see docs/decisions.md), without a compiled dependency.
"""

from __future__ import annotations

import re
import unicodedata

LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ĳ": "ij", "ﬁ": "fi", "ﬂ": "fl"})
NOT_A_WORD = re.compile(r"[\W_]+")


def _decomposed(text: str) -> str:
    """Lower case, ligatures spelled out, accents as separate combining marks, no punctuation nor space."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold().translate(LIGATURES)).translate(LIGATURES)
    return "".join(ch for ch in decomposed if ch.isalnum() or unicodedata.combining(ch))


def base_letters(text: str) -> str:
    """The letters and digits that count first: lower case, without accents, punctuation nor spaces."""
    return "".join(ch for ch in _decomposed(text) if not unicodedata.combining(ch))


def sort_key(text: str) -> tuple[str, str, str]:
    """Key for sorted(): base letters, then accents, then case (lower case first)."""
    text = str(text)
    return base_letters(text), _decomposed(text), NOT_A_WORD.sub("", text).swapcase()


def sort_text(text: str) -> str:
    """The key as one string, for sorting elsewhere (Pagefind's sort attribute compares strings)."""
    return base_letters(text)
