"""The website's search, as a reader uses it: Chromium on the real built site, desktop and phone.

The graded query set (tests/data/relevance.yaml) runs through the search page's own address
(/recherche/?q=…), and its results are compared with `essaim search` on the same index: same
understanding, same ranking, written twice (Python and moteur.js). The report is printed and
kept in build/pertinence-site.md.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from browser.sitebuild import ROOT
from browser.test_site_browser import result_count, shot, wait_search
from essaim.search import SearchIndex
from essaim.bench.relevance import KINDS, cli_engine, evaluate, load_queries, markdown

pytestmark = pytest.mark.browser

QUERIES = load_queries(ROOT / "tests" / "data" / "relevance.yaml")
PHONE = {"width": 390, "height": 844}


def site_engine(tab, url: str):
    def run(query):
        params = {"q": query.text, **{k: ",".join(v) for k, v in query.filters.items()}}
        tab.goto(url + "recherche/?" + urlencode(params))
        wait_search(tab)
        hrefs = tab.locator("#essaim-liste .essaim-resultat__titre a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
        ids = [h.strip("/").split("/")[-1] for h in hrefs]
        return ids, result_count(tab)
    return run


def test_site_relevance_matches_the_command_line_and_meets_the_targets(browser, base_url, real_site, tmp_path):
    site, catalog, _ = real_site
    index = SearchIndex(site.parent.parent / "build" / "index")
    cli, _ = evaluate(QUERIES, cli_engine(index))
    tab = browser.new_page()
    web, misses = evaluate(QUERIES, site_engine(tab, base_url))
    tab.close()
    report = markdown({"Site (Chromium, /recherche/?q=…)": web, "essaim search (même index)": cli})
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "pertinence-site.md").write_text(report, encoding="utf-8")
    print("\n" + report)
    assert web["ensemble"]["vides"] == 0
    assert abs(web["ensemble"]["ndcg@10"] - cli["ensemble"]["ndcg@10"]) <= 0.02
    assert web["ensemble"]["hit@5"] >= 0.9 and web["ensemble"]["ndcg@10"] >= 0.75
    for kind in KINDS:
        assert web[kind]["hit@5"] >= 0.8, (kind, web[kind], misses)


def test_same_understanding_and_ranking_as_the_command_line(browser, base_url, real_site):
    """Query by query, the site's first ten results are the command line's."""
    site, _, _ = real_site
    index = SearchIndex(site.parent.parent / "build" / "index")
    tab = browser.new_page()
    run = site_engine(tab, base_url)
    different = []
    for query in QUERIES[::3]:
        on_site, total = run(query)
        results = index.search(query.text, query.filters, limit=10)
        if on_site != [h.id for h in results.hits] or total != results.total:
            different.append((query.text, on_site[:3], [h.id for h in results.hits][:3], total, results.total))
    tab.close()
    assert len(different) <= len(QUERIES[::3]) // 20, different


def test_a_question_in_plain_words_returns_cards_and_a_typo_is_corrected(page, base_url):
    page.goto(base_url + "recherche/?" + urlencode({"q": "nos médecins partent à la retraite sans successeur, "
                                                          "que peut faire la mairie ?"}))
    wait_search(page)
    assert result_count(page) > 0
    page.goto(base_url + "recherche/?" + urlencode({"q": "diagnotic santé avec les habitans"}))
    wait_search(page)
    assert "« diagnotic » → « diagnostic »" in page.locator("#essaim-comprendre").inner_text()
    assert result_count(page) > 0


def test_a_filter_suggestion_is_clicked(page, base_url):
    page.goto(base_url + "recherche/?" + urlencode({"q": "mutuelle communale"}))
    wait_search(page)
    before = result_count(page)
    suggestion = page.locator(".essaim-suggestion").first
    facet, value = suggestion.get_attribute("data-facette"), suggestion.get_attribute("data-valeur")
    expected = int(suggestion.inner_text().rsplit("(", 1)[1].rstrip(")"))
    suggestion.click()
    page.wait_for_function(f"() => location.search.includes('{facet}={value}')")
    wait_search(page)
    assert result_count(page) == expected <= before
    assert page.locator(f"#f-{facet}-{value}").is_checked()


def test_a_search_that_matches_nothing_says_what_to_do(page, base_url):
    page.goto(base_url + "recherche/?q=zzxqwv")
    wait_search(page)
    assert result_count(page) == 0
    empty = page.locator(".essaim-vide")
    assert empty.count() == 1 and "Proposez-la" in empty.inner_text()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE], ids=["bureau", "telephone"])
def test_results_start_in_the_first_screen(browser, base_url, viewport):
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    tab = context.new_page()
    tab.goto(base_url + "recherche/?" + urlencode({"q": "santé mentale des jeunes", "region": "32"}))
    wait_search(tab)
    first = tab.locator("#essaim-liste .essaim-resultat").first.bounding_box()
    name = "telephone" if viewport == PHONE else "bureau"
    shot(tab, f"recherche-{name}")
    assert first["y"] < viewport["height"] - 60, first
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if viewport == PHONE:  # the filter panel opens from its button and shows the active filter
        button = tab.locator("#essaim-filtres-bouton")
        assert button.is_visible() and "(1)" in button.inner_text()
        assert not tab.locator("#essaim-facettes").is_visible()
        button.click()
        assert tab.locator("#essaim-facettes").is_visible()
    context.close()

