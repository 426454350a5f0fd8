"""Text handling shared by the index and the queries: Unicode normalisation and the word pattern.

Inclusive writing (« professionnel·les ») is folded by essaim.search.understanding.fold_inclusive,
for the index and the queries alike.
"""

from __future__ import annotations

import unicodedata

MIDDLE_DOTS = "·•⋅"
WORD_PATTERN = rf"\w+(?:[{MIDDLE_DOTS}]\w+)*"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
