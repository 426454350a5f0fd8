"""`essaim search --like COMMUNE`: the engine's matches reordered by likeness to a commune.

The engine (essaim.search) finds the cards that answer the words and filters, with its relevance score;
this module reorders all of them by `combined_score`: the similarity of each card's territory to the
commune (essaim.search.territory), plus the relevance scaled to the best one when words were given.
"""

from __future__ import annotations

from dataclasses import dataclass

from essaim.search.territory import CardProfile, CommuneProfile, Match, similarity

# The best-matching text weighs as much as a same-size town in the same kind of EPCI, minus a little:
# words still matter most when they differ a lot, likeness decides among similar answers.
RELEVANCE_WEIGHT = 5.0
ALL = 100_000  # ask the engine for every match, then reorder


@dataclass
class Ranked:
    hit: object  # essaim.search.engine.Hit
    match: Match
    score: float


def combined_score(match: Match, relevance: float, best_relevance: float) -> float:
    """Likeness plus relevance scaled to [0, RELEVANCE_WEIGHT]; relevance is ignored without words (best = 0)."""
    text = RELEVANCE_WEIGHT * relevance / best_relevance if best_relevance > 0 else 0.0
    return round(match.score + text, 3)


def rank_like(place: CommuneProfile, hits: list, profiles: dict[str, CardProfile], with_words: bool) -> list[Ranked]:
    """Hits reordered by combined score; ties keep the engine's order."""
    best = max((h.score for h in hits), default=0.0) if with_words else 0.0
    ranked = [Ranked(h, m, combined_score(m, h.score, best))
              for h in hits for m in [similarity(place, profiles[h.id])] if h.id in profiles]
    order = {id(r): i for i, r in enumerate(ranked)}
    return sorted(ranked, key=lambda r: (-r.score, order[id(r)]))
