"""The website: a real mkdocs build of the real content with its static search index, and the page writer on its own."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import markdown
import pytest
import yaml

from browser.sitebuild import ROOT, build_real_site
from essaim.pipeline.catalog import open_catalog
from essaim.model.card import CARD_SECTIONS, Contact
from essaim.site import Site, site_files
from essaim.site.exports import COLUMNS, actions_csv, actions_json
from essaim.site.markup import render_markdown
from essaim.site.build import SIMILAR
from essaim.site.pages import card_page

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory.getbasetemp())


def test_real_content_builds_into_a_site_with_one_page_per_card(real_site):
    site, catalog, _ = real_site
    assert catalog.cards, "aucune fiche valide"
    for card in catalog.cards:
        page = (site / "actions" / card.id / "index.html").read_text(encoding="utf-8")
        assert card.meta.title.replace("'", "&#39;") in page or card.meta.title in page or "&amp;" in page
        for section in CARD_SECTIONS:
            if card.sections[section.key]:
                assert section.heading in page
        for heading in ("Contact", "Sources", "Actions similaires", "Proposer une correction", "En bref"):
            assert heading in page
        assert f"https://github.com/essaim-sante/essaim/edit/main/content/actions/{card.path.name}" in page
        assert "data-pagefind" not in page  # the site's search reads its own static index (recherche-index/)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f"<strong>{len(catalog.cards)}</strong> fiches action" in home


def test_guides_keep_their_headings_for_the_table_of_contents(real_site):
    site, catalog, _ = real_site
    for guide in catalog.guides:
        page = (site / "guides" / guide.id / "index.html").read_text(encoding="utf-8")
        for heading in re.findall(r"^## (.+)$", guide.body, re.M)[:3]:
            words = re.sub(r"[*_`]", "", heading).split()[0]
            assert re.search(rf'<h2 id="[^"]+">[^<]*{re.escape(words)}', page), (guide.id, heading)


def test_card_pages_put_the_decision_first(real_site):
    """« En bref » and the contact come right after the summary, before the tags and the sections."""
    site, catalog, _ = real_site
    for card in catalog.cards:
        page = (site / "actions" / card.id / "index.html").read_text(encoding="utf-8")
        article = page.split('class="md-content__inner', 1)[1]
        order = [article.index(marker) for marker in ('class="essaim-resume"', 'class="essaim-decision"',
                                                       'id="contact"', 'class="essaim-classement"')]
        assert order == sorted(order), card.id
        first_section = re.search(r"<h2 id=", article)
        assert not first_section or first_section.start() > order[-1], card.id
        box = article.split('class="essaim-decision"', 1)[1].split('class="essaim-classement"', 1)[0]
        for label in ("Porteur", "Lieu", "Période", "Fiche", "Mise à jour"):
            assert f"<dt>{label}</dt>" in box, (card.id, label)
        if card.meta.contacts:
            assert 'class="essaim-contacts"' in box
        else:
            assert "Pas de contact publié" in box and "template=signaler-une-correction.yml" in box
            assert f"fiche={card.id}" in box


def test_sections_the_source_leaves_empty_are_gathered_in_one_line(real_site):
    from essaim.site.pages import bare_silence

    site, catalog, _ = real_site
    card = next(c for c in catalog.cards if c.id == "poles-ressources-sante-lille")
    silent = [s.heading for s in CARD_SECTIONS if card.sections[s.key] and bare_silence(card.sections[s.key])]
    assert len(silent) >= 3
    page = (site / "actions" / card.id / "index.html").read_text(encoding="utf-8")
    line = re.search(r'<p class="essaim-non-renseigne"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", line).strip() == f"Non renseigné dans la source : {', '.join(silent)}."
    headings = re.findall(r'<h2 id="[^"]*">([^<]+)', page)
    assert not set(silent) & {h.strip() for h in headings}
    assert "Problématique et contexte" in [h.strip() for h in headings]
    # A section that says more than its absence keeps its heading and its text.
    assert not bare_silence("Non renseigné : la source ne publie pas de résultats. Elle souligne un effet.")
    assert bare_silence("Non renseigné dans la source.") and bare_silence("Non renseigné : la source ne le dit pas.")
    assert not bare_silence("Des résultats chiffrés.")


def similar_links(site, card_id: str) -> list[str]:
    """The ids a card page links to under « Actions similaires », in order."""
    page = (site / "actions" / card_id / "index.html").read_text(encoding="utf-8")
    block = page.split('class="essaim-similaires"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<li><a href="\.\./\.\./actions/([^/"]+)/">', block)


def test_card_pages_have_similar_actions_from_the_search_index(real_site):
    """Each card links to at most SIMILAR other cards, never to itself, each once, each with a page."""
    site, catalog, _ = real_site
    for card in catalog.cards:
        links = similar_links(site, card.id)
        assert 1 <= len(links) <= SIMILAR and card.id not in links and len(set(links)) == len(links), (card.id, links)
        assert all((site / "actions" / other / "index.html").exists() for other in links), links


@pytest.mark.content
def test_every_real_card_has_a_full_set_of_similar_actions(real_site):
    """Content: the base is dense enough that no card page shows fewer than SIMILAR neighbours."""
    site, catalog, _ = real_site
    short = {card.id: len(links) for card in catalog.cards if len(links := similar_links(site, card.id)) < SIMILAR}
    assert short == {}


def test_a_contact_with_two_numbers_shows_both():
    from essaim.site.markup import obfuscated
    from essaim.site.pages import contact_html

    phones = ["04 66 39 12 34", "06 12 34 56 78"]
    contact = Contact.model_validate({"structure": "Maison de santé", "telephone": phones})
    html_text = contact_html(contact)
    assert all(f'data-tel="{obfuscated(phone)}"' in html_text for phone in phones)
    assert "tel:" not in html_text  # revealed on request only (not a public switchboard)
    assert html_text.count('<li class="essaim-contact">') == 1  # one contact, not two copies


def test_card_pages_stay_under_150_kb(real_site):
    site, catalog, _ = real_site
    sizes = {card.id: (site / "actions" / card.id / "index.html").stat().st_size for card in catalog.cards}
    assert max(sizes.values()) <= 150 * 1024, max(sizes.items(), key=lambda item: item[1])


def test_contact_emails_are_not_in_any_page(real_site):
    site, catalog, _ = real_site
    emails = {c.email for card in catalog.cards for c in card.meta.contacts if c.email}
    for html_file in site.rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        assert "mailto:" not in text, html_file
        for email in emails:
            assert email not in text, (html_file, email)
    assert emails, "aucun courriel dans les fiches : le test ne vérifie rien"
    assert "[arobase]" in "".join(p.read_text("utf-8") for p in (site / "actions").rglob("index.html"))


def test_navigation_is_short_and_search_reads_our_static_index(real_site):
    site, catalog, _ = real_site
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert "hooks" not in config and config["plugins"] == []
    entries = [next(iter(e.values())) for e in config["nav"]]
    assert len(entries) <= 10 and not any(e.startswith("actions/") and e != "actions/index.md" for e in entries)
    assert config["repo_url"] and config["edit_uri"]
    manifest = json.loads((site / "recherche-index" / "manifeste.json").read_text(encoding="utf-8"))
    assert manifest["documents"] == len(catalog.cards) + len(catalog.guides)
    assert not (site / "search" / "search_index.json").exists() and not (site / "pagefind").exists()
    search = (site / "recherche" / "index.html").read_text(encoding="utf-8")
    assert "assets/recherche.js" in search and 'id="essaim-facettes-data"' in search
    card = (site / "actions" / catalog.cards[0].id / "index.html").read_text(encoding="utf-8")
    nav = card.split('class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert nav.count("<a ") <= 15  # the theme's navigation never lists the cards


def test_listings_and_maps_give_counts_and_links(real_site):
    site, catalog, _ = real_site
    for path in ("themes", "regions", "publics", "porteurs", "parcourir", "carte", "carte/departements",
                 "donnees", "contribuer", "a-propos", "guides", "actions", "recherche"):
        assert (site / path / "index.html").exists(), path
    card = catalog.cards[0]
    theme = card.meta.themes[0]
    listing = (site / "themes" / theme / "index.html").read_text(encoding="utf-8")
    assert f"../../actions/{card.id}/" in listing and "fiche" in listing
    carte = (site / "carte" / "index.html").read_text(encoding="utf-8")
    zones = re.findall(r'<a href="\.\./regions/(\w+)/" aria-label="([^"]+)"', carte)
    with_cards = {r for c in catalog.cards for r in c.meta.territory.regions}
    assert {code for code, _ in zones} == with_cards
    assert all(" : " in name and "fiche" in name and "aucune" not in name for _, name in zones)
    assert "<table" in carte
    departements = (site / "carte" / "departements" / "index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'<a href="\.\./\.\./departements/(\w+)/" aria-label=', departements))
    grey = re.findall(r'<g class="essaim-zone essaim-zone--vide"><title>', departements)
    assert linked and grey and all((site / "departements" / d / "index.html").exists() for d in linked)
    assert len(list((site / "departements").glob("*/index.html"))) == len(linked)
    for code, _ in zones:
        assert (site / "regions" / code / "index.html").exists()


def test_territories_without_cards_have_no_page_and_no_link(real_site):
    from essaim.model import geography

    site, catalog, _ = real_site
    regions = {r for c in catalog.cards for r in c.meta.territory.regions}
    empty = [r for r in geography.regions() if r not in regions]
    assert empty, "toutes les régions ont des fiches : le test ne vérifie rien"
    carte = (site / "carte" / "index.html").read_text(encoding="utf-8")
    for code in empty:
        assert not (site / "regions" / code).exists(), code
        assert f"regions/{code}/" not in carte
        assert not any(f'href="../../regions/{code}/"' in (site / d / "index.html").read_text(encoding="utf-8")
                       for d in ("regions", "parcourir"))
    # The map names the régions; the overseas boxes appear only with cards (no « (0) » box).
    names = re.search(r'<g class="essaim-carte__noms"[^>]*>(.*?)</g>', carte, re.S).group(1)
    assert "Bretagne" in names and "Normandie" in names
    assert "(0)</text>" not in carte
    assert '<g class="essaim-zone essaim-zone--vide"><title>Corse : aucune fiche</title>' in carte or "94" in regions
    for page in site.rglob("index.html"):
        assert "Aucune fiche" not in page.read_text(encoding="utf-8") or page.parent.name == "a-propos", page


def test_a_region_page_lists_its_cards_before_its_departements(real_site):
    site, catalog, _ = real_site
    region = catalog.cards[0].meta.territory.regions[0]
    page = (site / "regions" / region / "index.html").read_text(encoding="utf-8").split("md-content__inner", 1)[1]
    assert page.index('class="essaim-liste"') < page.index("Départements de la région")


def test_open_data_files_are_published(real_site):
    site, catalog, _ = real_site
    data = json.loads((site / "donnees" / "actions.json").read_text(encoding="utf-8"))
    assert data["licence"] == "CC BY 4.0" and data["nombre"] == len(catalog.cards) == len(data["actions"])
    rows = list(csv.DictReader(io.StringIO((site / "donnees" / "actions.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(catalog.cards) and list(rows[0]) == list(COLUMNS)
    for schema in (ROOT / "schemas").glob("*.json"):
        assert (site / "donnees" / "schemas" / schema.name).read_text("utf-8") == schema.read_text("utf-8")
    page = (site / "donnees" / "index.html").read_text(encoding="utf-8")
    assert 'href="actions.csv"' in page and 'href="actions.json"' in page and "porteur_type" in page


def test_personal_contact_fields_are_exported_only_when_allowed():
    catalog, _ = open_catalog(ROOT / "content")
    card = catalog.cards[0]
    shared = Contact.model_validate({"nom": "Ada Exemple", "fonction": "Coordinatrice", "structure": "Ville",
                                     "email": "ada@exemple.fr", "telephone": ["05 49 00 00 01", "06 12 34 56 78"],
                                     "exportable": True})
    private = Contact.model_validate({"nom": "Bob Prive", "fonction": "Médiateur", "structure": "CCAS",
                                      "email": "bob@prive.fr", "telephone": "05 49 52 36 15"})
    card.meta = card.meta.model_copy(update={"contacts": [shared, private]})
    site = Site(catalog)
    text = actions_json(site) + actions_csv(site)
    assert "ada@exemple.fr" in text and "Ada Exemple" in text and "05 49 00 00 01 ; 06 12 34 56 78" in text
    assert "bob@prive.fr" not in text and "Bob Prive" not in text and "05 49 52 36 15" not in text
    assert "Médiateur" in text and "CCAS" in text


HOSTILE = {
    "title": 'Titre <script>window.__pirate = 1</script> {: onclick="alert(1)" }',
    "summary": 'Résumé <img src=x onerror="window.__pirate = 2"> assez long pour passer.',
    "section": '<script>window.__pirate = 3</script>\n\n<div onclick="x">bloc</div>\n\n'
               '[clic](javascript:window.__pirate=4) <a href="javascript:1">a</a> ![i](x" onerror="y)\n\n'
               '<iframe src="https://exemple.fr"></iframe>',
}


def _tags(html: str) -> list[tuple[str, list]]:
    from html.parser import HTMLParser

    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


def hostile_catalog():
    """A real card, then raw HTML and scripts everywhere, as if it had bypassed validation."""
    catalog, _ = open_catalog(ROOT / "content")
    card = next(c for c in catalog.cards if c.id == "en-route-pour-ma-sante-poitiers")
    card.meta = card.meta.model_copy(update={"title": HOSTILE["title"], "summary": HOSTILE["summary"],
                                             "funding": "<b onmouseover=alert(5)>x</b>"})
    card.sections = {**card.sections, "problem": HOSTILE["section"], "results": HOSTILE["section"]}
    catalog.cards = [card]
    return catalog, card


def test_page_writer_escapes_a_card_that_bypassed_validation():
    catalog, card = hostile_catalog()
    text = card_page(Site(catalog), card)
    html = markdown.markdown(text.split("---", 2)[2], extensions=["tables", "attr_list", "toc"])
    tags = _tags(html)
    assert not {"script", "iframe", "img", "object", "embed"} & {tag for tag, _ in tags}
    for tag, attrs in tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)
    assert "&lt;script&gt;" in html
    front = yaml.safe_load(text.split("---", 2)[1])
    assert "<" not in front["title"] and "<" not in front["description"]


def test_markdown_renderer_keeps_safe_markup():
    rendered = render_markdown("**Gras**, [lien](https://exemple.fr), [fiche](autre-fiche.md), "
                               "[guide](../guides/g.md#etapes), [doc](https://exemple.fr/a.md)\n\n# Titre\n\n- a\n- b")
    assert "<strong>Gras</strong>" in rendered and 'href="https://exemple.fr"' in rendered
    assert 'href="../../guides/g/#etapes"' in rendered and 'href="https://exemple.fr/a.md"' in rendered
    assert 'href="../autre-fiche/"' in rendered and "<h3>Titre</h3>" in rendered and "<li>a</li>" in rendered


def test_no_generated_page_lists_every_card_when_the_base_is_large():
    from essaim.bench.engine import synthetic_catalog
    from essaim.site.listings import PAGE_SIZE

    catalog, _ = open_catalog(ROOT / "content")
    big = synthetic_catalog(catalog, 300)
    files = site_files(Site(big))
    for path, text in files.items():
        if path.endswith(".md") and not path.startswith("actions/"):
            assert text.count('class="essaim-item"') <= PAGE_SIZE, path
    assert any("/page-2.md" in path for path in files)


def test_listing_lines_give_what_one_chooses_by(real_site):
    site, catalog, _ = real_site
    card = next(c for c in catalog.cards if c.id == "accompagnement-global-femmes-ikambere")
    listing = (site / "themes" / card.meta.themes[0] / "index.html").read_text(encoding="utf-8")
    item = listing.split(f'href="../../actions/{card.id}/"', 1)[1].split('<li class="essaim-item">', 1)[0]
    facts = re.findall(r'<li class="essaim-fait essaim-fait--([\w-]+)[^"]*">([^<]+)</li>', item)
    assert [kind for kind, _ in facts] == ["statut", "debut", "lieu", "porteur", "niveau", "contact"]
    assert dict(facts)["statut"] == "En cours" and dict(facts)["debut"] == "depuis 1997"
    assert dict(facts)["contact"] == "contact publié" and dict(facts)["niveau"] == "fiche complète"
    silent = next(c for c in catalog.cards if not c.meta.contacts)
    page = next((site / "themes" / t / "index.html") for t in silent.meta.themes)
    assert "sans contact" in page.read_text(encoding="utf-8").split(f"../../actions/{silent.id}/", 1)[1][:3000]


def test_excerpts_add_to_the_title_and_mark_a_cut():
    from essaim.site.pages import EXCERPT_CHARS, excerpt

    long = "Une équipe mobile va au-devant des habitants des villages. " + "Elle propose des bilans. " * 30
    cut = excerpt("Bus santé", long)
    assert cut.endswith(" …") and len(cut) <= EXCERPT_CHARS + 2 and not cut[:-2].endswith(" ")
    assert excerpt("Bus santé", "Court résumé.") == "Court résumé."
    # A first sentence that only restates the title is skipped.
    assert excerpt("Médiation en santé à Nantes", "Médiation en santé à Nantes. Des médiatrices vont vers les "
                   "habitants.") == "Des médiatrices vont vers les habitants."
    assert excerpt("Bus santé", "Un bus santé sillonne le Jura. Il s'arrête dans 12 villages.").startswith("Un bus")


def test_listings_sort_titles_the_french_way_and_the_footer_is_french(real_site):
    from essaim.text.collation import sort_key

    site, catalog, _ = real_site
    listing = (site / "themes" / "acces_aux_droits" / "index.html").read_text(encoding="utf-8")
    titles = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'class="essaim-item__titre"><a [^>]+>(.*?)</a>', listing)]
    titles = [html.unescape(t) for t in titles]
    assert len(titles) > 5 and titles == sorted(titles, key=sort_key)
    home = (site / "index.html").read_text(encoding="utf-8")
    footer = home.split("<footer", 1)[1]
    assert "Made with" not in footer and "Contenus sous licence CC BY 4.0" in footer


def test_html_blocks_set_aside_around_mkdocs_come_back_to_the_same_page():
    """What mkdocs' Markdown makes of a page is the same whether our HTML blocks go through it or around it."""
    from essaim.site.blocks import put_back, set_aside

    catalog, _ = open_catalog(ROOT / "content")
    files = site_files(Site(catalog), ROOT)
    pages = [p for p in files if p.endswith(".md")]
    assert len(pages) > 200
    for path in pages:
        body = files[path].split("---\n", 2)[2] if files[path].startswith("---\n") else files[path]
        blocks: list[str] = []
        marked = set_aside(body, blocks)
        through = markdown.markdown(body, extensions=["tables", "attr_list", "toc"])
        around = put_back(markdown.markdown(marked, extensions=["tables", "attr_list", "toc"]), blocks)
        assert around == through, path
        if path.startswith("actions/"):
            assert blocks and marked.count("<") < body.count("<") / 10, path  # mkdocs sees a few marks, not the HTML
    # A block spanning blank lines is taken whole; two elements in one block go through mkdocs (it adds a newline).
    blocks = []
    assert set_aside('# T\n\n<div>\n\n<p>a</p>\n\n</div>\n\n<p>x</p><ul><li>y</li></ul>\n', blocks) == (
        '# T\n\n<!-- essaim:0 -->\n\n<p>x</p><ul><li>y</li></ul>\n')
    assert blocks == ["<div>\n\n<p>a</p>\n\n</div>"]
