"""« Un territoire comme le mien » in Chromium: autocompletion, profile, ranking equal to the command line's,
state in the address, phone layout, and the bytes transferred before the first result."""

from __future__ import annotations

import pytest

from browser.test_site_browser import AXE, SCREENSHOTS, axe_violations
from essaim.search import territory

pytestmark = pytest.mark.browser
PAGE = "territoire/"
FIRST_RESULT_BUDGET = 200 * 1024  # the page's own bytes (HTML, script, style, data) until the first ranking


def wait_ranking(page, timeout=20000):
    page.wait_for_selector("#essaim-territoire[data-etat=pret]", timeout=timeout)


def python_ranking(catalog, code: str) -> list[tuple[str, float]]:
    """The order `essaim search --like CODE` gives without words: similarity, then title."""
    place = territory.profile(code)
    scored = [(card.id, territory.similarity(place, territory.card_profile(card)).score, card.meta.title.lower())
              for card in catalog.cards]
    return [(card_id, score) for card_id, score, _ in sorted(scored, key=lambda s: (-s[1], s[2]))]


def page_ranking(page) -> list[tuple[str, float]]:
    """Every ranked card, after pressing « Afficher plus » until the end."""
    while page.locator("#essaim-territoire-plus").is_visible():
        page.click("#essaim-territoire-plus")
    return [(item.get_attribute("data-id"), float(item.get_attribute("data-score")))
            for item in page.locator("#essaim-classement > li").all()]


def test_typing_a_commune_ranks_cards_as_the_command_line_does(page, base_url, real_site):
    _, catalog, _ = real_site
    page.goto(base_url + PAGE)
    page.fill("#essaim-commune", "saint-affri")
    page.wait_for_selector("#essaim-communes li")
    assert page.locator("#essaim-communes li").first.inner_text().startswith("Saint-Affrique")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    wait_ranking(page)
    assert page.locator("#essaim-classement > li").count() == 20  # one page of results, then « Afficher plus »
    page.screenshot(path=str(SCREENSHOTS / "territoire-bureau.png"))
    profile = page.locator("#essaim-profil").inner_text()
    assert "Saint-Affrique (12208)" in profile and "7\u202f941 habitants" in profile
    assert "Communauté de communes : CC Saint Affricain" in profile and "Région : Occitanie" in profile
    assert page_ranking(page) == python_ranking(catalog, "12208")
    first = page.locator("#essaim-classement > li").first
    assert first.locator(".essaim-raisons li").count() >= 2
    assert "commune=12208" in page.url and "nom=Saint-Affrique" in page.url
    if AXE.exists():
        assert not axe_violations(page)
    # A theme narrows the ranking and goes into the address; reloading the address restores everything.
    theme = catalog.cards[0].meta.themes[0]
    page.select_option("#essaim-theme", theme)
    page.wait_for_function(f"() => location.search.includes('theme={theme}')")
    expected = [r for r in python_ranking(catalog, "12208")
                if theme in next(c for c in catalog.cards if c.id == r[0]).meta.themes]
    assert page_ranking(page) == expected
    page.reload()
    wait_ranking(page)
    assert page_ranking(page) == expected and page.input_value("#essaim-theme") == theme


def test_a_shared_name_lists_the_communes_and_chooses_none(page, base_url):
    page.goto(base_url + PAGE + "?nom=Saint-Denis")
    page.wait_for_selector("#essaim-territoire[data-etat=choix]")
    options = page.locator("#essaim-communes li").all_inner_texts()
    assert len(options) >= 4 and any("Seine-Saint-Denis (93)" in o for o in options)
    assert any("La Réunion (974)" in o for o in options)
    assert page.locator("#essaim-profil").is_hidden()
    assert "Plusieurs communes" in page.locator("#essaim-territoire-statut").inner_text()


def test_phone_layout_of_an_overseas_commune(browser, base_url, real_site):
    _, catalog, _ = real_site
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="fr-FR")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base_url + PAGE + "?commune=97611&nom=Mamoudzou")
    wait_ranking(page)
    assert "Outre-mer" in page.locator("#essaim-profil").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SCREENSHOTS / "territoire-telephone.png"))  # the first screen, as a phone shows it
    page.fill("#essaim-commune", "mamou")
    page.wait_for_selector("#essaim-communes li")
    page.screenshot(path=str(SCREENSHOTS / "territoire-telephone-saisie.png"))
    page.keyboard.press("Escape")
    assert page_ranking(page) == python_ranking(catalog, "97611")
    context.close()
    assert not errors


def test_bytes_before_the_first_result(browser, base_url):
    """The page's own bytes (HTML, its script and style, its data) from opening to the first ranking, cache empty;
    the theme's files (shared by every page of the site, served uncompressed by the test server) are printed apart."""
    context = browser.new_context()
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on("requestfinished", lambda r: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
    page.goto(base_url + PAGE)
    page.wait_for_load_state("networkidle")
    opening = dict(sizes)
    page.fill("#essaim-commune", "Saint-Affrique")
    page.wait_for_selector("#essaim-communes li")
    page.keyboard.press("Enter")
    wait_ranking(page)
    page.wait_for_load_state("networkidle")
    context.close()
    own = {url: n for url, n in sizes.items()
           if url.endswith(("/territoire/", "/territoire.js", "/territoire.css")) or "/territoire-index/" in url}
    total = sum(own.values())
    data = {url.rsplit("/territoire-index/", 1)[1]: n for url, n in sizes.items() if "/territoire-index/" in url}
    print(f"\nterritoire : page, script et style à l'ouverture {sum(n for u, n in opening.items() if u in own)} o ; "
          f"jusqu'au premier résultat {total} o (données {data}) ; thème et scripts communs "
          f"{sum(sizes.values()) - total} o")
    assert not [url for url in opening if "/territoire-index/" in url], "l'ouverture ne charge aucune donnée"
    assert set(data) == {"communes/73.json.gz", "regles.json.gz", "epci.json.gz", "fiches.json.gz"}
    assert len(own) == 7 and total <= FIRST_RESULT_BUDGET, sorted(own.items(), key=lambda item: -item[1])


def test_card_page_shows_how_old_its_information_is(page, base_url, real_site):
    from essaim.model.freshness import freshness

    _, catalog, _ = real_site
    card = next(c for c in catalog.cards if freshness(c).stale)
    page.goto(base_url + card.url)
    line = page.locator(".essaim-fraicheur")
    assert line.inner_text().startswith(f"Informations de {freshness(card).year}")
    assert line.locator(".essaim-badge-a-verifier").inner_text() == "à vérifier"
    page.screenshot(path=str(SCREENSHOTS / "fiche-fraicheur.png"))


def test_home_page_and_navigation_lead_to_the_page(page, base_url):
    page.goto(base_url)
    page.locator("article").get_by_role("link", name="Un territoire comme le mien").click()
    page.wait_for_url("**/territoire/")
    assert page.locator("h1").inner_text().startswith("Un territoire comme le mien")
    assert page.locator("nav").get_by_role("link", name="Un territoire comme le mien").count() >= 1


def python_ranking_with_words(site, catalog, code: str, words: str, theme: str | None = None):
    """The order `essaim search WORDS --comme CODE [--theme THEME]` gives: likeness + scaled relevance."""
    from essaim.search import SearchIndex
    from essaim.search.territory_ranking import ALL, rank_like

    index = SearchIndex(site.parent.parent / "build" / "index")
    results = index.search(words, {"theme": [theme]} if theme else {}, kind="action", limit=ALL)
    profiles = {card.id: territory.card_profile(card) for card in catalog.cards}
    return [(r.hit.id, r.score) for r in rank_like(territory.profile(code), results.hits, profiles, with_words=True)]


def test_words_keep_the_cards_that_speak_of_them_ranked_as_the_command_line_does(page, base_url, real_site):
    site, catalog, _ = real_site
    page.goto(base_url + PAGE + "?commune=12208&nom=Saint-Affrique&q=m%C3%A9decins")
    wait_ranking(page)
    assert page.input_value("#essaim-mots") == "médecins"
    expected = python_ranking_with_words(site, catalog, "12208", "médecins")
    assert 0 < len(expected) < len(catalog.cards)
    assert page_ranking(page) == expected
    assert "parlent de « médecins »" in page.locator("#essaim-territoire-statut").inner_text()
    # Changing the words re-ranks and goes into the address; a theme is a filter of the engine.
    theme = "unite_mobile"
    page.fill("#essaim-mots", "bus santé")
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'bus santé'")
    wait_ranking(page)
    assert page_ranking(page) == python_ranking_with_words(site, catalog, "12208", "bus santé")
    page.select_option("#essaim-theme", theme)
    page.wait_for_function(f"() => location.search.includes('theme={theme}')")
    wait_ranking(page)
    narrowed = python_ranking_with_words(site, catalog, "12208", "bus santé", theme)
    assert 0 < len(narrowed) < len(python_ranking_with_words(site, catalog, "12208", "bus santé"))
    assert page_ranking(page) == narrowed
    page.screenshot(path=str(SCREENSHOTS / "territoire-mots-bureau.png"))
    # Words nothing speaks of: said plainly, nothing ranked.
    page.fill("#essaim-mots", "zzyzx")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('essaim-territoire-statut').textContent.startsWith('Aucune')")
    assert page.locator("#essaim-classement > li").count() == 0


def test_search_results_lead_to_the_same_words_ranked_for_my_commune(page, base_url):
    page.goto(base_url + "recherche/?q=m%C3%A9decins&theme=attractivite_professionnels")
    page.wait_for_selector("#essaim-recherche[data-etat=pret]")
    page.wait_for_selector("#essaim-vers-territoire:not([hidden])")
    page.click("#essaim-vers-territoire a")
    page.wait_for_url("**/territoire/**")
    assert page.input_value("#essaim-mots") == "médecins"
    assert page.input_value("#essaim-theme") == "attractivite_professionnels"
    page.fill("#essaim-commune", "Saint-Affrique")
    page.wait_for_selector("#essaim-communes li")
    page.keyboard.press("Enter")
    wait_ranking(page)
    assert "parle" in page.locator("#essaim-territoire-statut").inner_text()
    assert "q=m%C3%A9decins" in page.url and "commune=12208" in page.url
