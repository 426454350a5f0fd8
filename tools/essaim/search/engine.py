"""The search engine: the one module that speaks to whoosh.

Replacing whoosh means rewriting this module only; the rest of Essaim uses
`SearchIndex` and plain Python data.

Layout on disk: <root>/current is a symbolic link to the generation in use
(<root>/gen-…). A full build writes a new generation aside and swaps the link
atomically, so an interrupted build leaves the previous index in service.
Incremental updates go through whoosh's own commit, which writes new segments
and then a new table of contents: readers see the old or the new state, never
half of one. A file lock serialises writers across processes.
"""

from __future__ import annotations

import heapq
import json
import os
import re
import shutil
import time
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy
import whoosh
from whoosh import highlight, index, scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.util.numeric import _length_byte_cache
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.query import Term
from whoosh.support.charset import accent_map

from essaim.text.collation import sort_text
from essaim.pipeline.facets import FACETS, facet_label
from essaim.pipeline.locking import Busy, exclusive
from essaim.search.facets import counts, mask, members
from essaim.search import querydata
from essaim.search.text import WORD_PATTERN, nfc
from essaim.search.results import Hit, Results, Suggestion
from essaim.search.store import (DOCUMENTS_FILE, FIELD_BOOSTS, FUZZY_FACTOR, INDEX_FORMAT, LEXICON_FILE, META_FILE,
                                 POSTINGS_FILE, QUERY_DATA_FILE, SETS_FILE, SHOWN, TAG_WEIGHT, WORDS_FILE, Documents, Files,
                                 Postings, Words, words_bytes,
                                 data_digest, generation, idf, meta_stale_reason, results_of, sets_bytes,
                                 shown_record, toc_digest)
from essaim.search.understanding import Group, Understanding, fold_inclusive, understand

__all__ = ["FIELD_BOOSTS", "FUZZY_FACTOR", "INDEX_FORMAT", "TAG_WEIGHT", "Hit", "Results", "SearchIndex",
           "Suggestion", "UpdateReport", "analyze", "data_digest"]

if TYPE_CHECKING:  # documents are built from the card model, which searching never needs
    from essaim.search.documents import Entry, SearchDocument

LOCK_TIMEOUT = 60.0
SIMILAR_TERMS = 20  # distinctive terms of a card that make up its "similar cards" query
SIMILAR_CANDIDATE_TERMS = 60  # terms considered, rarer ones standing in for those over budget
SIMILAR_POSTINGS = 3000  # postings a card's similar-cards terms may read in all
ELISIONS = {"jusqu", "lorsqu", "puisqu", "quoiqu", "presqu"}
MORE_STOPWORDS = {"les", "cet", "cette", "dont", "leurs", "plus", "tout", "tous", "toutes", "sans", "comme"}


STOPWORDS = frozenset(stopwords_for_language("fr")) | ELISIONS | MORE_STOPWORDS
WORD = re.compile(WORD_PATTERN)
_stem = stemmer_for_language("fr")
_fold_accents = str.maketrans(accent_map)


@lru_cache(maxsize=500_000)
def index_term(word: str) -> str | None:
    """The indexed form of one word, or None for a stop word.

    Inclusive writing folded, lower case, stop words and elisions out, accents
    folded, then Snowball French stemming (accents are folded first so that
    « accès » and « acces » give the same stem)."""
    word = fold_inclusive(word).lower()
    if word in STOPWORDS:
        return None
    return _stem(word.translate(_fold_accents))


class FrenchTokenizer(Tokenizer):
    """Words to index terms in one pass, each distinct word analysed once (cached)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = WORD.finditer(value) if tokenize else [re.match(r"(?s).*", value)]
        position = start_pos
        for match in matches:
            term = index_term(match.group())
            if term is None:
                continue
            token.text, token.boost, token.stopped = term, 1.0, False
            if keeporiginal:
                token.original = match.group()
            if positions:
                token.pos = position
                position += 1
            if chars:
                token.startchar, token.endchar = start_char + match.start(), start_char + match.end()
            yield token


def french_analyzer():
    return FrenchTokenizer()


def schema() -> Schema:
    text = french_analyzer()
    facets = {name: KEYWORD(commas=True, lowercase=False) for name in FACETS}
    return Schema(
        id=ID(unique=True, stored=True, sortable=True), kind=ID(stored=True), url=STORED,
        digest=ID(sortable=True),
        updated=ID(stored=True, sortable=True), title_sort=ID(sortable=True),
        facet_values=STORED,
        title=TEXT(analyzer=text, stored=True, field_boost=FIELD_BOOSTS["title"]),
        summary=TEXT(analyzer=text, stored=True, field_boost=FIELD_BOOSTS["summary"]),
        # No positions in the long body (phrases are matched in the short fields): half the postings cost.
        body=TEXT(analyzer=text, stored=True, phrase=False, field_boost=FIELD_BOOSTS["body"]),
        carrier=TEXT(analyzer=text, stored=True, field_boost=FIELD_BOOSTS["carrier"]),
        places=TEXT(analyzer=text, stored=False, field_boost=FIELD_BOOSTS["places"]),
        keywords=TEXT(analyzer=text, stored=False, field_boost=FIELD_BOOSTS["keywords"]),
        **facets,
    )


def analyze(text: str) -> list[str]:
    """The terms the index would hold for a text (for tests and diagnostics)."""
    return [t.text for t in french_analyzer()(nfc(text))]


IndexBusy = Busy


@dataclass
class UpdateReport:
    rebuilt: bool
    added: int = 0
    updated: int = 0
    deleted: int = 0
    reason: str = ""


@dataclass(kw_only=True)
class Reading(Files):
    """What an open index serves queries from, reloaded when the index changes on disk.

    Named fields only (no positional construction nor unpacking): tests and outputs read what they need.
    The index's own files (essaim.search.store) answer queries; whoosh's searcher is opened on first
    use (snippets, similar cards), or at once when those files are missing (an index being updated)."""

    open_searcher: Callable[[], object] = field(repr=False)
    cache: dict = field(default_factory=dict)
    _searcher: object = field(default=None, repr=False)

    @property
    def searcher(self):
        """whoosh's searcher over the index, opened on first use."""
        if self._searcher is None:
            self._searcher = self.open_searcher()
        return self._searcher

    def close(self) -> None:
        super().close()
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None


def _fields(doc: SearchDocument) -> dict:
    values = {name: ",".join(doc.facets.get(name, [])) for name in FACETS}
    return dict(id=doc.id, kind=doc.kind, url=doc.url, digest=doc.digest, updated=doc.updated,
                title_sort=sort_text(doc.title), facet_values=doc.facets, title=doc.title, summary=doc.summary,
                body=doc.body, carrier=doc.carrier, places=doc.places, keywords=doc.keywords, **values)


def _lexicon_of(doc: SearchDocument) -> dict[str, str]:
    return querydata.lexicon_entries("\n".join((doc.title, doc.summary, doc.body, doc.carrier, doc.places,
                                                doc.keywords)))


class SearchIndex:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.current = self.root / "current"
        self._reading: Reading | None = None

    # --- writing -----------------------------------------------------------

    def stale_reason(self) -> str | None:
        """Why the index in service cannot be used as it is, or None."""
        if not self.current.exists():
            return "aucun index"
        reason = meta_stale_reason(self.current)
        if reason:
            return reason
        try:
            reading = self._reader()  # opened once: the search that follows reads from it
            missing = [facet for facet in FACETS if facet not in reading.facet_masks]
        except Exception as error:  # noqa: BLE001 — any failure to open means a corrupt index
            self.close()
            return f"index illisible ({type(error).__name__})"
        if missing:  # a facet added since (« fraîcheur »): rebuilt to hold it
            return f"sans la rubrique « {FACETS[missing[0]]} »"
        return None

    def update(self, docs: list[Entry], rebuild: bool = False) -> UpdateReport:
        """Bring the index in line with docs: only what changed, or everything if needed."""
        with exclusive(self.root / ".lock", "l'index", LOCK_TIMEOUT):
            reason = "reconstruction demandée" if rebuild else self.stale_reason()
            self.close()
            if reason:
                self._build(docs)
                return UpdateReport(rebuilt=True, added=len(docs), reason=reason)
            return self._incremental(docs)

    def _build(self, docs: list[Entry]) -> None:
        generation = self.root / f"gen-{time.time_ns()}-{os.getpid()}"
        generation.mkdir(parents=True)
        ix = index.create_in(str(generation), schema())
        from essaim.pipeline.parallel import pool_size  # one rule for every pool of processes
        processes = pool_size("documents", len(docs))
        writer = ix.writer(limitmb=256, procs=processes, multisegment=processes > 1)
        words: dict[str, str] = {}
        places: dict[str, list[list[str]]] = {}
        shown: dict[str, bytes] = {}
        for entry in docs:
            _write_entry(writer.add_document, entry, words, places, shown)
        writer.commit()
        self._write_query_files(generation, ix, words, places, shown)
        (generation / META_FILE).write_text(
            json.dumps({"format": INDEX_FORMAT, "engine": f"whoosh {whoosh.versionstring()}", "documents": len(docs),
                        "data": data_digest()}), encoding="utf-8")
        link = self.root / f".current-{os.getpid()}"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(generation.name)
        os.replace(link, self.current)  # atomic swap
        for old in self.root.glob("gen-*"):
            if old != generation:
                shutil.rmtree(old, ignore_errors=True)

    def _incremental(self, docs: list[Entry]) -> UpdateReport:
        ix = index.open_dir(str(self.current))
        with ix.reader() as reader:  # columns: no stored document is unpickled
            ids, digests = reader.column_reader("id"), reader.column_reader("digest")
            indexed = {ids[d]: digests[d] for d in reader.all_doc_ids()}
        wanted = {d.id: d for d in docs}
        report = UpdateReport(rebuilt=False)
        changed = [d for d in docs if indexed.get(d.id) != d.digest]
        removed = [i for i in indexed if i not in wanted]
        if not changed and not removed:
            return report
        lexicon = json.loads((self.current / LEXICON_FILE).read_text("utf-8"))
        words, places = lexicon["words"], lexicon["places"]
        shown = Documents.by_id(self.current / DOCUMENTS_FILE)
        writer = ix.writer(timeout=LOCK_TIMEOUT)
        for entry in changed:
            _write_entry(writer.update_document, entry, words, places, shown)
            if entry.id in indexed:
                report.updated += 1
            else:
                report.added += 1
        for doc_id in removed:
            writer.delete_by_term("id", doc_id)
            report.deleted += 1
        writer.commit()
        self._write_query_files(self.current.resolve(), index.open_dir(str(self.current)), words, places, shown)
        return report

    @staticmethod
    def _write_query_files(folder: Path, ix, words: dict[str, str], places: dict, shown: dict[str, bytes]) -> None:
        """The lexicon (indexed words, their terms and frequencies, place names) and the query data."""
        data = querydata.query_data(places)
        for word, term in querydata.data_words(data, places).items():
            words.setdefault(word, term)
        frequencies: dict[str, int] = {}
        with ix.reader() as reader:
            for name in FIELD_BOOSTS:
                for term, info in reader.iter_field(name):
                    term = _text(term)
                    frequencies[term] = max(frequencies.get(term, 0), info.doc_frequency())
            documents = reader.doc_count()
        lexicon = {"words": dict(sorted(words.items())), "frequencies": frequencies, "places": places,
                   "documents": documents}
        for name, content in ((LEXICON_FILE, lexicon), (QUERY_DATA_FILE, data)):
            temporary = folder / f".{name}.{os.getpid()}"
            temporary.write_text(json.dumps(content, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
            os.replace(temporary, folder / name)
        number = ix.latest_generation()
        with ix.searcher() as searcher:
            reader = searcher.reader()
            sets = _sets(searcher)
            segments = [(leaf.segment().segment_id(), offset) for leaf, offset in reader.leaf_readers()]
            header = {"generation": number, "toc": toc_digest(folder, number), "live": sets["live_count"],
                      "labels": sets["labels"], "statistics": _statistics(reader), "segments": segments}
            files = {SETS_FILE: sets_bytes(header, sets, sets["size"]),
                     WORDS_FILE: words_bytes(number, lexicon["words"], frequencies),
                     DOCUMENTS_FILE: Documents.encode(number, _ids(reader), shown)}
            for leaf, _ in reader.leaf_readers():  # segments never change: a new one gets its postings file
                name = POSTINGS_FILE.format(leaf.segment().segment_id())
                if not (folder / name).exists():
                    files[name] = _segment_postings(leaf)
        for old in folder.glob(POSTINGS_FILE.format("*")):
            if old.name not in {POSTINGS_FILE.format(segment) for segment, _ in segments}:
                old.unlink()
        for name, content in files.items():
            temporary = folder / f".{name}.{os.getpid()}"
            temporary.write_bytes(content)
            os.replace(temporary, folder / name)

    # --- reading -----------------------------------------------------------

    def _reader(self) -> Reading:
        """The open index, reopened when the index changed on disk.

        Whether it changed is read from the folder's name and whoosh's table of contents (a directory
        listing, no file opened)."""
        folder = self.current.resolve()
        key = (str(folder), generation(folder))
        if self._reading and self._reading.key == key:
            return self._reading
        self.close()

        def open_searcher():
            return index.open_dir(str(folder)).searcher(weighting=scoring.BM25F())

        reading = Reading.open(folder, open_searcher=open_searcher)
        if reading is None:  # written by an older version, or a writer between its commit and its files
            reading = _from_whoosh(folder, key, open_searcher())
        for name in ("orders", "lengths"):  # arrays as numpy, for the vector arithmetic below
            setattr(reading, name, {k: numpy.frombuffer(v, dtype=v.typecode) if isinstance(v, array) else v
                                    for k, v in getattr(reading, name).items()})
        self._reading = reading
        return reading

    def label(self, facet: str, value: str) -> str:
        """The French label of a facet value, as written with the index (no vocabulary read)."""
        return self._reader().label(facet, value)

    def reading(self) -> Reading:
        """The open index's data (lexicon, query data, searcher), for outputs such as the site's static index."""
        return self._reader()

    def understand(self, text: str) -> Understanding:
        """How the index reads a query (see essaim.search.understanding)."""
        r = self._reader()
        return understand(text, r.query_data, r.lookup, r.shard)

    def search(self, text: str = "", filters: dict[str, list[str]] | None = None, kind: str | None = "action",
               sort: str = "pertinence", limit: int = 10, offset: int = 0) -> Results:
        """Ranked hits, facet counts and filter suggestions.

        Cards holding every meaningful word come first, then those holding most of them (weighted by
        rarity), then some: a query never dead-ends while one of its words matches. See docs/recherche.md."""
        filters = {k: v for k, v in (filters or {}).items() if v}
        text = nfc(text or "").strip()
        r = self._reader()
        scope = r.kinds.get(kind, 0) if kind else (1 << r.size) - 1
        understanding = understand(text, r.query_data, r.lookup, r.shard) if text else None
        if understanding is not None:
            numbers, scores, complete = self._rank(r, understanding.groups, scope)
            size = r.size
            match, complete_mask = _mask_of(numbers, size), _mask_of(numbers[complete], size)
        else:
            match, complete_mask = scope, 0
        final, facet_counts = counts(match, r.facet_masks, filters)
        kept = _bits_of(final, r.size)
        if understanding is not None and sort == "pertinence":
            chosen = kept[numbers]
            numbers, scores = numbers[chosen], scores[chosen]
            # best score first, then title order (ranks are distinct: a total order, as on the site)
            top = numpy.lexsort((r.orders["rank"][numbers], -scores))[offset:offset + limit]
            ranked = list(zip(numbers[top].tolist(), scores[top].tolist()))
        else:
            order = r.orders["date" if sort == "date" else "title"]
            ranked = [(d, 0.0) for d in order[kept[order]][offset:offset + limit].tolist()]
        return results_of(text, understanding, final, complete_mask, facet_counts, filters, r.facet_masks, ranked,
                          lambda docnum, score, words: self._hit(r, docnum, score, words))

    def _group_scores(self, r: Reading, group: Group) -> numpy.ndarray:
        """Every document's score for a group: its best alternative (0 where none matches)."""
        documents = r.live
        best = numpy.zeros(r.size)
        for alternative in group.alternatives:
            if alternative.tag:
                facet, value = alternative.tag
                bits = self._bits(r, r.facet_masks.get(facet, {}).get(value, 0))
                scores = bits * (TAG_WEIGHT * idf(int(bits.sum()), documents))
            else:
                scores = self._alternative(r, alternative.terms)
            if alternative.fuzzy:
                scores = scores * FUZZY_FACTOR
            numpy.maximum(best, scores, out=best)
        return best

    def _rank(self, r: Reading, groups: list[Group],
              scope: int) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """(documents, scores, holds every group) for every document matching at least one group, within scope.

        A group weighs its rarity (idf of the documents it matches); a document's coverage is the
        share of that weight it holds, and its score the sum of its group scores times its coverage:
        cards holding all the meaningful words come first unless a card holding most of them matches
        them much better (a hard « all words first » tier measured worse, docs/decisions.md).
        Dense arrays over the documents: the cost grows with the query's words, each a vector sum."""
        documents = r.live
        per_group = [self._group_scores(r, g) for g in groups]
        per_group = [scores for scores in per_group if scores.any()]
        weights = [idf(int(numpy.count_nonzero(scores)), documents) for scores in per_group]
        total_weight = sum(weights) or 1.0
        size = r.size
        covered, totals, held = numpy.zeros(size), numpy.zeros(size), numpy.zeros(size, dtype=numpy.int64)
        for weight, scores in zip(weights, per_group):
            present = scores > 0
            covered += present * weight
            totals += scores
            held += present
        in_scope = self._bits(r, scope) & (held > 0)
        numbers = numpy.flatnonzero(in_scope)
        final = numpy.round(totals[numbers] * (covered[numbers] / total_weight), 4)
        return numbers, final, held[numbers] == len(per_group)

    def _bits(self, r: Reading, bitmask: int) -> numpy.ndarray:
        """A bitmask of documents as a boolean array over document numbers (cached)."""
        key = ("bits", bitmask)
        if key not in r.cache:
            r.cache[key] = _bits_of(bitmask, r.size)
        return r.cache[key]

    def _alternative(self, r: Reading, terms: tuple[str, ...]) -> numpy.ndarray:
        """Every document's score for an alternative: the sum of its terms' scores where all are present."""
        key = ("alternative", terms)
        if key not in r.cache:
            total = numpy.zeros(r.size)
            everywhere = numpy.ones(len(total), dtype=bool)
            for term in terms:
                scores = self._term_vector(r, term)
                total = total + scores
                everywhere &= scores > 0
            r.cache[key] = numpy.where(everywhere, total, 0.0) if terms else total
        return r.cache[key]

    def _term_vector(self, r: Reading, term: str) -> numpy.ndarray:
        """Every document's BM25F score for one analysed term over the boosted fields, two decimals (cached).

        The site's static index stores the same rounded scores (essaim.site.searchfiles)."""
        key = ("term", term)
        if key not in r.cache:
            total = numpy.zeros(r.size)
            for name, boost in FIELD_BOOSTS.items():
                scores = self._field_scores(r, name, term)
                if scores:
                    ids = numpy.fromiter(scores.keys(), dtype=numpy.int64, count=len(scores))
                    values = numpy.fromiter(scores.values(), dtype=numpy.float64, count=len(scores))
                    total[ids] += boost * values
            r.cache[key] = numpy.round(total, 2)
        return r.cache[key]

    def term_scores(self, term: str) -> dict[int, float]:
        """Document number -> score of one term (for the site's static index)."""
        vector = self._term_vector(self._reader(), term)
        numbers = numpy.flatnonzero(vector)
        return dict(zip(numbers.tolist(), vector[numbers].tolist()))

    def _field_scores(self, r: Reading, name: str, term: str) -> dict[int, float]:
        """Document -> BM25F score of one analysed term in one field (cached).

        whoosh's own formula (BM25FScorer: its idf, average field length, B and K1, field lengths
        decoded from the index's length bytes), computed over whole posting blocks with numpy rather
        than posting by posting: a common word at 10,000 cards costs milliseconds, not a second.
        tests/test_search.py checks the scores equal whoosh's scorer."""
        key = ("field", name, term)
        if key not in r.cache:
            found, frequency = r.postings(name, term)
            ids = numpy.concatenate([numpy.frombuffer(i, dtype=numpy.uint32).astype(numpy.int64) + offset
                                     for i, _, offset in found]) if found else numpy.empty(0, dtype=numpy.int64)
            live = self._bits(r, r.live_mask)[ids]
            if not live.any():
                r.cache[key] = {}
                return r.cache[key]
            weights = numpy.concatenate([numpy.frombuffer(w, dtype=numpy.float32) for _, w, _ in found])
            ids, weights = ids[live], weights[live].astype(numpy.float64)
            idf_value, average, b, k1 = r.bm25(name, frequency)
            lengths = self._lengths(r, name)[ids]
            scores = idf_value * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))
            r.cache[key] = dict(zip(ids.tolist(), scores.tolist()))
        return r.cache[key]

    @staticmethod
    def _lengths(r: Reading, name: str) -> numpy.ndarray:
        """Every document's length in one field, as whoosh's scorer reads it (1 where absent)."""
        key = ("lengths", name)
        if key not in r.cache:
            raw = r.lengths[name]
            lengths = numpy.array(r.statistics["length_table"], dtype=numpy.float64)[raw]
            lengths[raw == 0] = 1.0
            r.cache[key] = lengths
        return r.cache[key]

    @staticmethod
    def _hit(r: Reading, docnum: int, score: float, words: frozenset[str]) -> Hit:
        if r.documents is not None:
            doc_id, kind, title, carrier, url, updated, facets = r.documents[docnum]
        else:  # an index written before the documents file: whoosh's stored fields
            stored = r.searcher.stored_fields(docnum)
            doc_id, kind, title, carrier, url, updated, facets = (stored[name] for name in SHOWN)

        def snippet() -> str:
            return SearchIndex._snippet(r.searcher, docnum, words)

        return Hit(id=doc_id, kind=kind, title=title, carrier=carrier, url=url, score=round(score, 4),
                   updated=updated, facets=facets, make_snippet=snippet)

    @staticmethod
    def _snippet(searcher, docnum: int, words: frozenset[str]) -> str:
        """The summary or text passage holding the words, marked, or the summary."""
        stored = searcher.stored_fields(docnum)
        for name in ("summary", "body"):
            fragment = _highlight(stored[name], words, searcher, name)
            if fragment:
                return fragment
        return stored["summary"]

    def snippet(self, docnum: int, words: frozenset[str]) -> str:
        """A hit's snippet (for essaim.search.quick, which answers without whoosh)."""
        return self._snippet(self._reader().searcher, docnum, words)

    def similar(self, doc_id: str, count: int = 5) -> list[str]:
        """The ids of the cards closest to one card, by the distinctive terms of its text.

        The same ranking as whoosh's more_like (the card's key terms, Bo1 model, each
        weighting its BM25F score), computed from the cached per-term scores, within a
        budget: a card's terms may read at most SIMILAR_POSTINGS postings in all, rarer
        terms first when the frequent ones do not fit. The work per card is thus bounded
        and similar cards for the whole catalog cost time linear in its size."""
        r = self._reader()
        searcher = r.searcher
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return []
        totals: dict[int, float] = {}
        budget, used = SIMILAR_POSTINGS, 0
        for word, weight in searcher.key_terms([docnum], "body", numterms=SIMILAR_CANDIDATE_TERMS, normalize=False):
            frequency = searcher.doc_frequency("body", word)
            if frequency > budget:
                continue
            budget, used = budget - frequency, used + 1
            for other, score in self._field_scores(r, "body", word).items():
                totals[other] = totals.get(other, 0.0) + weight * score
            if used == SIMILAR_TERMS:
                break
        actions = self._members(r.kinds.get("action", 0))
        candidates = [d for d in totals if d != docnum and d in actions]
        ranked = heapq.nlargest(count, candidates, key=lambda d: (totals[d], -d))
        return [searcher.stored_fields(d)["id"] for d in ranked]

    def _members(self, bits: int) -> frozenset[int]:
        """The documents of a bitmask, as a set (cached)."""
        cache = self._reader().cache
        if ("members", bits) not in cache:
            cache[("members", bits)] = frozenset(members(bits))
        return cache[("members", bits)]

    def document_count(self) -> int:
        return self._reader().live

    def close(self) -> None:
        if self._reading:
            self._reading.close()
            self._reading = None


def _leaf_postings(leaf, name: str, term: str) -> tuple[array, array]:
    """(document numbers within the segment, weights) of a term in a field of one segment, deleted
    documents included, read block by block."""
    ids, weights = array("I"), array("f")
    if (name, term) not in leaf:
        return ids, weights
    matcher = leaf.postings(name, term)
    while not isinstance(matcher, W3LeafMatcher):  # a segment with deletions wraps it in a filter
        matcher = matcher.child
    matcher.reset()
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return ids, weights


def _segment_postings(leaf) -> bytes:
    """The postings file of one segment (essaim.search.store.Postings)."""
    postings = {}
    for name in FIELD_BOOSTS:
        for term in leaf.lexicon(name):
            term = _text(term)
            postings[f"{name}\x1f{term}"] = _leaf_postings(leaf, name, term)
    return Postings.encode(postings)


class _LeafPostings:
    """A segment's postings read from whoosh, as Postings reads them from its file (an index without its files)."""

    def __init__(self, leaf):
        self.leaf = leaf

    def read(self, name: str, term: str) -> tuple[array, array]:
        return _leaf_postings(self.leaf, name, term)

    def close(self) -> None:
        pass


def _statistics(reader) -> dict:
    """whoosh's statistics the BM25F scores need besides the postings."""
    return {"field_lengths": {name: reader.field_length(name) for name in FIELD_BOOSTS},
            "length_table": list(_length_byte_cache)}


def _ids(reader) -> list[str | None]:
    """Each document number's id, None where deleted."""
    ids = reader.column_reader("id")
    return [None if reader.is_deleted(d) else ids[d] for d in range(reader.doc_count_all())]


def _from_whoosh(folder: Path, key: tuple, searcher) -> Reading:
    """The reading of an index whose own files are missing or stale, computed from whoosh."""
    reader = searcher.reader()
    sets = _sets(searcher)
    lexicon = json.loads((folder / LEXICON_FILE).read_text("utf-8"))
    reading = Reading(key=key, size=sets["size"], live=sets["live_count"], live_mask=sets["live"],
                      facet_masks=sets["facets"], kinds=sets["kinds"], orders=sets["orders"],
                      lengths=sets["lengths"], labels=sets["labels"], statistics=_statistics(reader),
                      words=Words.of(lexicon["words"], lexicon["frequencies"]),
                      query_data=json.loads((folder / QUERY_DATA_FILE).read_text("utf-8")), documents=None,
                      segments=[(_LeafPostings(leaf), offset) for leaf, offset in reader.leaf_readers()],
                      open_searcher=lambda: searcher)
    reading._searcher = searcher
    return reading


def _bits_of(bitmask: int, size: int) -> numpy.ndarray:
    """A bitmask of documents as a boolean array over document numbers."""
    raw = numpy.frombuffer(bitmask.to_bytes((size + 7) // 8, "little"), dtype=numpy.uint8)
    return numpy.unpackbits(raw, bitorder="little")[:size].astype(bool)


def _mask_of(numbers: numpy.ndarray, size: int) -> int:
    """The bitmask of an array of document numbers."""
    present = numpy.zeros(size, dtype=bool)
    present[numbers] = True
    return int.from_bytes(numpy.packbits(present, bitorder="little").tobytes(), "little")


def _length_bytes(reader, name: str) -> numpy.ndarray:
    """Every document's length byte in one field, as whoosh stores it (0 where absent)."""
    raw = numpy.zeros(reader.doc_count_all(), dtype=numpy.uint8)
    for leaf, offset in reader.leaf_readers():
        column = leaf._perdoc._cached_reader(_lenfield(name), LENGTHS_COLUMN)
        if column is not None:
            values = numpy.frombuffer(bytes(column.load()), dtype=numpy.uint8)
            raw[offset:offset + len(values)] = values
    return raw


def _sets(searcher) -> dict:
    """Facet and kind bitmasks and sort orders, computed from the index (written with it at indexing).

    Orders hold live documents only. "rank" gives each document its place in (title, id) order, which
    breaks ties in ranking as on the site; "title" lists documents by title and "date" by last update,
    newest first, ties by document number."""
    facets = {facet: {_text(value): mask(searcher.docs_for_query(Term(facet, value)))
                      for value in searcher.lexicon(facet)} for facet in FACETS}
    kinds = {_text(value): mask(searcher.docs_for_query(Term("kind", value))) for value in searcher.lexicon("kind")}
    reader = searcher.reader()
    size = reader.doc_count_all()
    titles, ids, dates = (reader.column_reader(name) for name in ("title_sort", "id", "updated"))
    live = list(reader.all_doc_ids())
    by_title_id = sorted(live, key=lambda d: (titles[d], ids[d]))
    rank = numpy.full(size, size, dtype=numpy.int32)
    rank[numpy.asarray(by_title_id, dtype=numpy.int64)] = numpy.arange(len(by_title_id), dtype=numpy.int32)
    by_date = sorted(sorted(live), key=lambda d: dates[d], reverse=True)
    orders = {"rank": rank, "title": numpy.asarray(sorted(sorted(live), key=lambda d: titles[d]), dtype=numpy.int32),
              "date": numpy.asarray(by_date, dtype=numpy.int32)}
    lengths = {name: _length_bytes(reader, name) for name in FIELD_BOOSTS}
    labels = {facet: {value: facet_label(facet, value) for value in values} for facet, values in facets.items()}
    return {"facets": facets, "kinds": kinds, "orders": orders, "lengths": lengths, "labels": labels,
            "size": size, "live": mask(live), "live_count": len(live)}


def _write_entry(write, entry: Entry, words: dict, places: dict, shown: dict) -> None:
    """One document into the whoosh writer (add or update) and into the files written beside the index."""
    doc = entry.make()
    write(**_fields(doc))
    words.update(_lexicon_of(doc))
    _add_places(places, doc)
    shown[doc.id] = shown_record(doc)


def _add_places(places: dict[str, list[list[str]]], doc: SearchDocument) -> None:
    for name, facet, code in doc.place_names:
        target = [facet, code]
        if target not in places.setdefault(name, []):
            places[name].append(target)


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _highlight(text: str, words: frozenset[str], searcher, fieldname: str) -> str:
    if not words or not text:
        return ""
    analyzer = searcher.schema[fieldname].analyzer
    fragmenter = highlight.ContextFragmenter(maxchars=200, surround=60)
    return highlight.highlight(text, words, analyzer, fragmenter, _MarkFormatter(), top=1)


class _MarkFormatter(highlight.Formatter):
    """Marks matched words with « [ ] » in plain text (the CLI) ; the site renders its own."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"[{highlight.get_text(text, token, replace)}]"
