"""Disjunctive faceting on document sets: OR within a facet, AND across facets.

Each facet's counts are computed under the filters of the *other* facets, so a
reader sees how many results each option would give if ticked.
"""

from __future__ import annotations

from collections.abc import Mapping


def filter_sets(value_sets: Mapping[str, Mapping[str, set[int]]], filters: Mapping[str, list[str]]) -> dict[str, set[int]]:
    """Facet -> documents allowed by that facet's ticked values (union of their sets)."""
    allowed = {}
    for facet, values in filters.items():
        if values:
            sets = value_sets.get(facet, {})
            allowed[facet] = set().union(*(sets.get(v, set()) for v in values))
    return allowed


def narrow(match: set[int], allowed: Mapping[str, set[int]], skip: str | None = None) -> set[int]:
    result = match
    for facet, docs in allowed.items():
        if facet != skip:
            result = result & docs
    return result


def counts(match: set[int], value_sets: Mapping[str, Mapping[str, set[int]]],
           filters: Mapping[str, list[str]]) -> tuple[set[int], dict[str, dict[str, int]]]:
    """(documents matching everything, facet -> value -> count), values with a zero count left out
    unless ticked."""
    allowed = filter_sets(value_sets, filters)
    final = narrow(match, allowed)
    table: dict[str, dict[str, int]] = {}
    for facet, sets in value_sets.items():
        base = narrow(match, allowed, skip=facet)
        ticked = set(filters.get(facet, []))
        row = {value: len(base & docs) for value, docs in sets.items()}
        table[facet] = dict(sorted(((v, n) for v, n in row.items() if n or v in ticked), key=lambda x: (-x[1], x[0])))
    return final, table
