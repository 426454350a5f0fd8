"""The files Essaim writes with the search index, and what reads them without numpy or whoosh.

A query is answered from these files alone: the sets file (facet and kind bitmasks, sort orders, field
lengths, labels, whoosh's statistics), the lexicon and query data (JSON), the documents file (what a hit
shows) and one postings file per whoosh segment (each analysed term's documents and weights, field by
field). whoosh writes the index and makes snippets; essaim.search.engine writes these files after each
commit. Both readers, the engine (numpy vectors, for processes that ask many queries) and
essaim.search.quick (plain Python, for the one query of the command line), read them from here.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import math
import mmap
import os
import re
import sys
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from essaim.search.results import Hit, Results, Suggestion

from collections.abc import Callable

if TYPE_CHECKING:
    from essaim.search.understanding import Group, Understanding

# Bump when the schema, the analysis or these files change: older indexes are rebuilt.
INDEX_FORMAT = 15
FIELD_BOOSTS = {"title": 4.0, "keywords": 2.5, "summary": 2.0, "places": 2.0, "carrier": 1.5, "body": 1.0}
B, K1 = 0.75, 1.2  # whoosh's BM25F defaults, the weighting the index is scored with
TAG_WEIGHT = 3.0  # a vocabulary term reached through a synonym or the thesaurus scores TAG_WEIGHT × idf
FUZZY_FACTOR = 0.8  # an alternative reached by correction, prefix or stem fallback scores a little lower
META_FILE = "essaim-index.json"
LEXICON_FILE = "lexique.json"  # indexed words -> terms, term frequencies, places: what queries are read against
QUERY_DATA_FILE = "requete.json"  # stop words, question words, phrase table (essaim.search.querydata)
SETS_FILE = "ensembles.bin"  # facet and kind bitmasks, sort orders: read in one go when the index opens
WORDS_FILE = "mots.bin"  # the lexicon's words and frequencies, as read at query time (words_bytes)
DOCUMENTS_FILE = "documents.bin"  # what a hit shows, by document number (Documents)
POSTINGS_FILE = "postings-{}.bin"  # one per whoosh segment (Postings)
ARRAYS = {"orders": "i", "lengths": "B"}  # arrays of the sets file and their types (array module codes)
TOC_NAME = re.compile(r"_MAIN_(\d+)\.toc")  # whoosh's table of contents, one per generation
SHOWN = ("id", "kind", "title", "carrier", "url", "updated", "facet_values")  # what a hit shows
MAX_SUGGESTIONS = 4
# Suggested filters, most telling first: a place the reader named, then what the action is about, then for whom.
SUGGESTION_ORDER = ("region", "departement", "theme", "public", "territoire", "porteur")


def idf(frequency: int, documents: int) -> float:
    """BM25's inverse document frequency: how much matching a rare word says."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


def term_idf(frequency: int, documents: int) -> float:
    """whoosh's idf of a term in a field (scoring.WeightingModel.idf), deleted documents included."""
    return math.log(documents / (frequency + 1)) + 1


def data_digest() -> str:
    """Digest of the data files query understanding is built from: a change rebuilds the index."""
    from essaim.model.vocabularies import VOCABULARY_FILES

    digest = hashlib.sha1()
    data = Path(__file__).resolve().parent.parent / "data"  # the package's data (importlib.resources costs more)
    for path in ["thesaurus.yaml", *(f"vocabularies/{n}" for n in sorted(VOCABULARY_FILES.values()))]:
        digest.update((data / path).read_bytes())
    return digest.hexdigest()


def meta_stale_reason(folder: Path) -> str | None:
    """Why the index's description rules it out (format, data), or None."""
    try:
        meta = json.loads((folder / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return "index sans description lisible"
    if meta.get("format") != INDEX_FORMAT:
        return f"format {meta.get('format')} périmé (attendu : {INDEX_FORMAT})"
    if meta.get("data") != data_digest():
        return "vocabulaires ou thésaurus modifiés"
    return None


def generation(folder: Path) -> int:
    """whoosh's latest generation in a folder (as index.latest_generation(), without opening the index)."""
    found = [int(m.group(1)) for name in os.listdir(folder) if (m := TOC_NAME.fullmatch(name))]
    return max(found, default=-1)


def toc_digest(folder: Path, number: int) -> str:
    """Digest of whoosh's table of contents: the files written with the index belong to this one."""
    try:
        return hashlib.sha1((folder / f"_MAIN_{number}.toc").read_bytes()).hexdigest()
    except OSError:
        return ""


def _little(values: array) -> array:
    if sys.byteorder != "little":
        values.byteswap()
    return values


def sets_bytes(header: dict, sets: dict, size: int) -> bytes:
    """The sets file: a JSON header (generation, documents, statistics, where each set lies), then the raw sets.

    sets: "facets" (facet -> value -> bitmask), "kinds" (kind -> bitmask), "live" (bitmask), "orders" and
    "lengths" (name -> sequence of ints)."""
    width = (size + 7) // 8
    chunks, places = [], []
    for group, table in (("facets", sets["facets"]), ("kinds", {"": sets["kinds"]}), ("live", {"": {"": sets["live"]}})):
        for facet, values in table.items():
            for value, bits in values.items():
                places.append([group, facet, value])
                chunks.append(bits.to_bytes(width, "little"))
    arrays = []
    for group, code in ARRAYS.items():
        for name, values in sets[group].items():
            arrays.append([group, name, len(values)])
            chunks.append(_little(array(code, values)).tobytes())
    head = json.dumps({**header, "documents": size, "fields": list(sets["facets"]), "sets": places,
                       "arrays": arrays}, ensure_ascii=False).encode()
    return len(head).to_bytes(4, "little") + head + b"".join(chunks)


def read_sets(path: Path, number: int, toc: str) -> dict | None:
    """The sets file, or None when missing or written for another table of contents (another generation
    of the index, or one since damaged). Arrays are returned as array-module arrays."""
    try:
        data = path.read_bytes()
        length = int.from_bytes(data[:4], "little")
        header = json.loads(data[4:4 + length])
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict) or header.get("generation") != number or header.get("toc") != toc:
        return None
    size = header["documents"]
    width, at = (size + 7) // 8, 4 + length
    if {group for group, _, _ in header["arrays"]} != set(ARRAYS):
        return None
    expected = at + width * len(header["sets"]) + sum(
        array(ARRAYS[group]).itemsize * count for group, _, count in header["arrays"])
    if len(data) != expected:
        return None
    found: dict = {"facets": {facet: {} for facet in header["fields"]}, "kinds": {}, "live": 0,
                   **{group: {} for group in ARRAYS}}
    for group, facet, value in header["sets"]:
        bits = int.from_bytes(data[at:at + width], "little")
        at += width
        if group == "facets":
            found["facets"].setdefault(facet, {})[value] = bits
        elif group == "kinds":
            found["kinds"][value] = bits
        else:
            found["live"] = bits
    for group, name, count in header["arrays"]:
        values = array(ARRAYS[group])
        values.frombytes(data[at:at + values.itemsize * count])
        found[group][name] = _little(values)
        at += values.itemsize * count
    return {**found, "header": header, "size": size}


def words_bytes(number: int, words: dict[str, str], frequencies: dict[str, int]) -> bytes:
    """The words file (Words): generation and lines length (uint32), one line per indexed word (« \\nword\\x1f
    term\\x1ffrequency », sorted), then the words and frequencies in marshal form."""
    lines = ("".join(f"\n{word}\x1f{term}\x1f{frequencies.get(term, 0)}" for word, term in sorted(words.items()))
             + "\n").encode()
    return (_little(array("I", [number, len(lines)])).tobytes() + lines
            + marshal.dumps((dict(words), dict(frequencies))))


class Words:
    """The indexed words: a query looks its few words up in the lines of the words file (a scan, no table
    built); the whole lexicon (corrections of typos, the site's files) is decoded on first use."""

    def __init__(self, lines: bytes, tables: Callable[[], tuple[dict[str, str], dict[str, int]]]):
        self.lines, self._tables, self._decoded = lines, tables, None
        self.shards: dict[str, dict[str, tuple[str, int]]] = {}

    @classmethod
    def open(cls, path: Path, number: int) -> Words | None:
        try:
            data = path.read_bytes()
            written, length = _little(array("I", data[:8]))
        except (OSError, ValueError):
            return None
        if written != number:
            return None
        return cls(data[8:8 + length], lambda: marshal.loads(data[8 + length:]))

    @classmethod
    def of(cls, lexicon: dict[str, str], frequencies: dict[str, int]) -> Words:
        return cls(words_bytes(0, lexicon, frequencies)[8:], lambda: (lexicon, frequencies))

    @property
    def lexicon(self) -> dict[str, str]:
        if self._decoded is None:
            self._decoded = self._tables()
        return self._decoded[0]

    @property
    def frequencies(self) -> dict[str, int]:
        if self._decoded is None:
            self._decoded = self._tables()
        return self._decoded[1]

    def lookup(self, word: str) -> tuple[str, int] | None:
        """(term, document frequency) of an indexed word, or None."""
        if "\n" in word or "\x1f" in word:
            return None
        found = self.lines.find(f"\n{word}\x1f".encode())
        if found < 0:
            return None
        _, term, frequency = self.lines[found + 1:self.lines.index(b"\n", found + 1)].decode().split("\x1f")
        return (term, int(frequency)) if term else None

    def shard(self, letter: str) -> dict[str, tuple[str, int]]:
        """Indexed words starting with a letter, with their term and frequency (for corrections)."""
        if not self.shards:
            for word, term in self.lexicon.items():
                self.shards.setdefault(word[0], {})[word] = (term, self.frequencies.get(term, 0))
        return self.shards.get(letter, {})


def shown_record(doc) -> bytes:
    """What a hit shows of a search document, encoded for the documents file."""
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
    def open(cls, path: Path, number: int) -> Documents | None:
        try:
            with open(path, "rb") as file:
                data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)  # ten records read, not all
        except (OSError, ValueError):
            return None
        head = _little(array("I", data[:8])) if len(data) >= 8 else array("I", [0, 0])
        if head[0] != number or len(data) < 8 + 8 * (head[1] + 1):
            return None
        offsets = _little(array("Q", data[8:8 + 8 * (head[1] + 1)]))
        return cls(data, offsets) if offsets[-1] == len(data) else None

    @staticmethod
    def encode(number: int, ids: list[str | None], shown: dict[str, bytes]) -> bytes:
        """ids: each document number's id, None where deleted."""
        records = [b"" if doc_id is None else shown[doc_id] for doc_id in ids]
        offsets = array("Q", [8 + 8 * (len(ids) + 1)])
        for record in records:
            offsets.append(offsets[-1] + len(record))
        return _little(array("I", [number, len(ids)])).tobytes() + _little(offsets).tobytes() + b"".join(records)

    @staticmethod
    def by_id(path: Path) -> dict[str, bytes]:
        """Every live document's record, by id (to write the file again after an update)."""
        try:
            data = path.read_bytes()
            count = int.from_bytes(data[4:8], "little")
            offsets = _little(array("Q", data[8:8 + 8 * (count + 1)]))
        except (OSError, ValueError):
            return {}
        records = (data[a:b] for a, b in zip(offsets, offsets[1:]))
        return {marshal.loads(record)[0]: record for record in records if record}


class Postings:
    """One whoosh segment's postings: for each field and analysed term, its document numbers (within the
    segment, deleted ones included, as whoosh counts them) and weights.

    Layout: key count and keys length (uint32), the keys (« \\nfield\\x1fterm » each, UTF-8, then « \\n »),
    count + 1 starts (uint64), then every posting's document number (uint32), then every weight (float32, as
    whoosh stores them). Memory-mapped: a query finds its keys by a scan of the keys (no table built) and
    reads the pages of its terms only."""

    def __init__(self, path: Path):
        with open(path, "rb") as file:
            self.map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        count, length = _little(array("I", self.map[:8]))
        self.keys = self.map[8:8 + length]
        self.starts_at = 8 + length
        self.ids_at = self.starts_at + 8 * (count + 1)
        self.weights_at = self.ids_at + 4 * self._start(count)

    def _start(self, at: int) -> int:
        return int.from_bytes(self.map[self.starts_at + 8 * at:self.starts_at + 8 * at + 8], "little")

    def extent(self, name: str, term: str) -> tuple[int, int]:
        """(first, end) positions of a field's term among the postings; equal when absent."""
        found = self.keys.find(f"\n{name}\x1f{term}\n".encode())
        if found < 0:
            return 0, 0
        at = self.keys.count(b"\n", 0, found)  # the key's rank
        return self._start(at), self._start(at + 1)

    def read(self, name: str, term: str) -> tuple[array, array]:
        """(document numbers, weights) of a field's term in this segment."""
        first, end = self.extent(name, term)
        ids, weights = array("I"), array("f")
        ids.frombytes(self.map[self.ids_at + 4 * first:self.ids_at + 4 * end])
        weights.frombytes(self.map[self.weights_at + 4 * first:self.weights_at + 4 * end])
        return _little(ids), _little(weights)

    def close(self) -> None:
        self.map.close()

    @staticmethod
    def encode(postings: dict[str, tuple[list[int], list[float]]]) -> bytes:
        """postings: « field\\x1fterm » -> (document numbers, weights)."""
        keys = sorted(postings)
        starts, ids, weights = array("Q", [0]), array("I"), array("f")
        for key in keys:
            numbers, values = postings[key]
            ids.extend(numbers)
            weights.extend(values)
            starts.append(len(ids))
        text = ("".join(f"\n{key}" for key in keys) + "\n").encode()
        return (_little(array("I", [len(keys), len(text)])).tobytes() + text + _little(starts).tobytes()
                + _little(ids).tobytes() + _little(weights).tobytes())


def results_of(text: str, understanding: Understanding | None, final: int, complete: int,
               facet_counts: dict[str, dict[str, int]], filters: dict[str, list[str]],
               facet_masks: dict[str, dict[str, int]], ranked: list[tuple[int, float]],
               hit: Callable[[int, float, frozenset[str]], Hit]) -> Results:
    """A query's Results, as both readers assemble them: ranked (document, score) pairs made into hits,
    the count of results holding every word (complete: their bitmask), corrections and suggested filters."""
    words = frozenset(t for g in (understanding.groups if understanding else []) for a in g.alternatives
                      for t in a.terms)
    results = Results(text, final.bit_count(), [hit(docnum, score, words) for docnum, score in ranked],
                      facet_counts, complete=(complete & final).bit_count())
    if understanding is not None:
        results.suggestion = understanding.corrected_text(text)
        results.corrected = bool(understanding.corrections)
        results.ignored = understanding.ignored
        results.suggestions = [Suggestion(*found) for found in suggestions(understanding.groups, final, filters,
                                                                            facet_masks)]
    return results


def suggestions(groups: list[Group], final: int, filters: dict[str, list[str]],
                facet_masks: dict[str, dict[str, int]]) -> list[tuple[str, str, int]]:
    """Filters the words name (a theme, a public, a place…), with the count each would give."""
    found: dict[tuple[str, str], int] = {}
    for group in groups:
        for facet, value in group.targets:
            if value in filters.get(facet, []) or (facet, value) in found:
                continue
            count = (final & facet_masks.get(facet, {}).get(value, 0)).bit_count()
            if count:
                found[(facet, value)] = count
    rank = {facet: i for i, facet in enumerate(SUGGESTION_ORDER)}
    ordered = sorted(found.items(), key=lambda item: (rank.get(item[0][0], len(rank)), -item[1]))[:MAX_SUGGESTIONS]
    return [(facet, value, count) for (facet, value), count in ordered]



@dataclass(kw_only=True)
class Files:
    """An index's files, opened: what every query is answered from."""

    key: tuple  # (generation folder, whoosh generation)
    size: int  # document numbers, deleted ones included
    live: int  # documents in service
    live_mask: int
    facet_masks: dict[str, dict[str, int]]
    kinds: dict[str, int]
    orders: dict  # "rank": place in (title, id) order; "title", "date": documents in order
    lengths: dict  # field -> every document's length byte (whoosh's encoding, 0 where absent)
    labels: dict[str, dict[str, str]]  # facet -> value -> French label, for every value in the index
    statistics: dict  # whoosh's: "field_lengths" (field -> total), "length_table" (length byte -> length)
    words: Words
    query_data: dict
    documents: Documents | None  # what a hit shows, by document number
    segments: list[tuple[Postings, int]]  # postings of each segment, with its first document number

    @classmethod
    def open(cls, folder: Path, **extra) -> Files | None:
        """The files of the index in folder, or None when they are missing or belong to another state of it."""
        number = generation(folder)
        sets = read_sets(folder / SETS_FILE, number, toc_digest(folder, number))
        if sets is None:
            return None
        header = sets["header"]
        try:
            segments = [(Postings(folder / POSTINGS_FILE.format(segment)), offset)
                        for segment, offset in header["segments"]]
        except (OSError, ValueError):
            return None
        words = Words.open(folder / WORDS_FILE, number)
        if words is None:
            return None
        return cls(key=(str(folder), number), size=sets["size"], live=header["live"], live_mask=sets["live"],
                   facet_masks=sets["facets"], kinds=sets["kinds"], orders=sets["orders"], lengths=sets["lengths"],
                   labels=header["labels"], statistics=header["statistics"], words=words,
                   query_data=json.loads((folder / QUERY_DATA_FILE).read_text("utf-8")),
                   documents=Documents.open(folder / DOCUMENTS_FILE, number), segments=segments, **extra)

    @property
    def lexicon(self) -> dict[str, str]:
        return self.words.lexicon

    @property
    def frequencies(self) -> dict[str, int]:
        return self.words.frequencies

    def lookup(self, word: str) -> tuple[str, int] | None:
        return self.words.lookup(word)

    def shard(self, letter: str) -> dict[str, tuple[str, int]]:
        return self.words.shard(letter)

    def label(self, facet: str, value: str) -> str:
        found = self.labels.get(facet, {}).get(value)
        if found is not None:
            return found
        from essaim.pipeline.facets import facet_label

        return facet_label(facet, value)

    def postings(self, name: str, term: str) -> tuple[list[tuple[array, array, int]], int]:
        """([(document numbers, weights, first document number of the segment)], whoosh's document frequency)
        of a field's term. Document numbers are within their segment, deleted documents included."""
        found, frequency = [], 0
        for segment, offset in self.segments:
            ids, weights = segment.read(name, term)
            if ids:
                found.append((ids, weights, offset))
                frequency += len(ids)
        return found, frequency

    def bm25(self, name: str, frequency: int) -> tuple[float, float, float, float]:
        """(idf, average field length, B, K1) of a field's term with that document frequency, as whoosh's
        BM25F scorer computes them."""
        average = self.statistics["field_lengths"].get(name, 0) / (self.size or 1)
        return term_idf(frequency, self.size), average or 1, B, K1

    def close(self) -> None:
        for segment, _ in self.segments:
            segment.close()
        self.segments = []
