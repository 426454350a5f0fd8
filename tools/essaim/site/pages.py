"""Card and guide pages: Markdown headings (table of contents, permalinks) around escaped HTML blocks.

Every value from a card goes through `esc`, `md_text` or `render_markdown`: a card that slipped past
validation with raw HTML in it still comes out as text.
"""

from __future__ import annotations

import re

from essaim.text import dates
from essaim.pipeline.body import is_silent
from essaim.pipeline.catalog import LEVEL_LABELS, Card, Guide, transfer_facts
from essaim.model.card import CARD_SECTIONS, SILENT_MARKER
from essaim.pipeline.facets import facet_label as label
from essaim.site.markup import esc, md_text, obfuscated, obfuscated_email, rel, render_markdown, yaml_string
from essaim.model.vocabularies import vocabulary

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
LEVEL_HELP = {
    "complete": "toutes les sections, les partenaires, les contacts et l'année de début sont renseignés",
    "partielle": "le contexte, les objectifs et le déroulé sont décrits ; il manque des éléments",
    "ebauche": "la fiche est à compléter",
}


def french_date(value: str) -> str:
    """« 2022-12 » -> « décembre 2022 »; « 2022-12-05 » -> « 5 décembre 2022 »; « 2022 » -> « 2022 »."""
    try:
        year, month, day = dates.parse(str(value))
    except ValueError:
        return str(value)  # refused by the validator; shown as written rather than crash
    if month is None:
        return str(year)
    if day is None:
        return f"{MONTHS[month - 1]} {year}"
    return f"{'1er' if day == 1 else day} {MONTHS[month - 1]} {year}"


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
    return f"{span} ({status_text(card).lower()})"


def status_text(card: Card) -> str:
    """« En cours », « Terminée »…; « Statut non précisé » when the source does not say."""
    if card.meta.status == "inconnu":
        return "Statut non précisé"
    return vocabulary("statuts").label(card.meta.status)


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
    """The card's tags, condensed under the decision box: one line per kind, small chips."""
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
            lines.append(f'<p class="essaim-puces"><span class="essaim-puces__nom">{name} :</span> {links}</p>')
    return f'<div class="essaim-classement">{"".join(lines)}</div>'


def _details(site, card: Card, page: str, facets: dict[str, list[str]]) -> str:
    """Territory in full, partners, governance, frameworks, evaluation: what « En bref » leaves out."""
    m = card.meta
    t = m.territory
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
    if card.sections.get("governance") and not bare_silence(card.sections["governance"]):
        governance.append('<a href="#gouvernance">voir la section Gouvernance</a>')
    frameworks = ", ".join(esc(vocabulary("cadres").label(f)) for f in m.frameworks) or "aucun cité par la source"
    rows = [
        ("Territoire", territory),
        ("Partenaires opérationnels", esc(", ".join(m.partners.operational)) or "non cités par la source"),
        ("Partenaires financiers", esc(", ".join(m.partners.financial)) or "non cités par la source"),
        ("Gouvernance", " ; ".join(governance) or "non renseignée"),
        ("Cadres territoriaux", frameworks),
    ]
    if m.evaluation.evaluated is not None or m.evaluation.method:
        evaluated = {True: "oui", False: "non", None: "non précisé"}[m.evaluation.evaluated]
        method = f" — {esc(m.evaluation.method)}" if m.evaluation.method else ""
        rows.append(("Évaluation", f"{evaluated}{method}"))
    return f'<dl class="essaim-details">{_rows(rows)}</dl>'


def _rows(rows: list[tuple[str, str]]) -> str:
    """(label, HTML) pairs as the rows of a <dl>."""
    return "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in rows)


def transfer_summary(card: Card) -> str | None:
    """The « Pour essaimer » line of « En bref »: which transferability facts the card gives, linked to them."""
    facts = transfer_facts(card)
    if not facts:
        return None
    return f'<a href="#pour-essaimer">{esc(" · ".join(label for label, _ in facts))}</a>'


def transfer_block(card: Card) -> str:
    """The transferability facts in full (cost, staff, time to set up, prerequisites), under the decision box."""
    facts = transfer_facts(card)
    if not facts:
        return ""
    return (f'<section class="essaim-essaimer" aria-labelledby="pour-essaimer"><h2 id="pour-essaimer">Pour essaimer</h2>'
            f'<dl class="essaim-details">{_rows([(esc(name), esc(value)) for name, value in facts])}</dl></section>')


def funding_text(card: Card) -> str | None:
    """Funding where the source gives it: the amount or scheme, else the named funders."""
    m = card.meta
    if m.funding:
        return m.funding
    if m.partners.financial:
        return "financeurs : " + ", ".join(m.partners.financial)
    return None


def _in_brief(site, card: Card, page: str, facets: dict[str, list[str]]) -> str:
    """« En bref »: carrier, place, period and status, publics, funding, completeness, update date."""
    m = card.meta
    carrier = (f"{esc(m.carrier.name)} (<a href=\"{esc(rel(page, listing_path('porteur', m.carrier.type)))}\">"
               f"{esc(vocabulary('porteurs').label(m.carrier.type).lower())}</a>)")
    place = esc(place_text(card, facets))
    if facets["region"] and (m.territory.communes or facets["departement"]):
        place += " — " + ", ".join(esc(label("region", r)) for r in facets["region"][:3])
    rows = [("Porteur", carrier), ("Lieu", place), ("Période", esc(period_text(card)))]
    if m.publics:
        rows.append(("Publics", esc(", ".join(label("public", p) for p in m.publics))))
    funding = funding_text(card)
    if funding:
        rows.append(("Financement", esc(funding)))
    transfer = transfer_summary(card)
    if transfer:
        rows.append(("Pour essaimer", transfer))
    missing = (f' <span class="essaim-etat__manque">à compléter : {esc(", ".join(card.missing))}</span>'
               if card.missing else "")
    rows.append(("Fiche", f'<span class="essaim-badge essaim-badge--{card.level}" title="{esc(LEVEL_HELP[card.level])}">'
                          f"{esc(LEVEL_LABELS[card.level])}</span>{missing}"))
    rows.append(("Mise à jour", f'<time datetime="{esc(m.updated)}">{esc(french_date(m.updated))}</time>'
                                f"{freshness_badge(card)}"))
    return (f'<div class="essaim-bref" role="group" aria-labelledby="essaim-bref-titre">'
            f'<h2 class="essaim-decision__titre" id="essaim-bref-titre">En bref</h2>'
            f'<dl class="essaim-identite">{_rows(rows)}</dl></div>')


def _contact_block(site, card: Card, page: str) -> str:
    """The contact: each published one (the per-contact rendering of `_contacts`), or how to give one."""
    if card.meta.contacts:
        body = _contacts(card)
    else:
        href = report_url(site, card, "contact")
        target = (f'<a href="{esc(href)}" rel="noopener">vous connaissez cette action ?</a>' if href else
                  f'<a href="{esc(rel(page, "contribuer.md"))}">vous connaissez cette action ?</a>')
        body = f'<p class="essaim-contact--absent">Pas de contact publié — {target}</p>'
    return (f'<div class="essaim-contact-bloc" id="contact" role="group" aria-labelledby="essaim-contact-titre">'
            f'<h2 class="essaim-decision__titre" id="essaim-contact-titre">Contact</h2>{body}</div>')


def _decision(site, card: Card, page: str, facets: dict[str, list[str]]) -> str:
    """What a practitioner decides on, right under the summary: « En bref » and the contact."""
    return (f'<div class="essaim-decision">{_in_brief(site, card, page, facets)}'
            f"{_contact_block(site, card, page)}</div>")


def _contacts(card: Card) -> str:
    if not card.meta.contacts:
        return '<p>Aucun contact publié par la source.</p>'
    items = "".join(contact_html(contact) for contact in card.meta.contacts)
    return f'<ul class="essaim-contacts">{items}</ul>'


def contact_html(contact) -> str:
    """One contact as a list item. Its email, and its phone numbers unless they are a public switchboard
    (standard_public: true), are not in the HTML in clear: assets/essaim.js reveals them on request."""
    who = " — ".join(esc(x) for x in (contact.name, contact.role, contact.organisation) if x)
    parts = [f'<span class="essaim-contact__qui">{who or "Contact"}</span>']
    if contact.email:
        encoded, readable = obfuscated_email(contact.email)
        parts.append(f'<span class="essaim-courriel" data-courriel="{esc(encoded)}" data-nom="{esc(contact.name or "")}">'
                     f'<span class="essaim-courriel__texte">{esc(readable)}</span></span>')
    for phone in contact.phones:
        if contact.switchboard:
            digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
            parts.append(f'<a class="essaim-tel" href="tel:{esc(digits)}">{esc(phone)}</a>')
        else:
            parts.append(f'<span class="essaim-tel" data-tel="{esc(obfuscated(phone))}" data-nom="{esc(contact.name or "")}">'
                         '<span class="essaim-tel__texte">numéro affiché sur demande</span></span>')
    return f'<li class="essaim-contact">{"<br>".join(parts)}</li>'


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
    return f'<ul class="essaim-sources">{"".join(items)}</ul>'


def _similar(site, card: Card, page: str) -> str:
    ids = [i for i in site.similar.get(card.id, []) if site.card(i)]
    if not ids:
        return '<p>Pas encore d\'action proche dans la base.</p>'
    items = []
    for other_id in ids:
        other = site.card(other_id)
        items.append(f'<li><a href="{esc(rel(page, card_page_path(other.id)))}">{esc(other.meta.title)}</a>'
                     f' <span class="essaim-discret">— {esc(other.meta.carrier.name)}, '
                     f"{esc(place_text(other, site.facets.by_card[other.id]))}</span></li>")
    return f'<ul class="essaim-similaires">{"".join(items)}</ul>'


def report_url(site, card: Card, kind: str = "correction") -> str | None:
    """The issue form « Signaler une correction ou un contact », prefilled with the card (GitHub query parameters)."""
    if not site.repo_url:
        return None
    from urllib.parse import urlencode

    from essaim.derived.correction_form import FORM_FILE, KIND_OPTIONS, PART_CONTACT

    what = KIND_OPTIONS["contact" if kind == "contact" else "correction"]
    extra = {"partie": PART_CONTACT} if kind == "contact" else {}
    query = urlencode({"template": FORM_FILE, "title": f"Correction : {card.meta.title}"[:200],
                       "fiche": card.id, "titre-fiche": card.meta.title, "nature": what, **extra})
    return f"{site.repo_url}/issues/new?{query}"


def _compare_toggle(card: Card, page: str) -> str:
    """« Comparer » : a link to the comparison with this card; assets/comparer.js turns it into a toggle."""
    return (f'<p class="essaim-comparer"><a class="md-button" data-comparer="{esc(card.id)}" '
            f'href="{esc(rel(page, "comparer.md"))}?ids={esc(card.id)}">Comparer</a></p>')


def _correction(site, card: Card, page: str) -> str:
    form = report_url(site, card)
    parts = []
    if form:
        parts.append(f'<p><a class="md-button md-button--primary" href="{esc(form)}" rel="noopener">'
                     "Signaler une correction ou un contact</a> "
                     '<span class="essaim-discret">Un formulaire simple (compte GitHub gratuit) ; '
                     "l'équipe relit chaque signalement et met la fiche à jour.</span></p>")
    if site.edit_base:
        href = f"{site.edit_base}actions/{card.path.name if card.path else card.id + '.md'}"
        parts.append(f'<p><a href="{esc(href)}" rel="noopener">Modifier le fichier de la fiche sur la forge</a> '
                     '<span class="essaim-discret">(pour qui connaît Markdown et les <em>pull requests</em>)</span></p>')
    if not parts:
        parts.append(f'<p>Pour corriger cette fiche, voir la page <a href="{esc(rel(page, "contribuer.md"))}">'
                     "Contribuer</a>.</p>")
    return f'<div class="essaim-correction">{"".join(parts)}</div>'


def rendered_sections(card: Card) -> dict[str, str]:
    """Section key -> safe HTML, for the sections the card has."""
    return {s.key: render_markdown(card.sections[s.key]) for s in CARD_SECTIONS if card.sections.get(s.key)}


def bare_silence(text: str) -> bool:
    """True when a section says only that the source is silent (« Non renseigné dans la source. », or an older
    « Non renseigné : la source ne le précise pas. »): one sentence, nothing else worth a heading."""
    text = " ".join((text or "").split())
    if not is_silent(text, SILENT_MARKER):
        return False
    return not re.search(r"[.!?…]\s+\S", text) and "\n" not in text and "](" not in text


def freshness_badge(card: Card) -> str:
    """« Informations de 2021 », and « à vérifier » past three years (essaim.model.freshness), for « En bref »."""
    from essaim.model.freshness import badge_html

    return f" · {badge_html(card)}"


def card_page(site, card: Card) -> str:
    page = card_page_path(card.id)
    m = card.meta
    facets = site.facets.by_card[card.id]
    blocks = [
        front_matter(m.title, m.summary),
        f"# {md_text(m.title)}",
        f'<p class="essaim-resume">{esc(" ".join(m.summary.split()))}</p>',
        _decision(site, card, page, facets),
        _chips(site, card, page, facets),
        _compare_toggle(card, page),
        transfer_block(card),
    ]
    rendered = site.rendered.get(card.id) or rendered_sections(card)
    silent = []
    for section in CARD_SECTIONS:
        if not rendered.get(section.key):
            continue
        if bare_silence(card.sections.get(section.key, "")):
            silent.append(section.heading)
            continue
        blocks += [f"## {md_text(section.heading)}", f'<div class="essaim-texte">\n{rendered[section.key]}\n</div>']
    if silent:
        blocks.append(f'<p class="essaim-non-renseigne">'
                      f'<strong>Non renseigné dans la source :</strong> {esc(", ".join(silent))}.</p>')
    blocks += [
        "## Partenaires et cadre", _details(site, card, page, facets),
        "## Sources", _sources(site, m.sources),
        "## Actions similaires", _similar(site, card, page),
        "## Proposer une correction", _correction(site, card, page),
    ]
    return "\n\n".join(blocks) + "\n"


def guide_body(guide: Guide) -> list[str]:
    """The guide's text: its level-2 headings as Markdown (table of contents), each part as safe HTML.

    The parts are those of the guide's outline, kept by the catalog (essaim.pipeline.body)."""
    blocks = []
    for title, text in guide.outline.parts():
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
        f'<p class="essaim-resume">{esc(" ".join(m.summary.split()))}</p>',
        f'<p class="essaim-puces"><span class="essaim-vh">Thèmes : </span>{themes}</p>',
        *guide_body(guide),
        "## Sources", _sources(site, m.sources),
        f'<p class="essaim-discret">Mise à jour : {esc(french_date(m.updated))}</p>',
    ]
    return "\n\n".join(blocks) + "\n"


EXCERPT_CHARS = 220
WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.casefold()) if len(w) > 2}


def excerpt(title: str, summary: str, limit: int = EXCERPT_CHARS) -> str:
    """The summary as an excerpt that adds to the title: a first sentence that only restates the title is
    skipped; the text is cut at a word boundary and then ends with « … »."""
    text = " ".join((summary or "").split())
    first, sep, rest = text.partition(". ")
    title_words = _words(title)
    if sep and rest and _words(first) and len(_words(first) - title_words) <= 1:
        text = rest
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:—–-(")
    return cut + " …"


def result_facts(card: Card, facets: dict[str, list[str]]) -> list[tuple[str, str]]:
    """What one chooses a card by in a list: (CSS modifier, text) for status, start year, place, carrier type,
    completeness and contact."""
    m = card.meta
    facts = [("statut", status_text(card))]
    if m.period.start:
        facts.append(("debut", f"depuis {m.period.start}" if m.status == "en_cours" else f"début {m.period.start}"))
    facts += [("lieu", place_text(card, facets)),
              ("porteur", vocabulary("porteurs").label(m.carrier.type)),
              (f"niveau essaim-badge essaim-badge--{card.level}", f"fiche {LEVEL_LABELS[card.level]}"),
              ("contact" if m.contacts else "contact essaim-fait--sans", "contact publié" if m.contacts
               else "sans contact")]
    return facts


def card_list(site, cards: list[Card], page: str, heading_level: int = 3) -> str:
    """A list of cards for listings: title, the facts one chooses by, carrier, an excerpt of the summary."""
    items = []
    for card in cards:
        facets = site.facets.by_card[card.id]
        facts = "".join(f'<li class="essaim-fait essaim-fait--{kind}">{esc(text)}</li>'
                        for kind, text in result_facts(card, facets))
        items.append(
            f'<li class="essaim-item"><h{heading_level} class="essaim-item__titre">'
            f'<a href="{esc(rel(page, card_page_path(card.id)))}">{esc(card.meta.title)}</a></h{heading_level}>'
            f'<ul class="essaim-faits" aria-label="En bref">{facts}</ul>'
            f'<p class="essaim-item__meta">{esc(card.meta.carrier.name)} · '
            f"mise à jour {esc(french_date(card.meta.updated))}</p>"
            f'<p class="essaim-item__resume">{esc(excerpt(card.meta.title, card.meta.summary))}</p></li>')
    return f'<ul class="essaim-liste">{"".join(items)}</ul>'
