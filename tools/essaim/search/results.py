"""What a search returns: hits, facet counts, suggested filters (plain data, no engine needed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Hit:
    """One result. Its snippet (matched words highlighted in the summary or the text) is made when first read:
    whoosh re-analyses the texts to highlight, which outputs that show no snippet (JSON, counts) never pay."""

    id: str
    kind: str
    title: str
    carrier: str
    url: str
    score: float
    updated: str
    facets: dict[str, list[str]]
    make_snippet: Callable[[], str] = field(repr=False, compare=False, default=lambda: "")
    _snippet: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def snippet(self) -> str:
        if self._snippet is None:
            self._snippet = self.make_snippet()
        return self._snippet


@dataclass
class Suggestion:
    """A filter the query's words name, with the number of results it would give."""

    facet: str
    value: str
    count: int


@dataclass
class Results:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None  # the query with its typos corrected (« vouliez-vous dire »)
    corrected: bool = False
    complete: int = 0  # results holding every meaningful word (they come first)
    suggestions: list[Suggestion] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # words matching nothing in the base
