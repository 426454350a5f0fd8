"""One duplicate detector: how much two cards look like the same action.

The validator asks it about every two cards of the same carrier (`doublon-probable`), `essaim from-issue`
about a proposal and each existing card. Texts are compared folded (case, accents, hyphens ignored); the
closeness of two texts, from 0 to 1, is the larger of their character ratio (difflib) and the share of
words they have in common (Jaccard: the same words in another order are as close as the same text).

The thresholds, in one place:
- DUPLICATE_TITLE: two cards of the same carrier whose titles are this close are a probable duplicate;
  the validator reports them (unless one declares the other in `distincte_de`).
- A proposal is probably an existing action when it has its id, a title at SIMILAR_TITLE or a summary at
  SIMILAR_SUMMARY, or, with the same carrier, a title at SIMILAR_TITLE_SAME_CARRIER or a summary at
  SIMILAR_SUMMARY_SAME_CARRIER; any other card of the same carrier is shown as worth a look.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from essaim.model.vocabularies import fold

DUPLICATE_TITLE = 0.85
SIMILAR_TITLE = 0.85
SIMILAR_TITLE_SAME_CARRIER = 0.6
SIMILAR_SUMMARY = 0.9
SIMILAR_SUMMARY_SAME_CARRIER = 0.7


def closeness(a: str, b: str) -> float:
    """0 to 1: how close two texts are, folded (the larger of the character ratio and the words in common)."""
    a, b = fold(a), fold(b)
    if not a or not b:
        return 0.0
    words_a, words_b = set(a.split()), set(b.split())
    jaccard = len(words_a & words_b) / len(words_a | words_b)
    return max(difflib.SequenceMatcher(None, a, b).ratio(), jaccard)


def same_carrier(a: str, b: str) -> bool:
    return bool(fold(a)) and fold(a) == fold(b)


@dataclass(frozen=True)
class Likeness:
    """What two cards share: id, carrier, and how close their titles and summaries are."""

    same_id: bool
    same_carrier: bool
    title: float
    summary: float

    @property
    def duplicate(self) -> bool:
        """Two cards of the content that are probably one action (the validator's rule)."""
        return self.same_carrier and self.title >= DUPLICATE_TITLE

    @property
    def strong(self) -> bool:
        """A proposal that is probably this existing card."""
        return (self.same_id or self.title >= SIMILAR_TITLE or self.summary >= SIMILAR_SUMMARY
                or (self.same_carrier and (self.title >= SIMILAR_TITLE_SAME_CARRIER
                                           or self.summary >= SIMILAR_SUMMARY_SAME_CARRIER)))

    @property
    def reasons(self) -> list[str]:
        """In French: « même structure porteuse », « titre proche à 92 % »…"""
        reasons = ["même identifiant"] * self.same_id + ["même structure porteuse"] * self.same_carrier
        if self.title >= SIMILAR_TITLE_SAME_CARRIER:
            reasons.append(f"titre proche à {round(self.title * 100)} %")
        if self.summary >= SIMILAR_SUMMARY_SAME_CARRIER:
            reasons.append(f"résumé proche à {round(self.summary * 100)} %")
        return reasons


def likeness(a: dict[str, str], b: dict[str, str], summaries: bool = True) -> Likeness:
    """How two cards compare; each given as {"id", "carrier", "title", "summary"} (missing: "")."""
    return Likeness(bool(a.get("id")) and a.get("id") == b.get("id"),
                    same_carrier(a.get("carrier", ""), b.get("carrier", "")),
                    closeness(a.get("title", ""), b.get("title", "")),
                    closeness(a.get("summary", ""), b.get("summary", "")) if summaries else 0.0)
