"""Printing, sharing and comparing cards in Debian's Chromium, on the real build.

Printed cards (PDF pages rendered to PNG) and the comparison page (desktop and phone) go to build/screenshots/
for review."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest

from browser.test_site_browser import SCREENSHOTS, shot

pytestmark = pytest.mark.browser
pypdf = pytest.importorskip("pypdf", reason="pypdf absent : bash scripts/installer.sh --tests")
LONGEST = 12  # printed cards: the longest ones (the others are shorter, so they fit if these do)


def _longest_cards(catalog, n: int):
    def length(card):
        return len(card.meta.summary) + sum(len(text) for text in card.sections.values()) + \
            len(json.dumps([c.model_dump() for c in card.meta.contacts], default=str))
    return sorted(catalog.cards, key=length, reverse=True)[:n]


def _print(page, base_url, card_id) -> bytes:
    page.goto(f"{base_url}actions/{card_id}/")
    page.wait_for_load_state("load")
    return page.pdf(format="A4", print_background=True)


def test_the_longest_cards_print_on_at_most_two_a4_pages(page, base_url, real_site):
    _, catalog, _ = real_site
    for card in _longest_cards(catalog, LONGEST):
        reader = pypdf.PdfReader(io.BytesIO(_print(page, base_url, card.id)))
        assert 1 <= len(reader.pages) <= 2, f"{card.id} : {len(reader.pages)} pages"
        box = reader.pages[0].mediabox
        assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1.5  # A4 in points


def test_a_printed_card_keeps_its_content_and_url_and_drops_navigation(page, base_url, real_site):
    _, catalog, _ = real_site
    card = _longest_cards(catalog, 1)[0]
    pdf = _print(page, base_url, card.id)
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    title_start = " ".join(card.meta.title.split()[:4])
    for expected in (title_start, "En bref", "Porteur", "Contacts", "Sources",
                     f"Adresse de cette page : https://essaim-sante.github.io/essaim/actions/{card.id}/"):
        assert expected.replace(" ", "") in text.replace(" ", ""), expected
    for hidden in ("Rechercher", "Actions similaires", "Proposer une correction", "Afficher le courriel"):
        assert hidden not in text, hidden
    # tags (themes, publics, places) are links on screen, absent from the print
    assert page.locator(".essaim-classement").first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".essaim-classement").first.is_visible()
    assert not page.locator(".md-header").is_visible()
    page.emulate_media(media="screen")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "impression-fiche.pdf"
    target.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(target), str(SCREENSHOTS / "impression-fiche")], check=True)
        assert (SCREENSHOTS / "impression-fiche-1.png").exists()


def test_a_card_page_carries_its_json_ld_for_the_browser(page, base_url, real_site):
    _, catalog, _ = real_site
    card = catalog.cards[0]
    page.goto(f"{base_url}actions/{card.id}/")
    data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert data["about"]["parentOrganization"]["name"] == card.meta.carrier.name
    assert page.locator('meta[property="og:title"]').get_attribute("content") == card.meta.title
    assert page.locator('link[rel~="alternate"][type="application/atom+xml"]').count() >= 1
