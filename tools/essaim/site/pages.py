"""Card and guide pages: Markdown headings (table of contents, permalinks) around escaped HTML blocks.

Every value from a card goes through `esc`, `md_text` or `render_markdown`: a card that slipped past
validation with raw HTML in it still comes out as text.
"""

from __future__ import annotations

import re

from essaim.catalog import LEVEL_LABELS, Card, Guide
from essaim.model import CARD_SECTIONS
from essaim.facets import facet_label as label
from essaim.site.markup import esc, md_text, obfuscated_email, rel, render_markdown, split_sections, yaml_string
from essaim.vocabularies import vocabulary

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
LEVEL_HELP = {
    "complete": "toutes les sections, les partenaires, les contacts et l'année de début sont renseignés",
    "partielle": "le contexte, les objectifs et le déroulé sont décrits ; il manque des éléments",
    "ebauche": "la fiche est à compléter",
}


def french_date(value: str) -> str:
    """« 2022-12 » -> « décembre 2022 »; « 2022-12-05 » -> « 5 décembre 2022 »; « 2022 » -> « 2022 »."""
    parts = str(value).split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    day = int(parts[2])
    return f"{'1er' if day == 1 else day} {month} {parts[0]}"


def count_text(n: int) -> str:
    return "aucune fiche" if n == 0 else f"{n} fiche" if n == 1 else f"{n} fiches"


def front_matter(title: str, description: str | None = None, hide_toc: bool = False) -> str:
    lines = ["---", f"title: {yaml_string(title)}"]
    if description:
        lines.append(f"description: {yaml_string(description)}")
    if hide_toc:
        lines += ["hide:", "  - toc"]
    return "\n".join(lines + ["---", ""])


def card_page_path(card_id: str) -> str:
    return f"actions/{card_id}.md"


def listing_path(facet: str, value: str) -> str:
    from essaim.site.facets import LISTING_FOLDERS

    return f"{LISTING_FOLDERS[facet]}/{value}.md"


def period_text(card: Card) -> str:
    p = card.meta.period
    if p.start and p.end:
        span = f"de {p.start} à {p.end}" if p.end != p.start else f"en {p.start}"
    elif p.start:
        span = f"depuis {p.start}"
    elif p.end:
        span = f"jusqu'en {p.end}"
    else:
        span = "dates non publiées"
    return f"{span} ({vocabulary('statuts').label(card.meta.status).lower()})"


def place_text(card: Card, facets: dict[str, list[str]]) -> str:
    """A short place for listings: communes, else départements, else régions, else the scale."""
    t = card.meta.territory
    if t.communes:
        names = [c.name for c in t.communes[:3]]
        more = len(t.communes) - 3
        return ", ".join(names) + (f" et {more} autre{'s' if more > 1 else ''}" if more > 0 else "")
    if facets["departement"]:
        return ", ".join(label("departement", d) for d in facets["departement"][:3])
    if facets["region"]:
        return ", ".join(label("region", r) for r in facets["region"][:3])
    return vocabulary("echelles").label(t.scale)


def _chips(site, card: Card, page: str, facets: dict[str, list[str]]) -> str:
    groups = {
        ("theme", "Thèmes"): [(label("theme", t), rel(page, listing_path("theme", t))) for t in card.meta.themes],
        ("public", "Publics"): [(label("public", p), rel(page, listing_path("public", p))) for p in card.meta.publics],
        ("lieu", "Territoires"): (
            [(label("region", r), rel(page, listing_path("region", r))) for r in facets["region"]]
            + [(label("departement", d), rel(page, listing_path("departement", d))) for d in facets["departement"]]
            + [(label("territoire", k), rel(page, "recherche.md") + f"?territoire={k}") for k in card.meta.territory.kinds]),
    }
    lines = []
    for (kind, name), chips in groups.items():
        if chips:
            links = " ".join(f'<a class="essaim-puce essaim-puce--{kind}" href="{esc(href)}">{esc(text)}</a>'
                             for text, href in chips)
            lines.append(f'<p class="essaim-puces"><span class="essaim-vh">{name} : </span>{links}</p>')
    return f'<div class="essaim-classement">{"".join(lines)}</div>'


def _identity(site, card: Card, page: str, facets: dict[str, list[str]]) -> str:
    m = card.meta
    t = m.territory
    carrier = (f"{esc(m.carrier.name)} (<a href=\"{esc(rel(page, listing_path('porteur', m.carrier.type)))}\">"
               f"{esc(vocabulary('porteurs').label(m.carrier.type))}</a>)")
    places = [esc(c.name) for c in t.communes]
    places += [f'<a href="{esc(rel(page, listing_path("departement", d)))}">{esc(label("departement", d))}</a>'
               for d in facets["departement"]]
    places += [f'<a href="{esc(rel(page, listing_path("region", r)))}">{esc(label("region", r))}</a>'
               for r in facets["region"]]
    territory = " · ".join(places) or esc(vocabulary("echelles").label(t.scale))
    territory += f" — échelle : {esc(vocabulary('echelles').label(t.scale).lower())}"
    if t.kinds:
        territory += f" ; {esc(', '.join(label('territoire', k) for k in t.kinds))}"
    if t.detail:
        territory += f"<br>{esc(t.detail)}"
    governance = []
    if m.carrier.pilot:
        governance.append(f"pilote : {esc(m.carrier.pilot)}")
    if m.carrier.local_authority_role:
        governance.append(f"rôle de la collectivité : {esc(m.carrier.local_authority_role)}")
    if card.sections.get("governance"):
        governance.append('<a href="#gouvernance">voir la section Gouvernance</a>')
    frameworks = ", ".join(esc(vocabulary("cadres").label(f)) for f in m.frameworks) or "aucun cité par la source"
    rows = [
        ("Porteur", carrier),
        ("Territoire", territory),
        ("Période", esc(period_text(card))),
        ("Partenaires opérationnels", esc(", ".join(m.partners.operational)) or "non cités par la source"),
        ("Partenaires financiers", esc(", ".join(m.partners.financial)) or "non cités par la source"),
    ]
    if m.funding:
        rows.append(("Financement", esc(m.funding)))
    rows += [
        ("Gouvernance", " ; ".join(governance) or "non renseignée"),
        ("Cadres territoriaux", frameworks),
    ]
    if m.evaluation.evaluated is not None or m.evaluation.method:
        evaluated = {True: "oui", False: "non", None: "non précisé"}[m.evaluation.evaluated]
        method = f" — {esc(m.evaluation.method)}" if m.evaluation.method else ""
        rows.append(("Évaluation", f"{evaluated}{method}"))
    body = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in rows)
    return (f'<div class="essaim-identite" role="group" aria-labelledby="essaim-identite-titre">'
            f'<p class="essaim-identite__titre" id="essaim-identite-titre">En bref</p><dl>{body}</dl></div>')


def _status(card: Card) -> str:
    missing = ""
    if card.missing:
        missing = f'<span class="essaim-etat__manque">À compléter : {esc(", ".join(card.missing))}.</span>'
    return (f'<div class="essaim-etat" data-pagefind-ignore>'
            f'<span class="essaim-badge essaim-badge--{card.level}" title="{esc(LEVEL_HELP[card.level])}">'
            f"Fiche {esc(LEVEL_LABELS[card.level])}</span> "
            f'<span class="essaim-etat__maj">Mise à jour : <time datetime="{esc(card.meta.updated)}">'
            f"{esc(french_date(card.meta.updated))}</time></span> {missing}</div>")


def _contacts(card: Card) -> str:
    if not card.meta.contacts:
        return '<p data-pagefind-ignore>Aucun contact publié par la source.</p>'
    items = []
    for contact in card.meta.contacts:
        who = " — ".join(esc(x) for x in (contact.name, contact.role, contact.organisation) if x)
        parts = [f'<span class="essaim-contact__qui">{who or "Contact"}</span>']
        if contact.email:
            encoded, readable = obfuscated_email(contact.email)
            parts.append(
                f'<span class="essaim-courriel" data-courriel="{esc(encoded)}" data-nom="{esc(contact.name or "")}">'
                f'<span class="essaim-courriel__texte">{esc(readable)}</span></span>')
        for phone in contact.phones:
            digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
            parts.append(f'<a class="essaim-tel" href="tel:{esc(digits)}">{esc(phone)}</a>')
        items.append(f'<li class="essaim-contact">{"<br>".join(parts)}</li>')
    return f'<ul class="essaim-contacts" data-pagefind-ignore>{"".join(items)}</ul>'


def _sources(site, card_sources) -> str:
    items = []
    for ref in card_sources:
        doc = site.catalog.sources.get(ref.document)
        if doc is None:
            items.append(f"<li>{esc(ref.document)}</li>")
            continue
        pages = f", p. {esc(ref.pages)}" if ref.pages else ""
        title = (f'<a href="{esc(doc.url)}" rel="noopener"><cite>{esc(doc.title)}</cite></a>' if doc.url
                 else f"<cite>{esc(doc.title)}</cite>")
        items.append(f"<li>{esc(doc.publisher)}, {title}, {esc(french_date(doc.date))}{pages}</li>")
    return f'<ul class="essaim-sources" data-pagefind-ignore>{"".join(items)}</ul>'


def _similar(site, card: Card, page: str) -> str:
    ids = [i for i in site.similar.get(card.id, []) if site.card(i)]
    if not ids:
        return '<p data-pagefind-ignore>Pas encore d\'action proche dans la base.</p>'
    items = []
    for other_id in ids:
        other = site.card(other_id)
        items.append(f'<li><a href="{esc(rel(page, card_page_path(other.id)))}">{esc(other.meta.title)}</a>'
                     f' <span class="essaim-discret">— {esc(other.meta.carrier.name)}, '
                     f"{esc(place_text(other, site.facets.by_card[other.id]))}</span></li>")
    return f'<ul class="essaim-similaires" data-pagefind-ignore>{"".join(items)}</ul>'


def _compare_toggle(card: Card, page: str) -> str:
    """« Comparer » : a link to the comparison with this card; assets/comparer.js turns it into a toggle."""
    return (f'<p class="essaim-comparer" data-pagefind-ignore><a class="md-button" data-comparer="{esc(card.id)}" '
            f'href="{esc(rel(page, "comparer.md"))}?ids={esc(card.id)}">Comparer</a></p>')


def _correction(site, card: Card, page: str) -> str:
    if site.edit_base:
        href = f"{site.edit_base}actions/{card.path.name if card.path else card.id + '.md'}"
        text = (f'<a class="md-button" href="{esc(href)}" rel="noopener">Proposer une correction</a> '
                '<span class="essaim-discret">Modifier le fichier de la fiche sur la forge ; '
                "l'équipe relit chaque proposition.</span>")
    else:
        text = f'Pour corriger cette fiche, voir la page <a href="{esc(rel(page, "contribuer.md"))}">Contribuer</a>.'
    return f'<p class="essaim-correction" data-pagefind-ignore>{text}</p>'


def index_attributes(filters: list[tuple[str, str]], meta: list[tuple[str, str]], sorts: list[tuple[str, str]]) -> str:
    """One element that gives Pagefind all of a page's filters, metadata and sort keys (key[attribute] syntax)."""
    attributes, captures = [], {"filter": [], "meta": [], "sort": []}
    for kind, pairs in (("filter", filters), ("meta", meta), ("sort", sorts)):
        for key, value in pairs:
            name = f"data-{kind[0]}{len(captures[kind])}"
            captures[kind].append(f"{key}[{name}]")
            attributes.append(f'{name}="{esc(value)}"')
    pagefind = " ".join(f'data-pagefind-{kind}="{", ".join(keys)}"' for kind, keys in captures.items() if keys)
    return f'<div class="essaim-index" hidden {pagefind} {" ".join(attributes)}></div>'


def _pagefind(card: Card, facets: dict[str, list[str]], place: str) -> str:
    filters = [("type", "fiche")]
    for facet in ("theme", "public", "region", "departement", "porteur", "territoire"):
        filters += [(facet, value) for value in facets[facet]]
    meta = [("porteur", card.meta.carrier.name), ("lieu", place), ("maj", french_date(card.meta.updated))]
    sorts = [("maj", card.meta.updated), ("titre", card.meta.title.casefold())]
    return index_attributes(filters, meta, sorts)


def rendered_sections(card: Card) -> dict[str, str]:
    """Section key -> safe HTML, for the sections the card has."""
    return {s.key: render_markdown(card.sections[s.key]) for s in CARD_SECTIONS if card.sections.get(s.key)}


def card_page(site, card: Card) -> str:
    page = card_page_path(card.id)
    m = card.meta
    facets = site.facets.by_card[card.id]
    place = place_text(card, facets)
    blocks = [
        front_matter(m.title, m.summary),
        f"# {md_text(m.title)}",
        f'<p class="essaim-resume" data-pagefind-meta="resume">{esc(" ".join(m.summary.split()))}</p>',
        _chips(site, card, page, facets),
        _status(card),
        _compare_toggle(card, page),
        _identity(site, card, page, facets),
    ]
    rendered = site.rendered.get(card.id) or rendered_sections(card)
    for section in CARD_SECTIONS:
        if rendered.get(section.key):
            blocks += [f"## {md_text(section.heading)}", f'<div class="essaim-texte">\n{rendered[section.key]}\n</div>']
    blocks += [
        "## Contacts", _contacts(card),
        "## Sources", _sources(site, m.sources),
        "## Actions similaires", _similar(site, card, page),
        "## Proposer une correction", _correction(site, card, page),
        _pagefind(card, facets, place),
    ]
    return "\n\n".join(blocks) + "\n"


def guide_body(body: str) -> list[str]:
    """The guide's text: its level-2 headings as Markdown (table of contents), each part as safe HTML."""
    blocks = []
    for title, text in split_sections(body):
        if title:
            blocks.append(f"## {md_text(re.sub(r'[*_`]', '', title))}")
        if text:
            blocks.append(f'<div class="essaim-texte">\n{render_markdown(text)}\n</div>')
    return blocks


def guide_page(site, guide: Guide) -> str:
    page = f"guides/{guide.id}.md"
    m = guide.meta
    themes = " ".join(
        f'<a class="essaim-puce essaim-puce--theme" href="{esc(rel(page, listing_path("theme", t)))}">'
        f'{esc(label("theme", t))}</a>' for t in m.themes)
    blocks = [
        front_matter(m.title, m.summary),
        f"# {md_text(m.title)}",
        f'<p class="essaim-resume" data-pagefind-meta="resume">{esc(" ".join(m.summary.split()))}</p>',
        f'<p class="essaim-puces"><span class="essaim-vh">Thèmes : </span>{themes}</p>',
        *guide_body(guide.body),
        "## Sources", _sources(site, m.sources),
        f'<p class="essaim-discret" data-pagefind-ignore>Mise à jour : {esc(french_date(m.updated))}</p>',
        index_attributes([("type", "guide")] + [("theme", t) for t in m.themes],
                         [("porteur", "Guide pratique"), ("maj", french_date(m.updated))],
                         [("maj", m.updated), ("titre", m.title.casefold())]),
    ]
    return "\n\n".join(blocks) + "\n"


def card_list(site, cards: list[Card], page: str, heading_level: int = 3) -> str:
    """A list of cards for listings: title, carrier, place, summary."""
    items = []
    for card in cards:
        facets = site.facets.by_card[card.id]
        items.append(
            f'<li class="essaim-item"><h{heading_level} class="essaim-item__titre">'
            f'<a href="{esc(rel(page, card_page_path(card.id)))}">{esc(card.meta.title)}</a></h{heading_level}>'
            f'<p class="essaim-item__meta">{esc(card.meta.carrier.name)} · {esc(place_text(card, facets))} · '
            f"mise à jour {esc(french_date(card.meta.updated))}</p>"
            f'<p class="essaim-item__resume">{esc(" ".join(card.meta.summary.split()))}</p></li>')
    return f'<ul class="essaim-liste">{"".join(items)}</ul>'
