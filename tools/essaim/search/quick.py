"""One query answered in plain Python from the index's files: no numpy, no whoosh.

For a process that asks a single query (`essaim search`): importing numpy and whoosh and opening whoosh's
segments cost several times the query itself. Long-lived processes use essaim.search.engine, which keeps
numpy vectors cached across queries. Both compute the same numbers in the same order (IEEE operations
on the same values; numpy's rounding is rint(x × 10^n) / 10^n, Python's round is also half to even), so
they give the same results, scores included: tests/test_search.py compares them query by query.
"""

from __future__ import annotations

import heapq
from pathlib import Path

from essaim.pipeline.facets import FACETS
from essaim.search.facets import counts, members
from essaim.search.results import Hit, Results
from essaim.search.store import FIELD_BOOSTS, FUZZY_FACTOR, TAG_WEIGHT, Files, idf, meta_stale_reason, results_of
from essaim.search.text import nfc
from essaim.search.understanding import Group, understand


def _round(value: float, scale: float) -> float:
    """numpy.round(value, n) with scale = 10.0 ** n."""
    return round(value * scale) / scale


class QuickIndex:
    """An index's files opened for a query or two (see the module's docstring)."""

    def __init__(self, files: Files, root: Path):
        self.files, self.root = files, root
        self.live = files.live_mask.to_bytes((files.size + 7) // 8, "little")
        self.cache: dict = {}

    @classmethod
    def open(cls, root: Path) -> QuickIndex | None:
        """The index at root when it is up to date and has its files; otherwise None (use the engine)."""
        current = Path(root) / "current"
        if not current.exists() or meta_stale_reason(current):
            return None
        try:
            files = Files.open(current.resolve())
        except (OSError, ValueError, KeyError):
            return None
        if files is None:
            return None
        if any(facet not in files.facet_masks for facet in FACETS):  # a facet added since: the engine says so
            files.close()
            return None
        return cls(files, Path(root))

    def label(self, facet: str, value: str) -> str:
        return self.files.label(facet, value)

    def close(self) -> None:
        self.files.close()

    def _is_live(self, docnum: int) -> bool:
        return bool(self.live[docnum >> 3] >> (docnum & 7) & 1)

    def field_scores(self, name: str, term: str) -> dict[int, float]:
        """Document -> BM25F score of one term in one field (engine.SearchIndex._field_scores)."""
        found, frequency = self.files.postings(name, term)
        if not found:
            return {}
        idf_value, average, b, k1 = self.files.bm25(name, frequency)
        # k1 × ((1 - b) + b × length / average) for each length byte: the same operations as per posting
        norms = [k1 * ((1 - b) + b * (length if byte else 1.0) / average)
                 for byte, length in enumerate(self.files.statistics["length_table"])]
        raw, saturation = self.files.lengths[name], k1 + 1
        every = self.files.live == self.files.size  # no deleted document
        scores = {}
        for ids, weights, offset in found:
            scores.update({local + offset: idf_value * ((weight * saturation) / (weight + norms[raw[local + offset]]))
                           for local, weight in zip(ids, weights) if every or self._is_live(local + offset)})
        return scores

    def term_scores(self, term: str) -> dict[int, float]:
        """Every document's BM25F score for one term over the boosted fields, two decimals; zeros left out."""
        if term not in self.cache:
            total: dict[int, float] = {}
            for name, boost in FIELD_BOOSTS.items():
                for docnum, score in self.field_scores(name, term).items():
                    total[docnum] = total.get(docnum, 0.0) + boost * score
            rounded = ((docnum, _round(score, 100.0)) for docnum, score in total.items())
            self.cache[term] = {docnum: score for docnum, score in rounded if score > 0}
        return self.cache[term]

    def alternative(self, terms: tuple[str, ...]) -> dict[int, float]:
        """The sum of the terms' scores where all are present."""
        vectors = [self.term_scores(term) for term in terms]
        if len(vectors) < 2:  # 0.0 + score is the score
            return vectors[0] if vectors else {}
        total = {}
        for docnum in min(vectors, key=len):
            if all(docnum in vector for vector in vectors):
                score = 0.0
                for vector in vectors:
                    score = score + vector[docnum]
                total[docnum] = score
        return total

    def group_scores(self, group: Group) -> dict[int, float]:
        """Every document's score for a group: its best alternative; zeros left out."""
        best: dict[int, float] = {}
        for alternative in group.alternatives:
            if alternative.tag:
                facet, value = alternative.tag
                numbers = members(self.files.facet_masks.get(facet, {}).get(value, 0))
                weight = TAG_WEIGHT * idf(len(numbers), self.files.live)
                scores = dict.fromkeys(numbers, weight)
            else:
                scores = self.alternative(alternative.terms)
            for docnum, score in scores.items():
                score = score * FUZZY_FACTOR if alternative.fuzzy else score
                if score > best.get(docnum, 0.0):
                    best[docnum] = score
        return best

    def rank(self, groups: list[Group], scope: int) -> tuple[list[int], dict[int, float], set[int]]:
        """(documents in number order, their scores, those holding every group), as engine.SearchIndex._rank."""
        per_group = [scores for scores in (self.group_scores(g) for g in groups) if scores]
        weights = [idf(len(scores), self.files.live) for scores in per_group]
        total_weight = sum(weights) or 1.0
        covered: dict[int, float] = {}
        totals: dict[int, float] = {}
        held: dict[int, int] = {}
        for weight, scores in zip(weights, per_group):
            for docnum, score in scores.items():
                covered[docnum] = covered.get(docnum, 0.0) + weight
                totals[docnum] = totals.get(docnum, 0.0) + score
                held[docnum] = held.get(docnum, 0) + 1
        in_scope = scope.to_bytes((self.files.size + 7) // 8, "little")
        numbers = sorted(d for d in held if in_scope[d >> 3] >> (d & 7) & 1)
        final = {d: _round(totals[d] * (covered[d] / total_weight), 10000.0) for d in numbers}
        return numbers, final, {d for d in numbers if held[d] == len(per_group)}

    def search(self, text: str = "", filters: dict[str, list[str]] | None = None, kind: str | None = "action",
               sort: str = "pertinence", limit: int = 10, offset: int = 0) -> Results:
        """engine.SearchIndex.search, the same results."""
        files = self.files
        filters = {k: v for k, v in (filters or {}).items() if v}
        text = nfc(text or "").strip()
        scope = files.kinds.get(kind, 0) if kind else (1 << files.size) - 1
        understanding = understand(text, files.query_data, files.lookup, files.shard) if text else None
        if understanding is not None:
            numbers, scores, complete_set = self.rank(understanding.groups, scope)
            match, complete_mask = _mask(numbers, files.size), _mask(complete_set, files.size)
        else:
            match, complete_mask = scope, 0
        final, facet_counts = counts(match, files.facet_masks, filters)
        kept = final.to_bytes((files.size + 7) // 8, "little")

        def is_kept(docnum: int) -> bool:
            return bool(kept[docnum >> 3] >> (docnum & 7) & 1)

        if understanding is not None and sort == "pertinence":
            rank = files.orders["rank"]  # ranks are distinct: (-score, rank) is a total order, as numpy's lexsort
            best = heapq.nsmallest(offset + limit, ((-scores[d], rank[d], d) for d in numbers if is_kept(d)))
            ranked = [(d, scores[d]) for _, _, d in best[offset:]]
        else:
            order = files.orders["date" if sort == "date" else "title"]
            wanted, ranked = offset + limit, []
            for docnum in order:
                if len(ranked) >= wanted:
                    break
                if is_kept(docnum):
                    ranked.append((docnum, 0.0))
            ranked = ranked[offset:]
        return results_of(text, understanding, final, complete_mask, facet_counts, filters, files.facet_masks,
                          ranked, self._hit)

    def _hit(self, docnum: int, score: float, words: frozenset[str]) -> Hit:
        doc_id, kind, title, carrier, url, updated, facets = self.files.documents[docnum]
        root = self.root

        def snippet() -> str:  # whoosh only for a snippet that is read (the text output)
            from essaim.search.engine import SearchIndex

            return SearchIndex(root).snippet(docnum, words)

        return Hit(id=doc_id, kind=kind, title=title, carrier=carrier, url=url, score=round(score, 4),
                   updated=updated, facets=facets, make_snippet=snippet)


def _mask(numbers, size: int) -> int:
    """The bitmask of document numbers."""
    bits = bytearray((size + 7) // 8)
    for number in numbers:
        bits[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(bits, "little")
