"""Query understanding: what a reader's words ask for, the same on the command line and the website.

It is defined once as *data* — built by `essaim.search.querydata` from the index's own words, the
vocabularies, the practitioners' thesaurus (data/thesaurus.yaml) and the place names — and one
algorithm, written twice: here for `essaim search`, and in assets/recherche.js for the site. A browser
test runs both on every query of the relevance set and compares their results. docs/recherche.md
describes the algorithm for readers; keep the two implementations and that page in step.

1. Words: NFC text cut at MAX_QUERY_CHARS; tokens of letters and digits (inclusive writing such as
   « professionnel·les » folded to « professionnels »); folded (lower case, no accents, œ → oe);
   stop words, one-letter tokens and words longer than MAX_WORD_CHARS dropped; at most MAX_WORDS words.
2. Each word to an index term: exact (the lexicon of indexed words); for the last word, the most
   frequent words it starts (typing in progress); else a typo correction (same first letter, one edit
   from five letters, two from nine, the most frequent candidate wins; shown to the reader); else the
   longest known term that starts the word (an inflection the base never used: « médecine »).
3. Phrases: at each position, the longest phrase of the table (vocabulary labels, synonyms and
   acronyms, thesaurus expressions, place names) joins its words into one group that gains the
   phrase's alternatives (other words, vocabulary terms as facet values) and filter suggestions.
4. Question words without content (« comment », « exemple ») outside a phrase are dropped.

The result is a list of groups, one per meaningful word or phrase; each group is satisfied by any of
its alternatives, an alternative being a list of terms that must all match or a facet value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 1000
MAX_WORD_CHARS = 40
MAX_WORDS = 16
MAX_PHRASE = 6
PREFIX_MIN = 3
PREFIX_EXPANSIONS = 5
STEM_MIN = 4
STEM_SUFFIX_MAX = 4

TOKEN = re.compile(r"[^\W_]+(?:[·•⋅][^\W_]+)*")
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


def fold(word: str) -> str:
    """Lower case, accents off, ligatures opened: « Œuvre » → « oeuvre » (same rule as the site's fold())."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return bare.translate(LIGATURES)


def fold_inclusive(word: str) -> str:
    """« professionnel·les » → « professionnels », « usager·ères » → « usagers »."""
    parts = re.split(r"[·•⋅]", word)
    if len(parts) < 2:
        return word
    base, last = parts[0], parts[-1]
    return base + ("s" if last.endswith("s") and not base.endswith(("s", "x")) else "")


def words(text: str) -> list[str]:
    """The folded words of a text, in order (stop words still in)."""
    text = unicodedata.normalize("NFC", text[:MAX_QUERY_CHARS])
    return [fold(fold_inclusive(t)) for t in TOKEN.findall(text)]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a transposition counts one), or limit + 1 if larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        best = i
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]


def typo_budget(word: str) -> int:
    return 2 if len(word) >= 9 else 1 if len(word) >= 5 else 0


@dataclass(frozen=True)
class Alternative:
    """One way to satisfy a group: every term in `terms`, or the facet value `tag`."""

    terms: tuple[str, ...] = ()
    tag: tuple[str, str] | None = None
    fuzzy: bool = False  # reached by correction, prefix or stem fallback: scored a little lower


@dataclass
class Group:
    text: str  # the reader's words for it
    alternatives: list[Alternative]
    targets: list[tuple[str, str]] = field(default_factory=list)  # filter suggestions


@dataclass
class Understanding:
    groups: list[Group]
    corrections: list[tuple[str, str]]  # (typed word, corrected word)
    ignored: list[str]  # words matching nothing known

    def corrected_text(self, original: str) -> str | None:
        """The query as the reader would have typed it without the typos (folded words), or None."""
        if not self.corrections:
            return None
        fixes = dict(self.corrections)
        return " ".join(fixes.get(w, w) for w in words(original))


# lexicon(word) -> (term, document frequency) or None ; shard(first letter) -> {word: (term, df)}
Lookup = Callable[[str], "tuple[str, int] | None"]
Shard = Callable[[str], dict]


def understand(text: str, data: dict, lookup: Lookup, shard: Shard) -> Understanding:
    stop, question_words = set(data["stop"]), set(data["questionWords"])
    raw = [w for w in words(text) if len(w) > 1 and w not in stop and len(w) <= MAX_WORD_CHARS]
    tokens = list(dict.fromkeys(raw))[:MAX_WORDS]
    resolved: list[tuple[str, str | None, str]] = []  # (word, term, how)
    corrections: list[tuple[str, str]] = []
    for position, word in enumerate(tokens):
        found = lookup(word)
        if found:
            resolved.append((word, found[0], "exact"))
            continue
        entries = shard(word[0])
        if position == len(tokens) - 1 and len(word) >= PREFIX_MIN:
            starts = sorted(((df, w, t) for w, (t, df) in entries.items() if w.startswith(word) and df > 0),
                            key=lambda x: (-x[0], x[1]))
            if starts:
                terms = list(dict.fromkeys(t for _, _, t in starts))[:PREFIX_EXPANSIONS]
                resolved.append((word, "|".join(terms), "prefix"))
                continue
        fixed = _correct(word, entries)
        if fixed:
            corrections.append((word, fixed))
            resolved.append((word, entries[fixed][0], "typo"))
            continue
        stem = _stem_fallback(word, entries)
        if stem:
            resolved.append((word, stem, "stem"))
            continue
        resolved.append((word, None, "unknown"))
    groups: list[Group] = []
    ignored = [w for w, term, _ in resolved if term is None]
    known = [(w, term, how) for w, term, how in resolved if term is not None]
    phrases = data["phrases"]
    i = 0
    while i < len(known):
        for size in range(min(MAX_PHRASE, len(known) - i), 0, -1):
            key = " ".join(t for _, t, _ in known[i:i + size])
            if key in phrases and not (size == 1 and known[i][0] in question_words):
                entry = phrases[key]
                taken = known[i:i + size]
                fuzzy = any(how != "exact" for _, _, how in taken)
                alternatives = [Alternative(tuple(t for _, t, _ in taken), fuzzy=fuzzy)]
                alternatives += [Alternative(tuple(a), fuzzy=fuzzy) for a in entry.get("alts", [])]
                alternatives += [Alternative(tag=(f, v), fuzzy=fuzzy) for f, v in entry.get("tags", [])]
                said = [(fixed_word(w, how, corrections), how) for w, _, how in taken]
                targets = [(f, v) for f, v in entry.get("tags", [])]
                targets += [(f, v) for f, v, surface in entry.get("places", []) if same_words(said, surface)]
                groups.append(Group(" ".join(w for w, _, _ in taken), _unique(alternatives), targets))
                i += size
                break
        else:
            word, term, how = known[i]
            i += 1
            if word in question_words:
                continue
            terms = term.split("|")
            groups.append(Group(word, [Alternative((t,), fuzzy=how != "exact") for t in terms]))
    return Understanding(groups, corrections, ignored)


def fixed_word(word: str, how: str, corrections: list[tuple[str, str]]) -> str:
    """The word as the reader meant it: the correction of a typo, else the word typed."""
    return dict(corrections).get(word, word) if how == "typo" else word


def same_words(said: list[tuple[str, str]], surface: str) -> bool:
    """The reader's words are the name's own words (the last one may be a prefix being typed)."""
    names = surface.split()
    return len(names) == len(said) and all(
        name == word or (how == "prefix" and name.startswith(word)) for (word, how), name in zip(said, names))


def _unique(alternatives: list[Alternative]) -> list[Alternative]:
    return list(dict.fromkeys(alternatives))


def _stem_fallback(word: str, entries: dict) -> str | None:
    """The longest known term (≥ STEM_MIN letters) that starts the word, leaving a short suffix."""
    terms = {t for t, df in entries.values() if df > 0}
    for size in range(len(word), max(STEM_MIN, len(word) - STEM_SUFFIX_MAX) - 1, -1):
        if word[:size] in terms:
            return word[:size]
    return None


def _correct(word: str, entries: dict) -> str | None:
    """The most frequent known word within the typo budget (fewest edits first)."""
    budget = typo_budget(word)
    if not budget:
        return None
    best: tuple[int, int, str] | None = None
    for candidate, (_, df) in entries.items():
        if df <= 0 or abs(len(candidate) - len(word)) > budget:
            continue
        distance = edit_distance(word, candidate, budget)
        if distance <= budget:
            key = (distance, -df, candidate)
            if best is None or key < best:
                best = key
    return best[2] if best else None
