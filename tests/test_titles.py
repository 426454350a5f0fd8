"""Card titles are ours: none repeats a title or heading of the source documents, no two are near-identical.

The source documents' text copies are in shared/seeds/ beside the repository (the repository root's parent, or a
further ancestor when the repository is a worktree in a subfolder); without them the source check is skipped.
"""

from __future__ import annotations

import difflib
import re
from itertools import combinations
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT
from essaim.pipeline import load
from essaim.pipeline.duplicates import DUPLICATE_TITLE as DUPLICATE_TITLE_RATIO
from essaim.model.vocabularies import fold

pytestmark = pytest.mark.content

SOURCE_RATIO = 0.9  # a title at least this close to a line of a source document repeats it
SEEDS = next((folder / "shared" / "seeds" for folder in ROOT.parents if (folder / "shared" / "seeds").is_dir()), None)
MARKUP = re.compile(r"<[^>]+>|\*+|^#+|^\s*—|\.{3,}\s*\d*\s*$|\[[^\]]*\]\s*$")


def folded(text: str) -> str:
    """Case, accents and punctuation folded away: « Accueil Santé. » and « ACCUEIL SANTE » compare equal."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", fold(text)).split())


def heading_lines(text: str) -> set[str]:
    """Each line of a document and each short block of lines (a title wrapped over several lines), folded.

    Only the Inspir'Actions copy marks its headings (#, <i>, **); the others are plain text where a heading is a
    line or a short block of its own: every line and block is a candidate, and only those about as long as a card
    title can reach the ratio."""
    candidates = set()
    for block in re.split(r"\n\s*\n", text):
        lines = [MARKUP.sub("", line).strip() for line in block.split("\n")]
        candidates.update(folded(line) for line in lines)
        if 1 < len(lines) <= 4:
            candidates.add(folded(" ".join(lines)))
    candidates.discard("")
    return candidates


def close_to(title: str, candidates: list[str], ratio: float) -> list[tuple[float, str]]:
    """Candidates whose difflib ratio to title is at least ratio (cheap upper bounds first)."""
    matcher = difflib.SequenceMatcher(None, b=title)
    found = []
    for candidate in candidates:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= ratio and matcher.quick_ratio() >= ratio and matcher.ratio() >= ratio:
            found.append((round(matcher.ratio(), 2), candidate))
    return found


def repeated_titles(titles: dict[str, str], documents: list[str], ratio: float = SOURCE_RATIO) -> dict[str, list]:
    """Card id -> the source lines its title equals or nearly equals."""
    by_length: dict[int, list[str]] = {}
    for candidate in set().union(*map(heading_lines, documents)):
        by_length.setdefault(len(candidate), []).append(candidate)
    found = {}
    for card_id, title in titles.items():
        mine = folded(title)
        # ratio = 2M / (len a + len b) >= r needs the other length within [r / (2 - r), (2 - r) / r] of this one
        low, high = int(len(mine) * ratio / (2 - ratio)), int(len(mine) * (2 - ratio) / ratio) + 1
        candidates = [c for n in range(low, high + 1) for c in by_length.get(n, ())]
        if close := close_to(mine, candidates, ratio):
            found[card_id] = close
    return found


def near_identical_titles(titles: dict[str, str], ratio: float = DUPLICATE_TITLE_RATIO) -> list[tuple]:
    folded_titles = {card_id: folded(title) for card_id, title in titles.items()}
    pairs = []
    for (a, ta), (b, tb) in combinations(sorted(folded_titles.items()), 2):
        score = difflib.SequenceMatcher(None, ta, tb).ratio()
        if score >= ratio:
            pairs.append((a, b, round(score, 2)))
    return pairs


def card_titles(folder: Path) -> dict[str, str]:
    titles = {}
    for path in sorted(folder.glob("*.md")):
        document = load.read(path, "card")
        titles[path.stem] = str(document.data["titre"])
    return titles


# --- the rules on small examples (they must be able to fail) -------------------------------------------------------


SOURCE = """## sommaire

<i>Accueil Santé</i>\t
<i>Département de la Seine-Saint-Denis.....</i>\t<b>25</b>

# Accélérer l'accès à la santé des plus précaires : un dispositif innovant

## — **APF France handicap Pays de la Loire** [Pays de la Loire]

Le contexte de Marseille
en Grand

Un long paragraphe qui raconte l'action en détail, bien plus long qu'un titre de fiche, et qui ne peut donc
pas lui ressembler au sens du ratio de difflib : il sert de témoin.
"""


@pytest.mark.parametrize("title", [
    "Accueil Santé",  # a table of contents entry, markup and tab removed
    "ACCUEIL SANTE.",  # case, accents and punctuation folded
    "Accélérer l'accès à la santé des plus précaires : un dispositif innovant !",
    "Accélérer l'accès à la santé des plus précaires, un dispositif innovant",
    "Le contexte de Marseille en Grand",  # a heading wrapped over two lines
])
def test_a_title_copied_from_a_source_is_found(title):
    assert list(repeated_titles({"fiche": title}, [SOURCE])) == ["fiche"]


@pytest.mark.parametrize("title", [
    "PASS de ville associative à Marseille : soigner sans avance de frais",
    "Accueil santé des nouveaux arrivants en Seine-Saint-Denis",
    "Un long paragraphe",
])
def test_a_title_in_our_words_passes(title):
    assert repeated_titles({"fiche": title}, [SOURCE]) == {}


def test_near_identical_titles_are_paired_and_distinct_ones_are_not():
    titles = {"grenoble": "Médiation en santé dans les quartiers politique de la ville",
              "lyon": "Médiation en santé dans des quartiers prioritaires politique de la ville",
              "marseille": "PASS de ville associative à Marseille : soigner sans avance de frais"}
    assert [(a, b) for a, b, _ in near_identical_titles(titles)] == [("grenoble", "lyon")]
    titles["lyon"] = "Médiatrices en santé dans les quartiers prioritaires de la Métropole de Lyon"
    assert near_identical_titles(titles) == []


# --- the real cards -----------------------------------------------------------------------------------------------


@pytest.mark.skipif(SEEDS is None, reason="documents sources absents : dossier shared/seeds introuvable à côté du dépôt")
def test_no_card_title_repeats_a_heading_of_the_sources():
    documents = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    assert documents, f"aucun document dans {SEEDS}"
    found = repeated_titles(card_titles(CONTENT / "actions"), documents)
    lines = [f"{card_id} : « {close[0][1]} » ({close[0][0]})" for card_id, close in sorted(found.items())]
    assert not found, f"{len(found)} titre(s) repris des sources :\n" + "\n".join(lines)


def test_no_two_card_titles_are_near_identical():
    pairs = near_identical_titles(card_titles(CONTENT / "actions"))
    assert not pairs, "titres presque identiques :\n" + "\n".join(f"{a} / {b} ({r})" for a, b, r in pairs)
