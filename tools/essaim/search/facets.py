"""Disjunctive faceting: OR within a facet, AND across facets.

Each facet's counts are computed under the filters of the *other* facets, so a
reader sees how many results each option would give if ticked. Document sets
are bitmasks held in Python integers (bit n = document n): an intersection is
one `&`, a count one `bit_count()`, whatever the size of the base.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def mask(docnums: Iterable[int]) -> int:
    """The bitmask of a set of document numbers."""
    numbers = list(docnums)
    if not numbers:
        return 0
    bits = bytearray(max(numbers) // 8 + 1)
    for number in numbers:
        bits[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(bits, "little")


_BITS = [tuple(bit for bit in range(8) if byte >> bit & 1) for byte in range(256)]  # byte -> its set bits


def members(bitmask: int) -> set[int]:
    """The document numbers of a bitmask."""
    data = bitmask.to_bytes((bitmask.bit_length() + 7) // 8, "little")
    return {index * 8 + bit for index, byte in enumerate(data) if byte for bit in _BITS[byte]}


def counts(match: int, value_sets: Mapping[str, Mapping[str, int]],
           filters: Mapping[str, list[str]]) -> tuple[int, dict[str, dict[str, int]]]:
    """(documents matching everything, facet -> value -> count).

    Values that would give no result are left out, unless ticked."""
    allowed = {}
    for facet, values in filters.items():
        if values:
            union = 0
            for value in values:
                union |= value_sets.get(facet, {}).get(value, 0)
            allowed[facet] = union
    final = match
    for docs in allowed.values():
        final &= docs
    table: dict[str, dict[str, int]] = {}
    for facet, sets in value_sets.items():
        base = match
        for other, docs in allowed.items():
            if other != facet:
                base &= docs
        ticked = set(filters.get(facet, []))
        row = [(value, (base & docs).bit_count()) for value, docs in sets.items()]
        table[facet] = dict(sorted(((v, n) for v, n in row if n or v in ticked), key=lambda x: (-x[1], x[0])))
    return final, table
