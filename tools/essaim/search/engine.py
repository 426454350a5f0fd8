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

import hashlib
import heapq
import json
import marshal
import math
import os
import re
import shutil
import sys
import time
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
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
from essaim.search.understanding import Group, Understanding, fold_inclusive, understand

if TYPE_CHECKING:  # documents are built from the card model, which searching never needs
    from essaim.search.documents import Entry, SearchDocument

# Bump when the schema or the analysis changes: older indexes are rebuilt.
INDEX_FORMAT = 11
FIELD_BOOSTS = {"title": 4.0, "keywords": 2.5, "summary": 2.0, "places": 2.0, "carrier": 1.5, "body": 1.0}
LOCK_TIMEOUT = 60.0
PARALLEL_FROM = 2000  # documents: below this, one process indexes faster than several
SIMILAR_TERMS = 20  # distinctive terms of a card that make up its "similar cards" query
SIMILAR_CANDIDATE_TERMS = 60  # terms considered, rarer ones standing in for those over budget
SIMILAR_POSTINGS = 3000  # postings a card's similar-cards terms may read in all
LEXICON_FILE = "lexique.json"  # indexed words -> terms, term frequencies, places: what queries are read against
QUERY_DATA_FILE = "requete.json"  # stop words, question words, phrase table (essaim.search.querydata)
SETS_FILE = "ensembles.bin"  # facet and kind bitmasks, sort orders: read in one go when the index opens
DOCUMENTS_FILE = "documents.bin"  # what a hit shows, by document number (Documents)
TAG_WEIGHT = 3.0  # a vocabulary term reached through a synonym or the thesaurus scores TAG_WEIGHT × idf
FUZZY_FACTOR = 0.8  # an alternative reached by correction, prefix or stem fallback scores a little lower
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


@dataclass(kw_only=True)
class Reading:
    """What an open index serves queries from, reloaded when the index changes on disk.

    Named fields only (no positional construction nor unpacking): tests and outputs read what they need.
    Everything a query needs besides the postings is read from Essaim's own files, written with the index;
    whoosh's searcher is opened on first use (scoring words, snippets, similar cards)."""

    key: tuple  # (generation folder, whoosh generation)
    size: int  # document numbers, deleted ones included
    live: int  # documents in service
    facet_masks: dict[str, dict[str, int]]
    kinds: dict[str, int]
    orders: dict[str, numpy.ndarray]  # "rank": place in (title, id) order; "title", "date": documents in order
    lengths: dict[str, numpy.ndarray]  # field -> every document's length byte (whoosh's encoding, 0 where absent)
    labels: dict[str, dict[str, str]]  # facet -> value -> French label, for every value in the index
    lexicon: dict[str, str]
    frequencies: dict[str, int]
    query_data: dict
    documents: Documents | None  # what a hit shows, by document number
    open_searcher: Callable[[], object] = field(repr=False)
    cache: dict = field(default_factory=dict)
    shards: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    _searcher: object = field(default=None, init=False, repr=False)

    @property
    def searcher(self):
        """whoosh's searcher over the index, opened on first use."""
        if self._searcher is None:
            self._searcher = self.open_searcher()
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def lookup(self, word: str) -> tuple[str, int] | None:
        term = self.lexicon.get(word)
        return (term, self.frequencies.get(term, 0)) if term else None

    def shard(self, letter: str) -> dict[str, tuple[str, int]]:
        """Indexed words starting with a letter, with their term and frequency (for corrections)."""
        if not self.shards:
            for word, term in self.lexicon.items():
                self.shards.setdefault(word[0], {})[word] = (term, self.frequencies.get(term, 0))
        return self.shards.get(letter, {})


def data_digest() -> str:
    """Digest of the data files query understanding is built from: a change rebuilds the index."""
    digest = hashlib.sha1()
    data = resources.files("essaim").joinpath("data")
    for path in ["thesaurus.yaml", *(f"vocabularies/{n}" for n in sorted(querydata_files()))]:
        digest.update(data.joinpath(path).read_bytes())
    return digest.hexdigest()


def querydata_files() -> list[str]:
    from essaim.model.vocabularies import VOCABULARY_FILES

    return list(VOCABULARY_FILES.values())


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
        meta_path = self.current / "essaim-index.json"
        if not self.current.exists():
            return "aucun index"
        try:
            meta = json.loads(meta_path.read_text("utf-8"))
        except (OSError, ValueError):
            return "index sans description lisible"
        if meta.get("format") != INDEX_FORMAT:
            return f"format {meta.get('format')} périmé (attendu : {INDEX_FORMAT})"
        if meta.get("data") != data_digest():
            return "vocabulaires ou thésaurus modifiés"
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
        processes = min(os.cpu_count() or 1, 4) if len(docs) >= PARALLEL_FROM else 1
        writer = ix.writer(limitmb=256, procs=processes, multisegment=processes > 1)
        words: dict[str, str] = {}
        places: dict[str, list[list[str]]] = {}
        shown: dict[str, bytes] = {}
        for entry in docs:
            doc = entry.make()
            writer.add_document(**_fields(doc))
            words.update(_lexicon_of(doc))
            _add_places(places, doc)
            shown[doc.id] = _shown(doc)
        writer.commit()
        self._write_query_files(generation, ix, words, places, shown)
        (generation / "essaim-index.json").write_text(
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
            doc = entry.make()
            writer.update_document(**_fields(doc))
            words.update(_lexicon_of(doc))
            _add_places(places, doc)
            shown[doc.id] = _shown(doc)
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
        with ix.searcher() as searcher:
            files = {SETS_FILE: _sets_bytes(ix.latest_generation(), searcher, _toc_digest(folder, ix.latest_generation())),
                     DOCUMENTS_FILE: Documents.encode(ix.latest_generation(), searcher.reader(), shown)}
        for name, content in files.items():
            temporary = folder / f".{name}.{os.getpid()}"
            temporary.write_bytes(content)
            os.replace(temporary, folder / name)

    # --- reading -----------------------------------------------------------

    def _reader(self) -> Reading:
        """The open index, reopened when the index changed on disk.

        Whether it changed is read from the folder's name and whoosh's table of contents (a directory
        listing, no file opened); whoosh itself is opened only when a query needs it."""
        folder = self.current.resolve()
        key = (str(folder), _generation(folder))
        if self._reading and self._reading.key == key:
            return self._reading
        self.close()

        def open_searcher():
            return index.open_dir(str(folder)).searcher(weighting=scoring.BM25F())

        sets = _read_sets(folder / SETS_FILE, key[1], _toc_digest(folder, key[1]))
        searcher = None
        if sets is None:  # written by an older version, or a writer between its commit and its sets
            searcher = open_searcher()
            sets = _sets(searcher)
        lexicon = json.loads((folder / LEXICON_FILE).read_text("utf-8"))
        data = json.loads((folder / QUERY_DATA_FILE).read_text("utf-8"))
        self._reading = Reading(key=key, size=sets["size"], live=sets["live"], facet_masks=sets["facets"],
                                kinds=sets["kinds"], orders=sets["orders"], lengths=sets["lengths"],
                                labels=sets["labels"], lexicon=lexicon["words"], frequencies=lexicon["frequencies"],
                                query_data=data, documents=Documents.open(folder / DOCUMENTS_FILE, key[1]),
                                open_searcher=open_searcher)
        self._reading._searcher = searcher
        return self._reading

    def label(self, facet: str, value: str) -> str:
        """The French label of a facet value, as written with the index (no vocabulary read)."""
        found = self._reader().labels.get(facet, {}).get(value)
        return found if found is not None else facet_label(facet, value)

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
        complete = (complete_mask & final).bit_count()
        words = frozenset(t for g in (understanding.groups if understanding else []) for a in g.alternatives
                          for t in a.terms)
        hits = [self._hit(r, docnum, score, words) for docnum, score in ranked]
        results = Results(text, final.bit_count(), hits, facet_counts, complete=complete)
        if understanding is not None:
            results.suggestion = understanding.corrected_text(text)
            results.corrected = bool(understanding.corrections)
            results.ignored = understanding.ignored
            results.suggestions = self._suggestions(r, understanding.groups, final, filters)
        return results

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
            searcher = r.searcher
            ids, weights = _postings(searcher.reader(), name, term)
            if not len(ids):
                r.cache[key] = {}
                return r.cache[key]
            weighting = searcher.weighting
            b = weighting._field_B.get(name, weighting.B)
            k1 = weighting.K1
            idf_value = searcher.idf(name, term)
            average = searcher.avg_field_length(name) or 1
            lengths = self._lengths(r, name)[ids]
            scores = idf_value * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))
            r.cache[key] = dict(zip(ids.tolist(), scores.tolist()))
        return r.cache[key]

    @staticmethod
    def _lengths(r: Reading, name: str) -> numpy.ndarray:
        """Every document's length in one field, as whoosh's scorer reads it (1 where absent)."""
        key = ("lengths", name)
        if key not in r.cache:
            raw = r.lengths[name] if name in r.lengths else _length_bytes(r.searcher.reader(), name)
            lengths = numpy.array(_length_byte_cache, dtype=numpy.float64)[raw]
            lengths[raw == 0] = 1.0
            r.cache[key] = lengths
        return r.cache[key]

    def _suggestions(self, r: Reading, groups: list[Group], final: int,
                     filters: dict[str, list[str]]) -> list[Suggestion]:
        """Filters the words name (a theme, a public, a place…), with the count each would give."""
        found: dict[tuple[str, str], int] = {}
        for group in groups:
            for facet, value in group.targets:
                if value in filters.get(facet, []) or (facet, value) in found:
                    continue
                count = (final & r.facet_masks.get(facet, {}).get(value, 0)).bit_count()
                if count:
                    found[(facet, value)] = count
        rank = {facet: i for i, facet in enumerate(SUGGESTION_ORDER)}
        ordered = sorted(found.items(), key=lambda item: (rank.get(item[0][0], len(rank)), -item[1]))[:MAX_SUGGESTIONS]
        return [Suggestion(facet, value, count) for (facet, value), count in ordered]

    @staticmethod
    def _hit(r: Reading, docnum: int, score: float, words: frozenset[str]) -> Hit:
        if r.documents is not None:
            doc_id, kind, title, carrier, url, updated, facets = r.documents[docnum]
        else:  # an index written before the documents file: whoosh's stored fields
            stored = r.searcher.stored_fields(docnum)
            doc_id, kind, title, carrier, url, updated, facets = (stored[name] for name in SHOWN)

        def snippet() -> str:
            stored = r.searcher.stored_fields(docnum)
            for name in ("summary", "body"):
                fragment = _highlight(stored[name], words, r.searcher, name)
                if fragment:
                    return fragment
            return stored["summary"]

        return Hit(id=doc_id, kind=kind, title=title, carrier=carrier, url=url, score=round(score, 4),
                   updated=updated, facets=facets, make_snippet=snippet)

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


MAX_SUGGESTIONS = 4
# Suggested filters, most telling first: a place the reader named, then what the action is about, then for whom.
SUGGESTION_ORDER = ("region", "departement", "theme", "public", "territoire", "porteur")


def _postings(reader, name: str, term: str) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(document numbers, term frequencies) of a term in a field, live documents only, read block by block."""
    ids: list = []
    weights: list = []
    for leaf, offset in reader.leaf_readers():
        if (name, term) not in leaf:
            continue
        matcher = leaf.postings(name, term)
        while not isinstance(matcher, W3LeafMatcher):  # a segment with deletions wraps it in a filter
            matcher = matcher.child
        matcher.reset()
        deleted = leaf.deleted_docs_set if leaf.has_deletions() else None
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            block = numpy.asarray(matcher._ids, dtype=numpy.int64)
            values = numpy.asarray(matcher._weights, dtype=numpy.float64)
            if deleted:
                keep = ~numpy.isin(block, numpy.fromiter(deleted, dtype=numpy.int64, count=len(deleted)))
                block, values = block[keep], values[keep]
            ids.append(block + offset)
            weights.append(values)
            matcher._next_block()
    if not ids:
        return numpy.empty(0, dtype=numpy.int64), numpy.empty(0)
    return numpy.concatenate(ids), numpy.concatenate(weights)


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
            "size": size, "live": len(live)}


ARRAYS = {"orders": "<i4", "lengths": "u1"}  # arrays of the sets file and their types


def _sets_bytes(generation: int, searcher, toc: str) -> bytes:
    """The sets file: a JSON header (generation, documents, where each set lies), then the raw sets."""
    sets = _sets(searcher)
    size = searcher.doc_count_all()
    width = (size + 7) // 8
    chunks, places = [], []
    for group, table in (("facets", sets["facets"]), ("kinds", {"": sets["kinds"]})):
        for facet, values in table.items():
            for value, bits in values.items():
                places.append([group, facet, value])
                chunks.append(bits.to_bytes(width, "little"))
    arrays = []
    for group, dtype in ARRAYS.items():
        for name, values in sets[group].items():
            arrays.append([group, name, len(values)])
            chunks.append(values.astype(dtype).tobytes())
    header = json.dumps({"generation": generation, "documents": size, "live": sets["live"], "toc": toc,
                         "fields": list(sets["facets"]), "labels": sets["labels"], "sets": places, "arrays": arrays},
                        ensure_ascii=False).encode()
    return len(header).to_bytes(4, "little") + header + b"".join(chunks)


def _read_sets(path: Path, generation: int, toc: str) -> dict | None:
    """The sets written with the index, or None when missing or written for another table of contents
    (another generation of the index, or a table of contents since damaged)."""
    try:
        data = path.read_bytes()
        length = int.from_bytes(data[:4], "little")
        header = json.loads(data[4:4 + length])
    except (OSError, ValueError):
        return None
    if header.get("generation") != generation or header.get("toc") != toc:
        return None
    size = header["documents"]
    width, at = (size + 7) // 8, 4 + length
    arrays_in = header.get("arrays", [])
    if {group for group, _, _ in arrays_in} != set(ARRAYS):
        return None
    expected = at + width * len(header.get("sets", [])) + sum(
        numpy.dtype(ARRAYS[group]).itemsize * count for group, _, count in arrays_in)
    if len(data) != expected:
        return None
    facets: dict[str, dict[str, int]] = {facet: {} for facet in header["fields"]}
    kinds: dict[str, int] = {}
    for group, facet, value in header["sets"]:
        bits = int.from_bytes(data[at:at + width], "little")
        at += width
        if group == "kinds":
            kinds[value] = bits
        else:
            facets.setdefault(facet, {})[value] = bits
    arrays: dict[str, dict[str, numpy.ndarray]] = {group: {} for group in ARRAYS}
    for group, name, count in header["arrays"]:
        arrays[group][name] = numpy.frombuffer(data, dtype=ARRAYS[group], count=count, offset=at)
        at += numpy.dtype(ARRAYS[group]).itemsize * count
    return {"facets": facets, "kinds": kinds, **arrays, "labels": header["labels"], "size": size,
            "live": header["live"]}


TOC_NAME = re.compile(r"_MAIN_(\d+)\.toc")  # whoosh's table of contents, one per generation


def _generation(folder: Path) -> int:
    """whoosh's latest generation in a folder (as index.latest_generation(), without opening the index)."""
    found = [int(m.group(1)) for name in os.listdir(folder) if (m := TOC_NAME.fullmatch(name))]
    return max(found, default=-1)


def _toc_digest(folder: Path, generation: int) -> str:
    """Digest of whoosh's table of contents: the files written with the index belong to this one."""
    try:
        return hashlib.sha1((folder / f"_MAIN_{generation}.toc").read_bytes()).hexdigest()
    except OSError:
        return ""


SHOWN = ("id", "kind", "title", "carrier", "url", "updated", "facet_values")  # what a hit shows


def _shown(doc: SearchDocument) -> bytes:
    """What a hit shows of a document, encoded for the documents file."""
    return marshal.dumps((doc.id, doc.kind, doc.title, doc.carrier, doc.url, doc.updated, doc.facets))


class Documents:
    """The documents file: what a hit shows, by document number, each read on demand.

    Layout: generation and count (uint32), count + 1 offsets (uint64), then one marshal record per
    document number (empty for a deleted one). Written with the index from the documents themselves;
    whoosh's stored fields would load every document's text to show ten titles."""

    def __init__(self, data: bytes, offsets: array):
        self.data, self.offsets = data, offsets

    def __getitem__(self, docnum: int) -> tuple:
        return marshal.loads(self.data[self.offsets[docnum]:self.offsets[docnum + 1]])

    @classmethod
    def open(cls, path: Path, generation: int) -> Documents | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        head = array("I", data[:8]) if len(data) >= 8 else array("I", [0, 0])
        if sys.byteorder != "little":
            head.byteswap()
        if head[0] != generation or len(data) < 8 + 8 * (head[1] + 1):
            return None
        offsets = array("Q", data[8:8 + 8 * (head[1] + 1)])
        if sys.byteorder != "little":
            offsets.byteswap()
        return cls(data, offsets) if offsets[-1] == len(data) else None

    @staticmethod
    def encode(generation: int, reader, shown: dict[str, bytes]) -> bytes:
        ids = reader.column_reader("id")
        size = reader.doc_count_all()
        records = [b"" if reader.is_deleted(d) else shown[ids[d]] for d in range(size)]
        start = 8 + 8 * (size + 1)
        offsets = array("Q", [start])
        for record in records:
            offsets.append(offsets[-1] + len(record))
        head = array("I", [generation, size])
        if sys.byteorder != "little":
            head.byteswap()
            offsets.byteswap()
        return head.tobytes() + offsets.tobytes() + b"".join(records)

    @classmethod
    def by_id(cls, path: Path) -> dict[str, bytes]:
        """Every live document's record, by id (to write the file again after an update)."""
        try:
            data = path.read_bytes()
            count = int.from_bytes(data[4:8], "little")
            offsets = array("Q", data[8:8 + 8 * (count + 1)])
        except (OSError, ValueError):
            return {}
        if sys.byteorder != "little":
            offsets.byteswap()
        records = (data[a:b] for a, b in zip(offsets, offsets[1:]))
        return {marshal.loads(record)[0]: record for record in records if record}


def idf(frequency: int, documents: int) -> float:
    """BM25's inverse document frequency: how much matching a rare word says."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


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
