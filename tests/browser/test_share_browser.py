"""Printing, sharing and comparing cards in Debian's Chromium, on the real build.

Printed cards (PDF pages rendered to PNG) and the comparison page (desktop and phone) go to build/screenshots/
for review."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest

from browser.test_site_browser import SCREENSHOTS, shot, watched_tab

pytestmark = pytest.mark.browser
pypdf = pytest.importorskip("pypdf", reason="pypdf absent : bash scripts/installer.sh --tests")
LONGEST = 12  # printed cards: the longest pages (the others are shorter, so they fit if these do)


def _longest_cards(real_site, n: int):
    site, catalog, _ = real_site
    return sorted(catalog.cards, key=lambda c: (site / "actions" / c.id / "index.html").stat().st_size, reverse=True)[:n]


def _print(page, base_url, card_id) -> bytes:
    page.goto(f"{base_url}actions/{card_id}/")
    page.wait_for_load_state("load")
    return page.pdf(format="A4", print_background=True)


def test_the_longest_cards_print_on_at_most_two_a4_pages(page, base_url, real_site):
    for card in _longest_cards(real_site, LONGEST):
        reader = pypdf.PdfReader(io.BytesIO(_print(page, base_url, card.id)))
        assert 1 <= len(reader.pages) <= 2, f"{card.id} : {len(reader.pages)} pages"
        box = reader.pages[0].mediabox
        assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1.5  # A4 in points


def test_a_printed_card_keeps_its_content_and_url_and_drops_navigation(page, base_url, real_site):
    card = _longest_cards(real_site, 1)[0]
    pdf = _print(page, base_url, card.id)
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    title_start = " ".join(card.meta.title.split()[:4])
    for expected in (title_start, "En bref", "Porteur", "Contact", "Sources",
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


# --- comparing -------------------------------------------------------------------------------


CRITERIA = ["Porteur", "Lieu et territoire", "Période et statut", "Publics", "Objectifs", "Résultats",
            "Moyens et financement", "Contact", "Complétude"]


def _columns(page) -> list[str]:
    page.wait_for_selector(".essaim-comparaison__table")
    return [t.strip() for t in page.locator(".essaim-comparaison__table thead th a").all_inner_texts()]


def test_cards_chosen_on_their_pages_are_compared_side_by_side_and_kept_in_the_url(page, base_url, real_site):
    _, catalog, _ = real_site
    funded = next(c for c in catalog.cards if c.meta.transfer and c.meta.transfer.budget)
    other = next(c for c in catalog.cards if c.id != funded.id)
    for card in (funded, other):
        page.goto(f"{base_url}actions/{card.id}/")
        toggle = page.locator(".essaim-comparer__bascule")
        assert toggle.inner_text() == "Ajouter à la comparaison"
        toggle.click()
        assert toggle.get_attribute("aria-pressed") == "true" and toggle.inner_text() == "Retirer de la comparaison"
    page.get_by_role("link", name="Voir la comparaison (2)").click()
    assert page.url.endswith(f"/comparer/?ids={funded.id},{other.id}")
    assert _columns(page) == [funded.meta.title, other.meta.title]
    assert page.locator(".essaim-comparaison__table tbody th").all_inner_texts() == CRITERIA
    table = page.locator(".essaim-comparaison__table").inner_text()
    assert funded.meta.carrier.name in table and other.meta.carrier.name in table
    assert f"Budget : {funded.meta.transfer.budget}" in table
    page.get_by_role("button", name=f"Retirer « {funded.meta.title} » de la comparaison").click()
    assert _columns(page) == [other.meta.title]
    assert page.url.endswith(f"/comparer/?ids={other.id}")
    # the address alone rebuilds the comparison, in a browser that never saw the cards
    context = page.context.browser.new_context()
    fresh = context.new_page()
    fresh.goto(f"{base_url}comparer/?ids={other.id},{funded.id}")
    assert _columns(fresh) == [other.meta.title, funded.meta.title]
    context.close()


def test_comparison_takes_at_most_four_cards_and_reports_unknown_ones(page, base_url, real_site):
    _, catalog, _ = real_site
    ids = [c.id for c in catalog.cards[:5]]
    page.goto(f"{base_url}comparer/?ids=fiche-inconnue,{','.join(ids)}")
    assert len(_columns(page)) == 3  # four taken from the address, the unknown one dropped
    assert "introuvable : fiche-inconnue" in page.locator("#essaim-comparer-statut").inner_text()
    assert page.url.endswith("?ids=" + ",".join(ids[:3]))
    page.locator("#essaim-comparer-choix").fill(catalog.cards[3].meta.title)
    page.get_by_role("button", name="Ajouter").click()
    assert len(_columns(page)) == 4
    assert page.locator("#essaim-comparer-choix").is_disabled()
    shot(page, "comparer-bureau")


def test_comparison_on_a_390_px_phone_swipes_and_prints(browser, base_url, real_site):
    _, catalog, _ = real_site
    ids = ",".join(c.id for c in catalog.cards[:3])
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(f"{base_url}comparer/?ids={ids}")
    assert len(_columns(phone)) == 3
    sizes = phone.evaluate("""() => { const h = document.getElementById('essaim-comparaison');
        return {page: document.documentElement.scrollWidth, inner: h.scrollWidth, shown: h.clientWidth}; }""")
    assert sizes["page"] <= 390  # the page itself does not scroll sideways
    assert sizes["inner"] > sizes["shown"] * 2  # the table does: one column per card, swiped
    column = phone.locator(".essaim-comparaison__table thead th").first.bounding_box()
    assert column["width"] >= 250  # a card's column is most of the screen
    shot(phone, "comparer-telephone")
    pdf = phone.pdf(format="A4")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Porteur" in text and "Retirer" not in text and "Ajouter une fiche" not in text
    context.close()
    assert not errors


def test_a_hostile_card_stays_data_in_its_json_ld_and_in_the_comparison(browser, hostile_site):
    from test_site_build import HOSTILE

    url, card = hostile_site
    context, tab, dialogs = watched_tab(browser)
    tab.goto(f"{url}actions/{card.id}/")
    data = tab.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert data["name"] == " ".join(HOSTILE["title"].split())
    assert tab.locator('meta[property="og:title"]').get_attribute("content") == " ".join(HOSTILE["title"].split())
    assert tab.locator("script[type='application/ld+json']").count() == 1
    tab.goto(f"{url}comparer/?ids={card.id}")
    assert _columns(tab) == [" ".join(HOSTILE["title"].split())]
    assert "<script>window.__pirate = 3</script>" not in tab.locator(".essaim-comparaison__table").inner_html()
    assert tab.evaluate("typeof window.__pirate") == "undefined" and not dialogs
    context.close()


def test_news_page_is_in_the_menu_and_its_feed_link_serves_a_valid_feed(page, base_url, real_site):
    import feedparser

    from essaim.site.feeds import rfc3339

    _, catalog, _ = real_site
    page.goto(base_url)
    page.locator(".md-nav__link", has_text="Nouveautés").first.click()
    assert page.url.endswith("/nouveautes/")
    first = page.locator(".essaim-liste .essaim-item__titre a").first
    month = max(rfc3339(c.meta.updated)[:7] for c in catalog.cards)
    assert first.inner_text() in {c.meta.title for c in catalog.cards if rfc3339(c.meta.updated)[:7] == month}
    href = page.locator("a", has_text="flux Atom de toutes les fiches").get_attribute("href")
    answer = page.request.get(page.url + href)
    assert answer.ok
    feed = feedparser.parse(answer.body())
    assert not feed.bozo and len(feed.entries) > 0


def test_printing_a_card_prints_its_published_email_addresses(page, base_url, real_site):
    _, catalog, _ = real_site
    card = next(c for c in catalog.cards if any(contact.email for contact in c.meta.contacts))
    emails = [contact.email for contact in card.meta.contacts if contact.email]
    page.goto(f"{base_url}actions/{card.id}/")
    assert page.locator(".essaim-courriel .essaim-courriel__bouton").count() == len(emails)
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what the browser does before printing
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(page.pdf(format="A4"))).pages)
    for email in emails:
        assert email in text.replace("\n", "")
