"""Browsing pages: theme family -> theme, région -> département, public, carrier type; each with counts.

Listings are pages, not navigation entries. Long listings are split into pages of PAGE_SIZE cards.
"""

from __future__ import annotations

from essaim.model import geography
from essaim.pipeline.catalog import Card
from essaim.pipeline.facets import facet_label as label
from essaim.site.facets import options
from essaim.site.markup import esc, md_text, rel
from essaim.site.pages import card_list, count_text, front_matter, listing_path
from essaim.model.vocabularies import vocabulary

PAGE_SIZE = 50


def value_link(site, page: str, facet: str, value: str, text: str | None = None, counted: bool = True) -> str:
    """« Libellé (3 fiches) », a link when the listing exists: only values with cards have a page.
    `counted=False` leaves the count out (a table that has a column for it)."""
    n = site.facets.count(facet, value)
    name = esc(text or label(facet, value))
    if not n:
        return f'<span class="essaim-vide">{name} <span class="essaim-compte">(aucune fiche)</span></span>'
    count = f' <span class="essaim-compte">({count_text(n)})</span>' if counted else ""
    return f'<a href="{esc(rel(page, listing_path(facet, value)))}">{name}</a>{count}'


def _search_link(page: str, facet: str, value: str) -> str:
    return (f'<p class="essaim-affiner"><a href="{esc(rel(page, "recherche.md"))}?{facet}={esc(value)}">'
            "Affiner cette liste dans la recherche (mots et filtres)</a></p>")


def paged_listing(path: str, title: str, intro: list[str], cards: list[Card], site, facet: str,
                  value: str, after: list[str] | None = None) -> dict[str, str]:
    """The pages of one listing: path -> Markdown; `after` goes under the cards of the first page."""
    chunks = [cards[i:i + PAGE_SIZE] for i in range(0, len(cards), PAGE_SIZE)] or [[]]
    base = path[: -len(".md")]
    paths = [path] + [f"{base}/page-{n}.md" for n in range(2, len(chunks) + 1)]
    pages = {}
    for number, (page, chunk) in enumerate(zip(paths, chunks), start=1):
        heading = title if number == 1 else f"{title} — page {number}"
        # The introduction's links are relative to the first page: later pages link back to it instead.
        first = intro if number == 1 else [f'<p><a href="{esc(rel(page, path))}">Début de la liste</a></p>']
        blocks = [front_matter(heading), f"# {md_text(heading)}", *first, _search_link(page, facet, value)]
        blocks.append(f'<p class="essaim-total" id="liste">{esc(count_text(len(cards)).capitalize())}'
                      + (f", triées par titre ; fiches {PAGE_SIZE * (number - 1) + 1} à "
                         f"{PAGE_SIZE * (number - 1) + len(chunk)}." if len(chunks) > 1 else ", triées par titre.")
                      + "</p>")
        blocks.append(card_list(site, chunk, page, heading_level=2))
        if len(chunks) > 1:
            links = []
            for other_number, other in enumerate(paths, start=1):
                if other_number == number:
                    links.append(f'<li><span aria-current="page">{other_number}</span></li>')
                else:
                    links.append(f'<li><a href="{esc(rel(page, other))}">{other_number}</a></li>')
            blocks.append(f'<nav class="essaim-pages" aria-label="Pages de la liste"><ul>{"".join(links)}</ul></nav>')
        if number == 1 and after:
            blocks += after
        pages[page] = "\n\n".join(blocks) + "\n"
    return pages


def _definition(text: str | None) -> list[str]:
    return [f'<p class="essaim-definition">{esc(text)}</p>'] if text else []


def listing_pages(site) -> dict[str, str]:
    pages: dict[str, str] = {}
    facets = site.facets
    themes, families = vocabulary("themes"), vocabulary("familles")

    # Theme families -> themes.
    page = "themes/index.md"
    blocks = [front_matter("Fiches par thème"), "# Fiches par thème",
              "<p>Les thèmes sont rangés en familles ; chaque fiche peut relever de plusieurs thèmes.</p>"]
    for family in families.terms:
        blocks.append(f"## {md_text(family.label)}")
        items = "".join(f"<li>{value_link(site, page, 'theme', t.id)}</li>" for t in themes.terms
                        if t.family == family.id)
        blocks.append(f'<p>{value_link(site, page, "famille", family.id, "Toutes les fiches de la famille")}</p>'
                      f'<ul class="essaim-valeurs">{items}</ul>')
    pages[page] = "\n\n".join(blocks) + "\n"
    for family in families.terms:
        if not facets.count("famille", family.id):
            continue
        path = listing_path("famille", family.id)
        items = "".join(f"<li>{value_link(site, path, 'theme', t.id)}</li>" for t in themes.terms
                        if t.family == family.id)
        intro = _definition(family.definition) + [f'<p>Thèmes de la famille :</p><ul class="essaim-valeurs">{items}</ul>']
        pages.update(paged_listing(path, family.label, intro, facets.cards("famille", family.id), site,
                                   "theme", ",".join(t.id for t in themes.terms if t.family == family.id)))
    for theme in themes.terms:
        if facets.count("theme", theme.id):
            path = listing_path("theme", theme.id)
            family = families.by_id[theme.family]
            intro = _definition(theme.definition) + [
                f'<p>Famille : {value_link(site, path, "famille", family.id, family.label)}</p>']
            pages.update(paged_listing(path, f"Thème : {theme.label}", intro, facets.cards("theme", theme.id), site,
                                       "theme", theme.id))

    # Régions -> départements.
    page = "regions/index.md"
    rows = []
    for region in options("region"):
        deps = [d for d in options("departement") if geography.departements()[d].parent == region]
        dep_links = ", ".join(value_link(site, page, "departement", d) for d in deps if facets.count("departement", d))
        rows.append(f"<tr><th scope=\"row\">{value_link(site, page, 'region', region, counted=False)}</th>"
                    f"<td>{facets.count('region', region)}</td><td>{dep_links or '—'}</td></tr>")
    pages[page] = "\n\n".join([
        front_matter("Fiches par territoire"), "# Fiches par territoire",
        f'<p>Voir aussi la <a href="{esc(rel(page, "carte/index.md"))}">carte des actions</a>.</p>',
        '<table class="essaim-table"><caption>Nombre de fiches par région, et départements qui en ont</caption>'
        '<thead><tr><th scope="col">Région</th><th scope="col">Fiches</th><th scope="col">Départements</th></tr>'
        f'</thead><tbody>{"".join(rows)}</tbody></table>',
    ]) + "\n"
    from essaim.site.carte import departement_map

    # Only the régions and départements with cards have a page (and a link, on the maps as elsewhere);
    # a région's cards come first, its départements after.
    for region in (r for r in options("region") if facets.count("region", r)):
        path = listing_path("region", region)
        deps = [d for d in options("departement") if geography.departements()[d].parent == region]
        items = "".join(f"<li>{value_link(site, path, 'departement', d)}</li>" for d in deps)
        after = ["## Départements de la région",
                 f'<ul class="essaim-valeurs">{items}</ul>',
                 departement_map(site, path, deps, f"Carte des départements de la région {label('region', region)}")]
        pages.update(paged_listing(path, f"Région : {label('region', region)}", [], facets.cards("region", region),
                                   site, "region", region, after))
    for dep in (d for d in options("departement") if facets.count("departement", d)):
        path = listing_path("departement", dep)
        region = geography.departements()[dep].parent
        intro = [f'<p>Région : {value_link(site, path, "region", region)}</p>']
        pages.update(paged_listing(path, f"Département : {label('departement', dep)}", intro,
                                   facets.cards("departement", dep), site, "departement", dep))

    # Publics and carrier types.
    for facet, folder, title, vocab in (("public", "publics", "Fiches par public", "publics"),
                                        ("porteur", "porteurs", "Fiches par type de porteur", "porteurs")):
        page = f"{folder}/index.md"
        items = "".join(f"<li>{value_link(site, page, facet, t.id)}</li>" for t in vocabulary(vocab).terms)
        pages[page] = "\n\n".join([front_matter(title), f"# {md_text(title)}",
                                   f'<ul class="essaim-valeurs">{items}</ul>']) + "\n"
        prefix = "Public" if facet == "public" else "Porteur"
        for term in vocabulary(vocab).terms:
            if facets.count(facet, term.id):
                pages.update(paged_listing(listing_path(facet, term.id), f"{prefix} : {term.label}",
                                           _definition(term.definition), facets.cards(facet, term.id), site,
                                           facet, term.id))
    return pages
