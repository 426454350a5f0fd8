"""Controlled vocabularies, read from the YAML data files in data/vocabularies."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

# Vocabulary name -> data file. The names are those used by the card model.
VOCABULARY_FILES = {
    "themes": "themes.yaml",
    "familles": "familles.yaml",
    "publics": "publics.yaml",
    "porteurs": "porteurs.yaml",
    "territoires": "territoires.yaml",
    "echelles": "echelles.yaml",
    "cadres": "cadres.yaml",
    "statuts": "statuts.yaml",
}


@dataclass(frozen=True)
class Term:
    id: str
    label: str
    definition: str
    synonyms: tuple[str, ...] = ()
    family: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[Term, ...]
    by_id: dict[str, Term] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_id", {t.id: t for t in self.terms})

    def __contains__(self, term_id: object) -> bool:
        return term_id in self.by_id

    def ids(self) -> list[str]:
        return [t.id for t in self.terms]

    def label(self, term_id: str) -> str:
        return self.by_id[term_id].label

    def suggest(self, value: str) -> str | None:
        """The closest known id to a misspelled value, by id, label or synonym."""
        wanted = fold(value)
        keys = {}
        for t in self.terms:
            for key in (t.id, t.label, *t.synonyms):
                keys.setdefault(fold(key), t.id)
        match = difflib.get_close_matches(wanted, list(keys), n=1, cutoff=0.6)
        return keys[match[0]] if match else None

    def resolve(self, value: str) -> str | None:
        """The id for a value given as id, label or synonym (case and accents ignored)."""
        wanted = fold(value)
        for t in self.terms:
            if wanted in {fold(t.id), fold(t.label)}:
                return t.id
        for t in self.terms:
            if wanted in {fold(s) for s in t.synonyms}:
                return t.id
        return None


def fold(text: str) -> str:
    """Lower-case, accent-free, with spaces for separators: for comparing labels."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(bare.replace("_", " ").replace("-", " ").replace("'", " ").split())


def _term(entry: dict) -> Term:
    return Term(
        id=entry["id"],
        label=entry["libelle"],
        definition=entry["definition"],
        synonyms=tuple(entry.get("synonymes") or ()),
        family=entry.get("famille"),
    )


@cache
def vocabulary(name: str) -> Vocabulary:
    text = resources.files("essaim").joinpath("data", "vocabularies", VOCABULARY_FILES[name]).read_text("utf-8")
    return Vocabulary(name, tuple(_term(e) for e in yaml.safe_load(text)))


def all_vocabularies() -> dict[str, Vocabulary]:
    return {name: vocabulary(name) for name in VOCABULARY_FILES}
