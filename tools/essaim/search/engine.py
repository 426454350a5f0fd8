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
import itertools
import json
import math
import os
import re
import shutil
import time
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

import whoosh
from whoosh import highlight, index, qparser, scoring
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.query import Term
from whoosh.support.charset import accent_map

from essaim.collation import sort_text
from essaim.facets import FACETS
from essaim.locking import Busy, exclusive
from essaim.search.documents import Entry, SearchDocument
from essaim.search.facets import counts, mask, members
from essaim.search.text import WORD_PATTERN, acronyms, fold_inclusive, nfc

# Bump when the schema or the analysis changes: older indexes are rebuilt.
INDEX_FORMAT = 8
FIELD_BOOSTS = {"title": 4.0, "keywords": 2.5, "summary": 2.0, "places": 2.0, "carrier": 1.5, "body": 1.0}
LOCK_TIMEOUT = 60.0
PARALLEL_FROM = 2000  # documents: below this, one process indexes faster than several
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


@dataclass
class Hit:
    id: str
    kind: str
    title: str
    carrier: str
    url: str
    score: float
    snippet: str
    updated: str
    facets: dict[str, list[str]]


@dataclass
class Results:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    corrected: bool = False


def _fields(doc: SearchDocument) -> dict:
    values = {name: ",".join(doc.facets.get(name, [])) for name in FACETS}
    return dict(id=doc.id, kind=doc.kind, url=doc.url, digest=doc.digest, updated=doc.updated,
                title_sort=sort_text(doc.title), facet_values=doc.facets, title=doc.title, summary=doc.summary,
                body=doc.body, carrier=doc.carrier, places=doc.places, keywords=doc.keywords, **values)


class SearchIndex:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.current = self.root / "current"
        self._reading: tuple | None = None  # (key, index, searcher, facet masks, kind masks)

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
        try:
            with index.open_dir(str(self.current)).searcher() as searcher:
                searcher.doc_count()
        except Exception as error:  # noqa: BLE001 — any failure to open means a corrupt index
            return f"index illisible ({type(error).__name__})"
        return None

    def update(self, docs: list[Entry], rebuild: bool = False) -> UpdateReport:
        """Bring the index in line with docs: only what changed, or everything if needed."""
        with exclusive(self.root / ".lock", "l'index", LOCK_TIMEOUT):
            reason = "reconstruction demandée" if rebuild else self.stale_reason()
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
        for entry in docs:
            writer.add_document(**_fields(entry.make()))
        writer.commit()
        (generation / "essaim-index.json").write_text(
            json.dumps({"format": INDEX_FORMAT, "engine": f"whoosh {whoosh.versionstring()}", "documents": len(docs)}),
            encoding="utf-8")
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
        writer = ix.writer(timeout=LOCK_TIMEOUT)
        for doc in changed:
            writer.update_document(**_fields(doc.make()))
            if doc.id in indexed:
                report.updated += 1
            else:
                report.added += 1
        for doc_id in removed:
            writer.delete_by_term("id", doc_id)
            report.deleted += 1
        writer.commit()
        return report

    # --- reading -----------------------------------------------------------

    def _reader(self):
        """(index, searcher, facet masks, kind masks), reopened when the index changed on disk."""
        key = (str(self.current.resolve()),)
        ix = index.open_dir(str(self.current))
        key += (ix.latest_generation(),)
        if self._reading and self._reading[0] == key:
            return self._reading[1:5]
        if self._reading:
            self._reading[2].close()
        searcher = ix.searcher(weighting=scoring.BM25F())
        facet_masks = {facet: {_text(value): mask(searcher.docs_for_query(Term(facet, value)))
                               for value in searcher.lexicon(facet)} for facet in FACETS}
        kinds = {_text(value): mask(searcher.docs_for_query(Term("kind", value))) for value in searcher.lexicon("kind")}
        self._reading = (key, ix, searcher, facet_masks, kinds, {})
        return self._reading[1:5]

    def search(self, text: str = "", filters: dict[str, list[str]] | None = None, kind: str | None = "action",
               sort: str = "pertinence", limit: int = 10, offset: int = 0) -> Results:
        """Ranked hits and facet counts.

        Words are combined with AND — for long queries, most of the words — each word
        matching any field or one of its synonyms; when no document qualifies, with OR. The match set is computed
        on cached bitmasks of posting lists, scores from cached per-term BM25F vectors."""
        filters = {k: v for k, v in (filters or {}).items() if v}
        text = nfc(text or "").strip()
        ix, searcher, facet_masks, kinds = self._reader()
        scope = kinds.get(kind, 0) if kind else (1 << searcher.doc_count_all()) - 1
        suggestion, corrected, groups = None, False, []
        match = scope
        if text:
            groups = query_groups(text)
            match = self._match(searcher, groups, scope)
            if not match and groups:
                parsed = self._parse(ix, text)
                fixed = searcher.correct_query(parsed, _clean(text))
                if fixed.string != _clean(text):
                    suggestion = fixed.string
                    groups = query_groups(fixed.string)
                    match = self._match(searcher, groups, scope)
                    corrected = bool(match)
        final, facet_counts = counts(match, facet_masks, filters)
        if text and sort == "pertinence":
            scores = self._scores(searcher, groups, final)
            top = heapq.nlargest(offset + limit, scores, key=lambda d: (scores[d], -d))[offset:]
            ranked = [(d, scores[d]) for d in top]
        else:
            ranked = [(d, 0.0) for d in self._order(searcher, members(final), sort)[offset:offset + limit]]
        words = frozenset(t for alternatives in groups for terms in alternatives for t in terms)
        hits = [self._hit(searcher, docnum, score, words) for docnum, score in ranked]
        return Results(text, final.bit_count(), hits, facet_counts, suggestion, corrected)

    def _term_scores(self, searcher, term: str) -> dict[int, float]:
        """Document -> BM25F score of one analysed term over the boosted fields (cached).

        whoosh's own scorer gives each posting its score; caching per term makes a
        query cost its terms' posting lists once, then dictionary sums."""
        cache = self._reading[5]
        if term not in cache:
            scores: dict[int, float] = {}
            for name, boost in FIELD_BOOSTS.items():
                for docnum, score in self._field_scores(searcher, name, term).items():
                    scores[docnum] = scores.get(docnum, 0.0) + boost * score
            cache[term] = scores
        return cache[term]

    def _field_scores(self, searcher, name: str, term: str) -> dict[int, float]:
        """Document -> score of one analysed term in one field (cached)."""
        cache, key = self._reading[5], ("field", name, term)
        if key not in cache:
            scores: dict[int, float] = {}
            if (name, term) in searcher.reader():
                matcher = searcher.postings(name, term)
                scorer = searcher.weighting.scorer(searcher, name, term)
                while matcher.is_active():
                    scores[matcher.id()] = scorer.score(matcher)
                    matcher.next()
            cache[key] = scores
        return cache[key]

    def _alternative(self, searcher, terms: list[str]) -> tuple[int, dict[int, float]]:
        """Documents holding every term of an alternative (a word or a synonym phrase), with scores."""
        vectors = [self._term_scores(searcher, t) for t in terms]
        cache, key = self._reading[5], ("mask", *terms)
        if key not in cache:
            both = mask(vectors[0]) if vectors else 0
            for vector in vectors[1:]:
                both &= mask(vector)
            cache[key] = both
        if len(vectors) == 1:
            return cache[key], vectors[0]
        return cache[key], {d: sum(v[d] for v in vectors) for d in members(cache[key])}

    def _match(self, searcher, groups: list[list[list[str]]], scope: int) -> int:
        """Documents with enough of the words: all of up to three words, then about 70 % of them;
        if there are none, with any word."""
        group_masks = []
        for alternatives in groups:
            union = 0
            for terms in alternatives:
                union |= self._alternative(searcher, terms)[0]
            group_masks.append(union & scope)
        if not group_masks:
            return 0
        needed = len(group_masks) if len(group_masks) <= 3 else math.ceil(0.7 * len(group_masks))
        enough = 0
        for chosen in itertools.combinations(group_masks, needed):
            both = scope
            for group in chosen:
                both &= group
            enough |= both
        if enough:
            return enough
        some = 0
        for group in group_masks:
            some |= group
        return some

    def _scores(self, searcher, groups: list[list[list[str]]], final: int) -> dict[int, float]:
        """Score of each final document: per word its best alternative, scaled by the share of words matched."""
        totals: dict[int, float] = {}
        matched: dict[int, int] = {}
        for alternatives in groups:
            best: dict[int, float] = {}
            for terms in alternatives:
                for docnum, score in self._alternative(searcher, terms)[1].items():
                    if score > best.get(docnum, 0.0):
                        best[docnum] = score
            for docnum, score in best.items():
                totals[docnum] = totals.get(docnum, 0.0) + score
                matched[docnum] = matched.get(docnum, 0) + 1
        count = len(groups) or 1
        return {d: round(totals[d] * matched[d] / count, 4) for d in totals if final >> d & 1}

    @staticmethod
    def _parse(ix, text: str):
        parser = qparser.MultifieldParser(list(FIELD_BOOSTS), ix.schema, group=qparser.OrGroup.factory(0.9))
        parser.remove_plugin_class(qparser.WildcardPlugin)
        parser.remove_plugin_class(qparser.FieldsPlugin)
        return parser.parse(_clean(text))

    @staticmethod
    def _order(searcher, final: set[int], sort: str) -> list[int]:
        column = searcher.reader().column_reader("updated" if sort == "date" else "title_sort")
        return sorted(final, key=lambda d: column[d], reverse=sort == "date")

    @staticmethod
    def _hit(searcher, docnum: int, score: float, words: frozenset[str]) -> Hit:
        stored = searcher.stored_fields(docnum)
        snippet = stored["summary"]
        for name in ("summary", "body"):
            fragment = _highlight(stored[name], words, searcher, name)
            if fragment:
                snippet = fragment
                break
        return Hit(id=stored["id"], kind=stored["kind"], title=stored["title"], carrier=stored["carrier"],
                   url=stored["url"], score=round(score, 4), snippet=snippet, updated=stored["updated"],
                   facets=stored["facet_values"])

    def similar(self, doc_id: str, count: int = 5) -> list[str]:
        """The ids of the cards closest to one card, by the distinctive terms of its text.

        The same ranking as whoosh's more_like (the card's key terms, Bo1 model, each
        weighting its BM25F score), computed from the cached per-term scores, within a
        budget: a card's terms may read at most SIMILAR_POSTINGS postings in all, rarer
        terms first when the frequent ones do not fit. The work per card is thus bounded
        and similar cards for the whole catalog cost time linear in its size."""
        _, searcher, _, kinds = self._reader()
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
            for other, score in self._field_scores(searcher, "body", word).items():
                totals[other] = totals.get(other, 0.0) + weight * score
            if used == SIMILAR_TERMS:
                break
        actions = self._members(kinds.get("action", 0))
        candidates = [d for d in totals if d != docnum and d in actions]
        ranked = heapq.nlargest(count, candidates, key=lambda d: (totals[d], -d))
        return [searcher.stored_fields(d)["id"] for d in ranked]

    def _members(self, bits: int) -> frozenset[int]:
        """The documents of a bitmask, as a set (cached)."""
        cache = self._reading[5]
        if ("members", bits) not in cache:
            cache[("members", bits)] = frozenset(members(bits))
        return cache[("members", bits)]

    def document_count(self) -> int:
        return self._reader()[1].doc_count()

    def close(self) -> None:
        if self._reading:
            self._reading[2].close()
            self._reading = None


def query_groups(text: str) -> list[list[list[str]]]:
    """The query as groups of alternatives, each alternative a list of analysed terms.

    « MSP en QPV » → [[[msp], [maison, sant, pluriprofessionnel]], [[qpv], [quartier, priorit, …]]].
    A synonym phrase typed in full is grouped with its acronym."""
    folded_text = f" {' '.join(analyze(text))} "
    groups: list[list[list[str]]] = []
    consumed: set[str] = set()
    for acronym, phrases in acronyms().items():
        for phrase in phrases:
            terms = analyze(phrase)
            if terms and f" {' '.join(terms)} " in folded_text:
                groups.append([terms, analyze(acronym)])
                consumed.update(terms)
    for word in re.findall(WORD_PATTERN, _clean(text)):
        terms = analyze(word)
        if not terms or terms[0] in consumed:
            continue
        alternatives = [terms] + [analyze(p) for p in acronyms().get(word.upper(), ())]
        groups.append(alternatives)
        consumed.update(terms)
    return groups


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _clean(text: str) -> str:
    """User words only: query syntax characters become spaces, operators lose their power."""
    kept = "".join(c if c.isalnum() or c in " '’-·" else " " for c in text)
    return " ".join(w.lower() if w in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE") else w for w in kept.split())


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
