"""Controlled vocabularies, read from the YAML data files in data/vocabularies.

`find_term` is the one way a value a person wrote (id, label or synonym) becomes a term id; when it is not
one, UnknownTerm suggests the nearest term. `nearest` and `did_you_mean` give the same kind of suggestion
for other lists (field names, section headings).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache


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
        keys = {}
        for t in self.terms:
            for key in (t.id, t.label, *t.synonyms):
                keys.setdefault(fold(key), t.id)
        match = nearest(fold(value), keys)
        return keys[match] if match else None

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


def nearest(value: str, choices, cutoff: float = 0.6) -> str | None:
    """The choice closest to a mistyped value (difflib's ratio at least cutoff), or None."""
    import difflib  # here: searching imports this module and never suggests

    match = difflib.get_close_matches(value, list(choices), n=1, cutoff=cutoff)
    return match[0] if match else None


def did_you_mean(guess: str | None) -> str:
    """The words of a suggestion, « vouliez-vous dire « … » ? », or "" without one."""
    return f"vouliez-vous dire « {guess} » ?" if guess else ""


class UnknownTerm(ValueError):
    """A value that is no term of the vocabulary; `suggestion` is the nearest term id, if any."""

    def __init__(self, name: str, value: str):
        self.vocabulary, self.value, self.suggestion = name, value, vocabulary(name).suggest(value)
        super().__init__(f"« {value} » n'est pas dans le vocabulaire « {name} »"
                         + (f" ; {did_you_mean(self.suggestion)}" if self.suggestion else ""))


def find_term(name: str, value: str) -> str:
    """The id of the term of vocabulary `name` a value gives as id, label or synonym (case and accents
    ignored); UnknownTerm, with the nearest term, when there is none."""
    term = vocabulary(name).resolve(value)
    if term is None:
        raise UnknownTerm(name, value)
    return term


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
    from importlib import resources  # both only when a vocabulary is read (searching reads none)

    from essaim.text.yamlreader import load_data

    text = resources.files("essaim").joinpath("data", "vocabularies", VOCABULARY_FILES[name]).read_text("utf-8")
    return Vocabulary(name, tuple(_term(e) for e in load_data(text)))


def all_vocabularies() -> dict[str, Vocabulary]:
    return {name: vocabulary(name) for name in VOCABULARY_FILES}


# Words that do not count when matching an acronym's letters.
LINK_WORDS = {"de", "la", "le", "les", "du", "des", "d", "l", "et", "a", "aux", "au", "en", "pour", "sur"}


@cache
def acronym_expansions() -> tuple[tuple[str, str, Term], ...]:
    """(acronym, expansion, term) for every acronym of the vocabularies written beside its expansion.

    Derived from the synonyms, so search and the glossary stay in step with the data files."""
    found = {}
    for vocab in all_vocabularies().values():
        for term in vocab.terms:
            names = [term.label, *term.synonyms]
            for acronym in (n for n in names if re.fullmatch(r"[A-Z]{2,6}", n)):
                for phrase in names:
                    if phrase != acronym and " " in phrase and _abbreviates(acronym, phrase):
                        found.setdefault((acronym, fold(phrase)), (acronym, phrase, term))
    return tuple(found[key] for key in sorted(found))


def _significant_initials(phrase: str) -> str:
    return "".join(w[0] for w in re.findall(r"\w+", fold(phrase)) if w not in LINK_WORDS)


def _abbreviates(acronym: str, phrase: str) -> bool:
    """True when an acronym abbreviates a phrase.

    Either its letters are the initials of the phrase's significant words, in order,
    first and last included (QPV: quartier prioritaire de la politique de la ville),
    or it spells every word's initial, link words included when it keeps them
    (SSIAD: services de soins infirmiers à domicile)."""
    letters = acronym.lower()
    return _subsequence(letters, _significant_initials(phrase)) or _spells_every_word(letters, phrase)


def _subsequence(letters: str, initials: str) -> bool:
    if not initials or initials[0] != letters[0] or initials[-1] != letters[-1]:
        return False
    position = 0
    for letter in letters:
        position = initials.find(letter, position) + 1
        if position == 0:
            return False
    return True


def _spells_every_word(letters: str, phrase: str) -> bool:
    position = 0
    for word in re.findall(r"\w+", fold(phrase)):
        if position < len(letters) and word[0] == letters[position]:
            position += 1
        elif word not in LINK_WORDS:
            return False
    return position == len(letters)



