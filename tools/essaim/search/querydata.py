"""The data that query understanding runs on, derived from the vocabularies, the thesaurus and the index.

- `lexicon_entries(text)`: indexed words of a text, folded as a query folds them, with their index term;
  the index keeps the union for the whole base (with each term's document frequency) beside itself.
- `query_data(places)`: stop words, question words and the phrase table (vocabulary labels, synonyms and
  acronyms; thesaurus expressions; place names of the base), keyed by the phrase's index terms.

Both are plain JSON: the command line reads them from the index folder, the site from its static files.
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

from essaim.pipeline.facets import FACET_VOCABULARIES
from essaim.search.understanding import TOKEN, fold, fold_inclusive
from essaim.model.vocabularies import acronym_expansions, vocabulary

FORMAT = 2  # 2: each place target carries the place's own folded words
# vocabulary -> the facet it fills; cadres (frames) have no facet: their names count as words only.
VOCABULARY_FACETS = {vocab: facet for facet, vocab in FACET_VOCABULARIES.items()
                     if vocab in ("themes", "publics", "porteurs", "territoires")}


@cache
def thesaurus() -> dict:
    from essaim.text.yamlreader import load_data  # written at indexing: searching never reads YAML

    text = resources.files("essaim").joinpath("data", "thesaurus.yaml").read_text("utf-8")
    return load_data(text)


@cache
def stop_words() -> frozenset[str]:
    from essaim.search.engine import STOPWORDS

    return frozenset(fold(w) for w in STOPWORDS)


@lru_cache(maxsize=500_000)
def _entry(token: str) -> tuple[str, str] | None:
    from essaim.search.engine import index_term

    term = index_term(token)
    return (fold(fold_inclusive(token)), term) if term else None


def lexicon_entries(text: str) -> dict[str, str]:
    """{folded word: index term} for the distinct words of a text."""
    found = {}
    for token in set(TOKEN.findall(text)):
        entry = _entry(token)
        if entry:
            found[entry[0]] = entry[1]
    return found


def phrase_terms(phrase: str) -> tuple[str, ...]:
    """A phrase's index terms, as a query would resolve its words (stop words out)."""
    stop = stop_words()
    out = []
    for token in TOKEN.findall(phrase):
        word = fold(fold_inclusive(token))
        entry = _entry(token)
        if len(word) > 1 and word not in stop and entry:
            out.append(entry[1])
    return tuple(out)


def surface_words(phrase: str) -> str:
    """A name's folded words before stemming: a place is suggested only when the reader wrote them
    (« garder » shares the index term of « Gard », but is not the Gard)."""
    stop = stop_words()
    words = (fold(fold_inclusive(token)) for token in TOKEN.findall(phrase))
    return " ".join(w for w in words if len(w) > 1 and w not in stop)


def query_data(places: dict[str, list[list[str]]] | None = None) -> dict:
    """Stop words, question words and the phrase table. `places`: place name -> [[facet, code]]."""
    phrases: dict[str, dict] = {}

    def add(phrase: str, tags=(), alts=(), place_targets=()):
        key = " ".join(phrase_terms(phrase))
        if not key:
            return
        entry = phrases.setdefault(key, {})
        for name, values in (("tags", tags), ("alts", alts), ("places", place_targets)):
            for value in values:
                value = list(value)
                if value and value not in entry.setdefault(name, []) and not (name == "alts" and " ".join(value) == key):
                    entry[name].append(value)

    for vocab_name, facet in VOCABULARY_FACETS.items():
        for term in vocabulary(vocab_name).terms:
            for name in (term.label, *term.synonyms):
                add(name, tags=[(facet, term.id)])
    for acronym, expansion, _ in acronym_expansions():
        add(acronym, alts=[phrase_terms(expansion)])
        add(expansion, alts=[phrase_terms(acronym)])
    for entry in thesaurus()["entrees"]:
        wanted = entry["cherche"]
        tags = [(VOCABULARY_FACETS[v], i) for v in VOCABULARY_FACETS for i in wanted.get(v, [])]
        alts = [phrase_terms(m) for m in wanted.get("mots", [])]
        for said in entry["dit"]:
            add(said, tags=tags, alts=alts)
    for name, targets in sorted((places or {}).items()):
        add(name, place_targets=[[*target, surface_words(name)] for target in targets])
    for entry in phrases.values():
        for name in ("tags", "alts", "places"):
            entry.setdefault(name, [])
    question = sorted({fold(w) for w in thesaurus()["mots_vides_requete"]})
    return {"format": FORMAT, "stop": sorted(stop_words()), "questionWords": question, "phrases": phrases}


def data_words(data: dict, places: dict | None = None) -> dict[str, str]:
    """Lexicon entries for every word the phrase table and question words use."""
    found: dict[str, str] = {}
    texts = [w for w in data["questionWords"]]
    for vocab_name in VOCABULARY_FACETS:
        for term in vocabulary(vocab_name).terms:
            texts += [term.label, *term.synonyms]
    for acronym, expansion, _ in acronym_expansions():
        texts += [acronym, expansion]
    for entry in thesaurus()["entrees"]:
        texts += entry["dit"] + entry["cherche"].get("mots", [])
    texts += list(places or {})
    for text in texts:
        found.update(lexicon_entries(text))
    return found


def check_thesaurus() -> list[str]:
    """Problems in the thesaurus data file (unknown vocabulary ids), for the tests and the validator."""
    problems = []
    for number, entry in enumerate(thesaurus()["entrees"], 1):
        for vocab_name in entry["cherche"]:
            if vocab_name == "mots":
                continue
            if vocab_name not in VOCABULARY_FACETS:
                problems.append(f"entrée {number} : vocabulaire « {vocab_name} » inconnu")
                continue
            for term_id in entry["cherche"][vocab_name]:
                if term_id not in vocabulary(vocab_name):
                    problems.append(f"entrée {number} : « {term_id} » absent du vocabulaire {vocab_name}")
    return problems

