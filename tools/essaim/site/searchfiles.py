"""Output — the website's search index: static files that assets/moteur.js reads, with no server.

Written from the catalog and the search index (essaim.search), after mkdocs, into
<site>/recherche-index/. Every file but the manifest is gzip-compressed by us (the browser
decompresses it), so the bytes a reader downloads do not depend on the web server:

    manifeste.json            documents, layout of the facet sets, scoring parameters
    requete.json.gz           query data: stop words, question words, phrase table (essaim.search.querydata)
    lexique/<hex>.json.gz     indexed words starting with one character: {word: [term, frequency]}
    termes/<hex>.json.gz      per term, the documents (gaps) and their scores ×100, terms bucketed by FNV-1a
    facettes.bin.gz           one bitset per facet value (and per kind: action, guide), in manifest order
    fiches/<hex>.json.gz      what a result line shows, FICHES_CHUNK documents per file
    ordre-date.json.gz        documents from the most recently updated

Documents are numbered in title order, so sorting by title is reading a bitset in order, and
ranking ties go to the first title — as on the command line.
"""

from __future__ import annotations

import gzip
import json
import math
import shutil
from collections import defaultdict
from pathlib import Path

from essaim.pipeline.catalog import Card, Catalog, Guide
from essaim.pipeline.facets import card_facets, facet_label
from essaim.search.engine import FUZZY_FACTOR, TAG_WEIGHT, SearchIndex
from essaim.site.facets import FACETS
from essaim.site.pages import french_date
from essaim.model.vocabularies import vocabulary

FOLDER = "recherche-index"
FORMAT = 1
FICHES_CHUNK = 16
TERMS_PER_BUCKET = 4
SUMMARY_CHARS = 200
# Facets the site filters on: those of the search page, the status and the contact indicator.
SITE_FACETS = [*FACETS, "statut", "contact", "fraicheur"]
LEVELS = {"complete": "fiche complète", "partielle": "fiche partielle", "ebauche": "ébauche"}


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of a text's UTF-8 bytes (the same function as moteur.js)."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def excerpt(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The text cut at a word boundary, with « … » when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return cut + " …"


def place_label(card: Card, facets: dict[str, list[str]]) -> str:
    communes = [c.name for c in card.meta.territory.communes]
    if communes:
        return ", ".join(communes[:3]) + (" …" if len(communes) > 3 else "")
    if facets["departement"]:
        return ", ".join(facet_label("departement", d) for d in facets["departement"][:3])
    if facets["region"]:
        return ", ".join(facet_label("region", r) for r in facets["region"][:2])
    return "national" if card.meta.territory.scale == "national" else ""


def card_record(card: Card) -> dict:
    m = card.meta
    facets = card_facets(card)
    return {"id": card.id, "u": card.url, "t": m.title, "r": excerpt(m.summary), "p": m.carrier.name,
            "pt": vocabulary("porteurs").label(m.carrier.type), "l": place_label(card, facets),
            "s": m.status, "sl": vocabulary("statuts").label(m.status), "a": m.period.start, "f": m.period.end,
            "c": bool(m.contacts), "n": LEVELS.get(card.level, card.level), "m": m.updated,
            "md": french_date(m.updated), "k": "action"}


def guide_record(guide: Guide) -> dict:
    return {"id": guide.id, "u": guide.url, "t": guide.meta.title, "r": excerpt(guide.meta.summary),
            "m": guide.meta.updated, "md": french_date(guide.meta.updated), "k": "guide"}


def _write(path: Path, content) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content if isinstance(content, bytes) else json.dumps(content, ensure_ascii=False,
                                                                   separators=(",", ":")).encode("utf-8")
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(packed)
    return len(packed)


def write_search_files(catalog: Catalog, index_root: Path, site: Path) -> dict[str, int]:
    """Write <site>/recherche-index from the catalog and the search index; returns bytes per kind of file."""
    search_index = SearchIndex(index_root)
    reading = search_index.reading()
    reader = reading.searcher.reader()
    ids, titles = reader.column_reader("id"), reader.column_reader("title_sort")
    live = sorted(reader.all_doc_ids(), key=lambda d: (titles[d], ids[d]))
    number = {d: i for i, d in enumerate(live)}  # whoosh document -> site number (title order)
    size = math.ceil(len(live) / 8)
    target = site / FOLDER
    if target.exists():
        shutil.rmtree(target)
    sizes: dict[str, int] = defaultdict(int)

    # Lexicon, by first character.
    shards: dict[str, dict] = defaultdict(dict)
    for word, term in reading.lexicon.items():
        shards[word[0]][word] = [term, reading.frequencies.get(term, 0)]
    for letter, entries in shards.items():
        sizes["lexique"] += _write(target / "lexique" / f"{ord(letter):x}.json.gz", entries)
    sizes["requete"] = _write(target / "requete.json.gz", reading.query_data)

    # Postings: terms bucketed by hash.
    terms = [t for t, df in reading.frequencies.items() if df > 0]
    buckets = 1 << max(4, math.ceil(math.log2(max(1, len(terms) / TERMS_PER_BUCKET))))
    bucketed: dict[int, dict] = defaultdict(dict)
    for term in terms:
        scores = sorted((number[d], round(s * 100)) for d, s in search_index.term_scores(term).items() if d in number)
        if not scores:
            continue
        gaps = [scores[0][0]] + [b[0] - a[0] for a, b in zip(scores, scores[1:])]
        bucketed[fnv1a(term) % buckets][term] = [gaps, [s for _, s in scores]]
    for bucket, content in bucketed.items():
        sizes["termes"] += _write(target / "termes" / f"{bucket:x}.json.gz", content)

    # Facet sets, documents, orders.
    documents: list[dict] = []
    by_id = {c.id: c for c in catalog.cards}
    guides = {g.id: g for g in catalog.guides}
    values: dict[str, dict[str, bytearray]] = {facet: {} for facet in ["type", *SITE_FACETS]}
    for n, docnum in enumerate(live):
        doc_id = ids[docnum]
        record = card_record(by_id[doc_id]) if doc_id in by_id else guide_record(guides[doc_id])
        facets = reading.searcher.stored_fields(docnum)["facet_values"]  # the engine's own facets: same sets
        documents.append(record)
        for facet, facet_values in [("type", [record["k"]])] + [(f, facets.get(f, [])) for f in SITE_FACETS]:
            for value in facet_values:
                bits = values[facet].setdefault(value, bytearray(size))
                bits[n >> 3] |= 1 << (n & 7)
    layout = [{"cle": facet, "valeurs": sorted(values[facet])} for facet in values]
    sizes["facettes"] = _write(target / "facettes.bin.gz",
                               b"".join(bytes(values[f["cle"]][v]) for f in layout for v in f["valeurs"]))
    for start in range(0, len(documents), FICHES_CHUNK):
        sizes["fiches"] += _write(target / "fiches" / f"{start // FICHES_CHUNK:x}.json.gz",
                                  documents[start:start + FICHES_CHUNK])
    by_date = sorted(range(len(documents)), key=lambda n: (documents[n]["m"] or "", -n), reverse=True)
    sizes["ordre"] = _write(target / "ordre-date.json.gz", by_date)
    manifest = {"format": FORMAT, "documents": len(documents), "paquets": buckets, "paquet_fiches": FICHES_CHUNK,
                "facettes": layout, "poids_etiquette": TAG_WEIGHT, "facteur_approche": FUZZY_FACTOR}
    manifest_path = target / "manifeste.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    sizes["manifeste"] = manifest_path.stat().st_size
    search_index.close()
    return dict(sizes)


def folder_bytes(site: Path) -> int:
    return sum(p.stat().st_size for p in (site / FOLDER).rglob("*") if p.is_file())
