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

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import whoosh
from whoosh import highlight, index, qparser, scoring
from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.lang import stopwords_for_language
from whoosh.query import Every, Term
from whoosh.support.charset import accent_map

from essaim.search.documents import FACETS, SearchDocument
from essaim.search.facets import counts
from essaim.search.text import WORD_PATTERN, expansions, fold_inclusive, nfc

# Bump when the schema or the analysis changes: older indexes are rebuilt.
INDEX_FORMAT = 4
FIELD_BOOSTS = {"title": 4.0, "keywords": 2.5, "summary": 2.0, "places": 2.0, "carrier": 1.5, "body": 1.0}
LOCK_TIMEOUT = 60.0
ELISIONS = {"jusqu", "lorsqu", "puisqu", "quoiqu", "presqu"}
MORE_STOPWORDS = {"les", "cet", "cette", "dont", "leurs", "plus", "tout", "tous", "toutes", "sans", "comme"}


class InclusiveFilter(Filter):
    """Folds inclusive writing: professionnel·les → professionnels."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold_inclusive(token.text)
            yield token


def french_analyzer():
    """Words, inclusive writing folded, lower case, stop words and elisions out, accents folded, then stemmed.

    Accents are folded before stemming so that « accès » and « acces » give the same stem."""
    stops = frozenset(stopwords_for_language("fr")) | ELISIONS | MORE_STOPWORDS
    return (RegexTokenizer(WORD_PATTERN) | InclusiveFilter() | LowercaseFilter()
            | StopFilter(stoplist=stops, minsize=1) | CharsetFilter(accent_map) | StemFilter(lang="fr"))


def schema() -> Schema:
    text = french_analyzer()
    facets = {name: KEYWORD(commas=True, lowercase=False) for name in FACETS}
    return Schema(
        id=ID(unique=True, stored=True), kind=ID(stored=True), url=STORED, digest=STORED,
        updated=ID(stored=True, sortable=True), title_sort=ID(sortable=True),
        facet_values=STORED,
        title=TEXT(analyzer=text, stored=True, field_boost=FIELD_BOOSTS["title"]),
        summary=TEXT(analyzer=text, stored=True, field_boost=FIELD_BOOSTS["summary"]),
        body=TEXT(analyzer=text, stored=True, field_boost=FIELD_BOOSTS["body"]),
        carrier=TEXT(analyzer=text, stored=True, field_boost=FIELD_BOOSTS["carrier"]),
        places=TEXT(analyzer=text, stored=False, field_boost=FIELD_BOOSTS["places"]),
        keywords=TEXT(analyzer=text, stored=False, field_boost=FIELD_BOOSTS["keywords"]),
        **facets,
    )


def analyze(text: str) -> list[str]:
    """The terms the index would hold for a text (for tests and diagnostics)."""
    return [t.text for t in french_analyzer()(nfc(text))]


class IndexBusy(Exception):
    pass


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
    extra: dict = field(default_factory=dict)


def _fields(doc: SearchDocument) -> dict:
    values = {name: ",".join(doc.facets.get(name, [])) for name in FACETS}
    return dict(id=doc.id, kind=doc.kind, url=doc.url, digest=doc.digest, updated=doc.updated,
                title_sort=doc.title.lower(), facet_values=doc.facets, title=doc.title, summary=doc.summary,
                body=doc.body, carrier=doc.carrier, places=doc.places, keywords=doc.keywords, **values)


class SearchIndex:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.current = self.root / "current"
        self._value_sets: tuple[object, dict] | None = None

    # --- writing -----------------------------------------------------------

    @contextmanager
    def _lock(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusy("l'index est en cours d'écriture par un autre processus") from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

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

    def update(self, docs: list[SearchDocument], rebuild: bool = False) -> UpdateReport:
        """Bring the index in line with docs: only what changed, or everything if needed."""
        with self._lock():
            reason = "reconstruction demandée" if rebuild else self.stale_reason()
            if reason:
                self._build(docs)
                return UpdateReport(rebuilt=True, added=len(docs), reason=reason)
            return self._incremental(docs)

    def _build(self, docs: list[SearchDocument]) -> None:
        generation = self.root / f"gen-{time.time_ns()}-{os.getpid()}"
        generation.mkdir(parents=True)
        ix = index.create_in(str(generation), schema())
        writer = ix.writer(limitmb=256, procs=1)
        for doc in docs:
            writer.add_document(**_fields(doc))
        writer.commit(optimize=True)
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

    def _incremental(self, docs: list[SearchDocument]) -> UpdateReport:
        ix = index.open_dir(str(self.current))
        with ix.searcher() as searcher:
            indexed = {f["id"]: f["digest"] for f in searcher.all_stored_fields()}
        wanted = {d.id: d for d in docs}
        report = UpdateReport(rebuilt=False)
        changed = [d for d in docs if indexed.get(d.id) != d.digest]
        removed = [i for i in indexed if i not in wanted]
        if not changed and not removed:
            return report
        writer = ix.writer(timeout=LOCK_TIMEOUT)
        for doc in changed:
            writer.update_document(**_fields(doc))
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

    def _open(self):
        return index.open_dir(str(self.current))

    def _facet_sets(self, ix, searcher) -> dict[str, dict[str, set[int]]]:
        """Value -> set of document numbers, per facet; cached per index generation."""
        key = (str(self.current.resolve()), ix.latest_generation())
        if self._value_sets and self._value_sets[0] == key:
            return self._value_sets[1]
        sets = {}
        for facet in FACETS:
            sets[facet] = {value.decode("utf-8") if isinstance(value, bytes) else value:
                           set(searcher.docs_for_query(Term(facet, value)))
                           for value in searcher.lexicon(facet)}
        self._value_sets = (key, sets)
        return sets

    def search(self, text: str = "", filters: dict[str, list[str]] | None = None, kind: str | None = "action",
               sort: str = "pertinence", limit: int = 10, offset: int = 0) -> Results:
        filters = {k: v for k, v in (filters or {}).items() if v}
        text = nfc(text or "").strip()
        ix = self._open()
        with ix.searcher(weighting=scoring.BM25F()) as searcher:
            value_sets = self._facet_sets(ix, searcher)
            kind_docs = set(searcher.docs_for_query(Term("kind", kind))) if kind else None
            suggestion, corrected = None, False
            if text:
                query = self._parse(ix, text)
                scored = self._scored(searcher, query, kind_docs)
                if not scored:
                    fixed = searcher.correct_query(query, _clean(text))
                    if fixed.string != _clean(text):
                        suggestion = fixed.string
                        scored = self._scored(searcher, self._parse(ix, fixed.string), kind_docs)
                        corrected = bool(scored)
            else:
                query = None
                docs = kind_docs if kind_docs is not None else set(searcher.docs_for_query(Every()))
                scored = {d: 0.0 for d in docs}
            final, facet_counts = counts(set(scored), value_sets, filters)
            ordered = self._order(searcher, final, scored, sort)
            hits = [self._hit(searcher, docnum, scored[docnum], query) for docnum in ordered[offset:offset + limit]]
        return Results(text, len(final), hits, facet_counts, suggestion, corrected)

    @staticmethod
    def _parse(ix, text: str):
        parser = qparser.MultifieldParser(list(FIELD_BOOSTS), ix.schema, group=qparser.OrGroup.factory(0.9))
        parser.remove_plugin_class(qparser.WildcardPlugin)
        parser.remove_plugin_class(qparser.FieldsPlugin)
        parser.add_plugin(qparser.FuzzyTermPlugin())
        return parser.parse(" ".join([_clean(text), *expansions(text)]))

    @staticmethod
    def _scored(searcher, query, kind_docs) -> dict[int, float]:
        results = searcher.search(query, limit=None, filter=kind_docs, terms=False)
        return {hit.docnum: hit.score for hit in results}

    @staticmethod
    def _order(searcher, final: set[int], scored: dict[int, float], sort: str) -> list[int]:
        if sort == "date":
            return sorted(final, key=lambda d: (searcher.stored_fields(d)["updated"], scored[d]), reverse=True)
        if sort == "titre":
            return sorted(final, key=lambda d: searcher.stored_fields(d)["title"].lower())
        return sorted(final, key=lambda d: (-scored[d], searcher.stored_fields(d)["title"].lower()))

    @staticmethod
    def _hit(searcher, docnum: int, score: float, query) -> Hit:
        stored = searcher.stored_fields(docnum)
        snippet = stored["summary"]
        if query is not None:
            terms = {t for t in query.iter_all_terms() if t[0] in ("summary", "body")}
            for name in ("summary", "body"):
                fragment = _highlight(stored[name], {t[1] for t in terms if t[0] == name}, searcher, name)
                if fragment:
                    snippet = fragment
                    break
        return Hit(id=stored["id"], kind=stored["kind"], title=stored["title"], carrier=stored["carrier"],
                   url=stored["url"], score=round(score, 4), snippet=snippet, updated=stored["updated"],
                   facets=stored["facet_values"])

    def similar(self, doc_id: str, count: int = 5) -> list[str]:
        """The ids of the cards closest to one card, by the distinctive terms of its text."""
        ix = self._open()
        with ix.searcher() as searcher:
            docnum = searcher.document_number(id=doc_id)
            if docnum is None:
                return []
            actions = set(searcher.docs_for_query(Term("kind", "action")))
            hits = searcher.more_like(docnum, "body", top=count, numterms=20, filter=actions)
            return [hit["id"] for hit in hits]

    def document_count(self) -> int:
        with self._open().searcher() as searcher:
            return searcher.doc_count()


def _clean(text: str) -> str:
    """User words only: query syntax characters become spaces, operators lose their power."""
    kept = "".join(c if c.isalnum() or c in " '’-·" else " " for c in text)
    return " ".join(w.lower() if w in ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE") else w for w in kept.split())


def _highlight(text: str, terms: set, searcher, fieldname: str) -> str:
    if not terms or not text:
        return ""
    analyzer = searcher.schema[fieldname].analyzer
    fragmenter = highlight.ContextFragmenter(maxchars=200, surround=60)
    words = frozenset(t.decode() if isinstance(t, bytes) else t for t in terms)
    return highlight.highlight(text, words, analyzer, fragmenter, _MarkFormatter(), top=1)


class _MarkFormatter(highlight.Formatter):
    """Marks matched words with « [ ] » in plain text (the CLI) ; the site renders its own."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"[{highlight.get_text(text, token, replace)}]"
