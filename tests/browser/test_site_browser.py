"""The built site in Debian's Chromium (headless, driven by Playwright), served by a local http.server.

The real site is built once per session; a second, tiny site holds a card that tries to inject scripts.
Screenshots for review go to build/screenshots/.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from browser.sitebuild import CHROMIUM, ROOT, serve
from essaim.site.listings import PAGE_SIZE

pytestmark = pytest.mark.browser
AXE = Path(os.environ.get("ESSAIM_AXE", ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"))
SCREENSHOTS = ROOT / "build" / "screenshots"
FILTERED_SEARCH_BUDGET = 150 * 1024  # at 125 cards; docs/benchmarks.md for 1,000 and 10,000

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright absent : bash scripts/installer.sh --tests")
if not Path(CHROMIUM).exists():
    pytest.skip("Chromium de Debian absent : bash scripts/installer.sh --tests", allow_module_level=True)


def wait_search(page, timeout=20000):
    page.wait_for_selector("#essaim-recherche[data-etat=pret]", timeout=timeout)


def result_count(page) -> int:
    status = page.locator("#essaim-statut").inner_text()
    if status.startswith("Aucun"):
        return 0
    return int(re.match(r"(\d+)", status).group(1))


def option_counts(page, facet: str) -> dict[str, int]:
    counts = {}
    for row in page.locator(f'details[data-facette="{facet}"] .essaim-option').all():
        value = row.locator("input").get_attribute("value")
        text = row.locator(".essaim-facette__compte").inner_text()
        counts[value] = int(text.strip("()")) if text else 0
    return counts


def watched_tab(browser):
    """(context, tab, dialogs): a fresh tab whose alert/confirm dialogs are recorded and dismissed."""
    context = browser.new_context()
    tab = context.new_page()
    dialogs = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return context, tab, dialogs


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a <script> tag: the site's CSP forbids inline scripts
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


# --- search --------------------------------------------------------------------------------


def test_search_for_mediation_lists_cards(page, base_url):
    page.goto(base_url + "recherche/?q=m%C3%A9diation")
    wait_search(page)
    assert result_count(page) > 0
    titles = page.locator("#essaim-liste .essaim-resultat__titre a")
    assert titles.count() > 0
    href = titles.first.get_attribute("href")
    assert href.startswith("/actions/")
    assert page.locator("#essaim-liste mark").count() > 0  # the excerpt highlights the (stemmed) word


def test_region_filter_narrows_results_and_updates_counts_with_the_keyboard(page, base_url):
    page.goto(base_url + "recherche/")
    wait_search(page)
    page.keyboard.press("Tab")
    for _ in range(40):  # keyboard only: Tab until the search field has focus
        if page.evaluate("document.activeElement && document.activeElement.id") == "essaim-q":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "essaim-q"
    page.keyboard.type("médiation")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#essaim-statut').textContent.includes('médiation')")
    wait_search(page)
    before = result_count(page)
    themes_before = option_counts(page, "theme")
    regions = {k: v for k, v in option_counts(page, "region").items() if v}
    assert before > 1 and regions
    region = min(regions, key=regions.get)  # the smallest région: it must narrow the results
    for _ in range(400):  # keyboard only: Tab through the open facets down to the région's checkbox
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == f"f-region-{region}":
            break
    assert page.evaluate("document.activeElement.id") == f"f-region-{region}"
    page.keyboard.press("Space")
    page.wait_for_function(f"() => location.search.includes('region={region}')")
    wait_search(page)
    after = result_count(page)
    assert 0 < after == regions[region] < before or (after == regions[region] and after <= before)
    assert after < before or len(regions) == 1
    assert option_counts(page, "theme") != themes_before  # the other facets count within the région
    assert option_counts(page, "region")[region] == regions[region]  # OR within: its own count is unchanged
    query = parse_qs(urlparse(page.url).query)
    assert query["q"] == ["médiation"] and query["region"] == [region]
    shot(page, "recherche-filtres")
    # The address is the state: opening it again gives the same search.
    page.goto(page.url)
    wait_search(page)
    assert result_count(page) == after and page.locator(f"#f-region-{region}").is_checked()


def test_search_without_words_browses_by_facets(page, base_url, real_site):
    _, catalog, _ = real_site
    page.goto(base_url + "recherche/")
    wait_search(page)
    assert page.locator("#essaim-liste .essaim-resultat").count() == 10  # the latest cards, written in the page
    theme, n = max(option_counts(page, "theme").items(), key=lambda item: item[1])
    assert n == sum(theme in c.meta.themes for c in catalog.cards)
    page.locator(f"#f-theme-{theme}").check()
    page.wait_for_function(f"() => location.search.includes('theme={theme}')")
    wait_search(page)
    assert result_count(page) == n


def search_transfer(browser, url: str) -> tuple[int, dict[str, int]]:
    """Bytes of the search files (scripts and index) a page downloads, as served, cache empty."""
    context = browser.new_context()
    tab = context.new_page()
    sizes: dict[str, int] = {}
    tab.on("requestfinished", lambda r: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
    tab.goto(url)
    wait_search(tab)
    tab.wait_for_load_state("networkidle")
    context.close()
    searched = {k: v for k, v in sizes.items() if "/recherche-index/" in k or k.endswith((".js", "recherche.css"))
                and "/assets/" in k and ("recherche" in k or "moteur" in k)}
    return sum(searched.values()), searched


def test_opening_the_search_page_downloads_no_index_file(browser, base_url):
    _, files = search_transfer(browser, base_url + "recherche/")
    assert not [k for k in files if "/recherche-index/" in k], files


def test_first_filtered_search_transfers_little(browser, base_url, real_site):
    _, catalog, _ = real_site
    region = max(catalog.cards[0].meta.territory.regions or ["84"], key=len)
    total, files = search_transfer(browser, base_url + f"recherche/?q=m%C3%A9diation&region={region}")
    assert [k for k in files if "/recherche-index/" in k]
    assert total <= FILTERED_SEARCH_BUDGET, sorted(files.items(), key=lambda item: -item[1])[:8]


# --- map, listings, card ----------------------------------------------------------------------


def test_map_leads_to_a_listing(page, base_url):
    page.goto(base_url + "carte/")
    zones = page.locator("svg a.essaim-zone")
    assert zones.count() >= 5  # only the régions with cards are links
    label = next(z.get_attribute("aria-label") for z in zones.all()
                 if not z.get_attribute("aria-label").endswith("aucune fiche"))
    shot(page, "carte")
    page.locator(f'svg a[aria-label="{label}"]').click()
    page.wait_for_url(re.compile(r"/regions/\w+/$"))
    name = label.split(" : ")[0]
    assert name in page.locator("h1").inner_text()
    assert page.locator(".essaim-liste .essaim-item").count() > 0
    # Down to a département, from the région's own map: the page reached is the one of the zone clicked.
    target = next(z for z in page.locator("figure svg a.essaim-zone").all()
                  if not z.get_attribute("aria-label").endswith("aucune fiche"))
    departement, count = re.fullmatch(r"(.+) : (\d+) fiches?", target.get_attribute("aria-label")).groups()
    target.click()
    page.wait_for_url(re.compile(r"/departements/\w+/$"))
    assert departement in page.locator("h1").inner_text()
    assert page.locator(".essaim-liste .essaim-item").count() == min(int(count), PAGE_SIZE)


def test_card_page_shows_its_sections_and_hides_its_email(page, base_url, real_site):
    from test_site_build import similar_links

    site, catalog, _ = real_site
    card = next(c for c in catalog.cards if c.id == "en-route-pour-ma-sante-poitiers")
    page.goto(base_url + f"actions/{card.id}/")
    headings = page.locator("article h2").all_inner_texts()
    for expected in ("Problématique et contexte", "Objectifs", "Résultats", "Gouvernance", "Contact", "Sources",
                     "Actions similaires", "Proposer une correction"):
        assert any(expected in h for h in headings), (expected, headings)
    assert page.locator(".essaim-puce--theme").count() == len(card.meta.themes)
    assert page.locator(".essaim-similaires li").count() == len(similar_links(site, card.id)) > 0
    shot(page, "fiche")
    email = card.meta.contacts[0].email
    assert email not in page.content()
    page.get_by_role("button", name=re.compile("Afficher le courriel")).click()
    link = page.locator("a.essaim-courriel__lien")
    assert link.inner_text() == email and link.get_attribute("href") == f"mailto:{email}"
    assert page.evaluate("document.activeElement.classList.contains('essaim-courriel__lien')")


def test_home_page(page, base_url, real_site):
    _, catalog, _ = real_site
    page.goto(base_url)
    assert str(len(catalog.cards)) in page.locator(".essaim-chiffres").inner_text()
    assert page.locator("h2", has_text="Dernières mises à jour").count() == 1
    shot(page, "accueil")
    page.fill("#essaim-q-rapide", "santé")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/recherche/\?q="))
    wait_search(page)
    assert result_count(page) > 0


# --- injection ---------------------------------------------------------------------------------


def test_a_card_that_tries_to_inject_a_script_does_not_run_it(browser, hostile_site):
    from test_site_build import HOSTILE

    url, card = hostile_site
    context, tab, dialogs = watched_tab(browser)
    tab.goto(url + f"actions/{card.id}/")
    for link in tab.locator("article a").all():
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    tab.locator("article").hover()
    assert tab.evaluate("typeof window.__pirate") == "undefined"
    assert tab.locator("article script").count() == 0 and tab.locator("article img, article iframe").count() == 0
    text = tab.locator("article").inner_text()
    assert "<script>window.__pirate = 3</script>" in text  # shown as text
    heading = tab.locator("h1").inner_text().removesuffix("¶").strip()  # ¶: the theme's permalink
    assert heading == " ".join(HOSTILE["title"].split())  # the whole title, shown as text
    assert "<script>" in tab.title() or "window.__pirate" in tab.title()
    assert not dialogs
    context.close()


# --- accessibility -------------------------------------------------------------------------------


@pytest.mark.skipif(not AXE.exists(), reason="axe-core absent : bash scripts/installer.sh --tests")
@pytest.mark.parametrize("path", ["", "actions/en-route-pour-ma-sante-poitiers/", "themes/acces_aux_droits/",
                                  "regions/75/", "recherche/?q=sant%C3%A9&region=75", "carte/",
                                  "carte/departements/", "donnees/"])
def test_no_serious_accessibility_violations(page, base_url, path):
    page.goto(base_url + path)
    if path.startswith("recherche"):
        wait_search(page)
    violations = axe_violations(page)
    assert not violations, violations


# --- security: hostile links, Content-Security-Policy (tests/data/hostile, docs/securite.md) -------------

HOSTILE_DATA = Path(__file__).resolve().parents[1] / "data" / "hostile"
LINK_CASES = (HOSTILE_DATA / "liens.md").read_text(encoding="utf-8").split("\n=====\n")
CSP_ERROR = re.compile(r"Content Security Policy|Refused to", re.IGNORECASE)


def console_guard(tab) -> list[str]:
    """Console errors and page errors of a tab, CSP violations included (Chromium logs them)."""
    found: list[str] = []
    tab.on("console", lambda message: found.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: found.append(str(error)))
    return found


@pytest.fixture(scope="module")
def hostile_links_site(tmp_path_factory):
    """A site whose card carries every hostile link of tests/data/hostile/liens.md (as if it bypassed validation)."""
    from essaim.site.build import build_site
    from essaim.pipeline.catalog import open_catalog

    folder = tmp_path_factory.mktemp("site-hostile")
    catalog, _ = open_catalog(ROOT / "content")
    card = next(c for c in catalog.cards if c.id == "en-route-pour-ma-sante-poitiers")
    hostile = "\n\n".join(f"Cas {n} : " + case.replace("[clic]", f"[clic {n}]") for n, case in enumerate(LINK_CASES))
    card.sections = {**card.sections, "resources": hostile}
    catalog.cards = [card]
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    assert build_site(catalog, folder / "mkdocs.yml") == 0
    with serve(folder / "build" / "site") as url:
        yield url, card


def test_hostile_links_do_nothing_on_click(browser, hostile_links_site):
    url, card = hostile_links_site
    context = browser.new_context()
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors = console_guard(tab)
    tab.goto(url + f"actions/{card.id}/")
    clicked = 0
    for n in range(len(LINK_CASES)):
        link = tab.get_by_text(f"clic {n}", exact=True)
        assert link.count() == 1, n
        assert not re.match(r"\s*(javascript|vbscript|data):", link.get_attribute("href") or "", re.I)
        link.click(timeout=2000)
        clicked += 1
        tab.wait_for_timeout(50)
        if tab.url != url + f"actions/{card.id}/":
            tab.goto(url + f"actions/{card.id}/")
    assert clicked == len(LINK_CASES) and not dialogs
    assert not [e for e in errors if CSP_ERROR.search(e)], errors
    context.close()


def test_every_page_has_a_csp_that_forbids_inline_scripts(real_site):
    site = real_site[0]
    pages = list(site.rglob("*.html"))
    # Data blocks (application/json, JSON-LD) are not executed: only executable inline scripts need a hash.
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>(.*?)</script>", re.S)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', text)
        assert policy, page
        assert text.index("Content-Security-Policy") < text.index("<script"), page  # before any script
        script_src = re.search(r"script-src ([^;]+)", policy.group(1)).group(1)
        assert "unsafe" not in script_src  # no 'unsafe-inline', no 'unsafe-eval', no 'wasm-unsafe-eval'
        for body in inline.findall(text):
            digest = "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            assert digest in script_src, (page, body[:80])  # every inline script the theme writes is allowed
    assert len(pages) > 100


@pytest.mark.parametrize("path", ["", "recherche/?q=m%C3%A9diation", "carte/", "actions/en-route-pour-ma-sante-poitiers/"])
def test_the_site_works_under_its_csp(browser, base_url, path):
    context = browser.new_context()
    tab = context.new_page()
    errors = console_guard(tab)
    tab.goto(base_url + path)
    if path.startswith("recherche"):
        wait_search(tab)
        assert tab.locator("#essaim-statut").inner_text()[:1].isdigit()
    if path == "carte/":
        tab.locator("svg a, svg path[tabindex], a[href*='departements']").first.wait_for(timeout=5000)
    assert tab.evaluate("typeof __md_get") == "function"  # the theme's storage helper, now an external script
    tab.wait_for_timeout(300)
    assert not errors, errors
    context.close()


def test_phone_number_is_revealed_on_request_only(page, base_url, real_site):
    site, catalog, _ = real_site
    card = next(c for c in catalog.cards if c.id == "en-route-pour-ma-sante-poitiers")
    phone = card.meta.contacts[0].phones[0]
    page.goto(base_url + f"actions/{card.id}/")
    assert phone not in page.content() and "tel:" not in page.content()
    page.get_by_role("button", name=re.compile("Afficher le téléphone")).click()
    link = page.locator("a.essaim-tel__lien")
    assert link.inner_text() == phone and link.get_attribute("href") == "tel:" + re.sub(r"[^0-9+]", "", phone)
