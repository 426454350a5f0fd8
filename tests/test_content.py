"""The real content: every expected action has its card, all valid, none copied from the sources (marker `content`)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT
from essaim.pipeline.catalog import open_catalog

# ref <TAB> card id, or ref <TAB> recorded:<card id> for a bare mention recorded in that card.
EXPECTED = [row for row in csv.reader((Path(__file__).parent / "data" / "expected_cards.tsv").open(encoding="utf-8"),
                                      delimiter="\t") if row and not row[0].startswith("#")]
VERBATIM = ROOT.parent / "shared" / "tools" / "verbatim.py"
pytestmark = pytest.mark.content  # editorial rules checked on the real content, not the code


@pytest.fixture(scope="module")
def catalog():
    catalog, validation = open_catalog(CONTENT)
    assert not validation.errors, "\n".join(d.as_text() for d in validation.errors)
    return catalog


@pytest.mark.parametrize("ref, target", EXPECTED, ids=[row[0] for row in EXPECTED])
def test_expected_card_exists(catalog, ref, target):
    card_id = target.removeprefix("recorded:")
    assert catalog.card(card_id) is not None, f"{ref} : fiche {card_id} absente"


def test_every_inspir_action_has_a_complete_or_partial_card(catalog):
    refs = {ref: target for ref, target in EXPECTED if ref.startswith("001-")}
    assert sorted(refs) == [f"001-{n:03}" for n in range(1, 22)]
    for ref, card_id in refs.items():
        card = catalog.card(card_id)
        assert card.meta.sources[0].document == "fts-inspir-actions-acces-aux-soins-2023"
        assert card.level in ("complete", "partielle"), (ref, card.level, card.missing)


def test_cards_cite_public_documents_not_working_files(catalog):
    for card in catalog.cards:
        text = card.path.read_text(encoding="utf-8")
        assert "seeds/" not in text and ".txt" not in text, card.id


@pytest.mark.skipif(not VERBATIM.exists(), reason="outil verbatim.py absent (dossier shared/)")
def test_no_page_copies_the_sources():
    result = subprocess.run([sys.executable, str(VERBATIM), str(CONTENT)], capture_output=True, text=True)
    too_much = [line for line in result.stdout.splitlines() if "TOO MUCH" in line]
    assert result.returncode == 0 and not too_much, "\n".join(too_much)


def _guide_links(guide) -> set[str]:
    import re

    return set(re.findall(r"\]\(\.\./actions/([a-z0-9-]+)\.md", guide.body))


def test_guides_lead_to_at_least_five_cards(catalog):
    guides = [g for g in catalog.guides if g.id != "glossaire"]
    assert len(guides) >= 5
    for guide in guides:
        linked = _guide_links(guide)
        assert len(linked) >= 5, (guide.id, linked)
        assert all(catalog.card(card_id) for card_id in linked)
        words = len(guide.body.split())
        assert 800 <= words <= 2100, (guide.id, words)


@pytest.mark.parametrize("name, values", [("themes", lambda c: c.meta.themes), ("publics", lambda c: c.meta.publics)])
def test_no_theme_or_public_is_so_narrow_that_one_card_uses_it(catalog, name, values):
    from collections import Counter

    from essaim.model.vocabularies import vocabulary

    used = Counter(v for card in catalog.cards for v in values(card))
    assert [i for i in vocabulary(name).ids() if used[i] < 2] == []
