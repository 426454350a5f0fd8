"""The page « Un territoire comme le mien » (territoire.md) and its static data (<site>/territoire-index/).

The reader types a commune; assets/territoire.js completes the name from a compact list of communes
(one gzip file per initial, loaded as the reader types), shows the commune's profile and ranks the cards
by similarity, with the reasons. The rules come from essaim.search.territory (rules_json), the cards' profiles
from essaim.search.territory.card_profile: the page applies them as `essaim search --like` does.

    territoire-index/regles.json.gz        rules (bands, weights, reasons), names of départements and régions
    territoire-index/fiches.json.gz        per card: what a result shows, its territory profile, its themes
    territoire-index/epci.json.gz          [kind, name] of each EPCI, in the order the communes refer to
    territoire-index/communes/<hex>.json.gz  communes whose folded name starts with one character:
                                             [name, INSEE code, population or null, EPCI number or -1]
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from essaim.model import geography

from essaim.search import territory
from essaim.pipeline.catalog import Catalog
from essaim.model.freshness import freshness
from essaim.site.markup import esc, json_for_script, rel
from essaim.site.searchfiles import FOLDER as SEARCH_FOLDER
from essaim.site.searchfiles import _write, card_record
from essaim.search.territory_ranking import RELEVANCE_WEIGHT
from essaim.model.vocabularies import fold, vocabulary

PAGE = "territoire.md"
FOLDER = "territoire-index"
TITLE = "Un territoire comme le mien"
EXAMPLES = ("Saint-Affrique", "Roubaix", "Mamoudzou")


def initial(name: str) -> str:
    """The character a commune's chunk is named after: first letter of its folded name."""
    return fold(name)[:1] or "_"


def territory_page(site) -> str:
    from essaim.site.pages import front_matter

    page = PAGE
    themes = sorted({t for card in site.catalog.cards for t in card.meta.themes},
                    key=lambda t: vocabulary("themes").label(t))
    options = "".join(f'<option value="{esc(t)}">{esc(vocabulary("themes").label(t))}</option>' for t in themes)
    examples = " · ".join(f'<a href="?nom={esc(name)}">{esc(name)}</a>' for name in EXAMPLES)
    settings = {"index": rel(page, FOLDER + "/"), "site": rel(page, "index.md"),
                "recherche": rel(page, SEARCH_FOLDER + "/")}
    return "\n\n".join([
        front_matter(TITLE, "Trouver les actions menées dans des communes qui ressemblent à la vôtre : taille, "
                            "intercommunalité, type de territoire, voisinage.", hide_toc=True),
        f'<link rel="stylesheet" href="{esc(rel(page, "assets/territoire.css"))}">',
        f"# {TITLE}",
        '<p class="essaim-resume">Tapez le nom de votre commune : Essaim classe les actions menées dans des '
        "territoires qui ressemblent au vôtre (même taille de commune, même type d'intercommunalité, même type "
        "de territoire, départements voisins) et dit pourquoi. Ajoutez ce que vous cherchez pour ne garder que "
        "les fiches qui en parlent.</p>",
        '<form id="essaim-territoire" class="essaim-territoire" role="search" action="./" method="get" '
        'autocomplete="off">'
        '<div class="essaim-champ essaim-territoire__champ"><label for="essaim-commune">Votre commune</label>'
        '<input type="text" id="essaim-commune" name="nom" role="combobox" aria-autocomplete="list" '
        'aria-expanded="false" aria-controls="essaim-communes" placeholder="ex. : Saint-Affrique ou 12208" '
        'spellcheck="false">'
        '<input type="hidden" id="essaim-code" name="commune">'
        '<ul id="essaim-communes" class="essaim-communes" role="listbox" aria-label="Communes" hidden></ul></div>'
        '<div class="essaim-champ"><label for="essaim-mots">Ce que vous cherchez <span class="essaim-discret">'
        "(facultatif)</span></label>"
        '<input type="search" id="essaim-mots" name="q" placeholder="ex. : médecins, bus santé, mutuelle" '
        'enterkeyhint="search"></div>'
        f'<p><label for="essaim-theme">Thème</label> <select id="essaim-theme" name="theme">'
        f'<option value="">tous les thèmes</option>{options}</select></p>'
        "</form>",
        f'<p class="essaim-discret" id="essaim-exemples">Exemples : {examples}</p>',
        '<div id="essaim-profil" class="essaim-profil" hidden></div>',
        '<p id="essaim-territoire-statut" role="status" aria-live="polite"></p>',
        '<ol id="essaim-classement" class="essaim-resultats essaim-classement"></ol>'
        '<p><button type="button" class="essaim-plus" id="essaim-territoire-plus" hidden>'
        "Afficher plus de fiches</button></p>",
        '<details class="essaim-aide"><summary>Comment la ressemblance est-elle calculée ?</summary>'
        + _explanation() + "</details>",
        "<noscript><p>Cette page a besoin de JavaScript. Sans lui : <code>essaim search --like "
        "\"Saint-Affrique\"</code> en ligne de commande.</p></noscript>",
        f'<script type="application/json" id="essaim-territoire-data">{json_for_script(settings)}</script>',
        f'<script type="module" src="{esc(rel(page, "assets/territoire.js"))}"></script>',
    ]) + "\n"


def _explanation() -> str:
    w = territory.WEIGHTS
    points = [
        (f"même tranche de population ({w['taille']:g} points ; tranche voisine : {w['taille_proche']:g})",
         "tranches : " + ", ".join(territory.BAND_LABELS)),
        (f"même type d'intercommunalité ({w['epci']:g} points)",
         "métropole, communauté urbaine, d'agglomération ou de communes"),
        (f"même type de territoire ({w['type']:g} points chacun)",
         "rural (communauté de communes ou moins de 2 000 habitants), urbain (10 000 habitants et plus dans une "
         "métropole, une communauté urbaine ou d'agglomération)"),
        (f"même département ({w['departement']:g}), département voisin ({w['voisin']:g}) ou même région "
         f"({w['region']:g})", "outre-mer : " + f"{w['outre_mer']:g} points"),
    ]
    items = "".join(f"<li>{esc(a)} — {esc(b)}</li>" for a, b in points)
    return (f"<ul>{items}</ul><p>La taille et l'intercommunalité se lisent sur les communes que la fiche nomme ; "
            "une fiche qui ne nomme qu'un département ou une région le dit. Populations et intercommunalités : "
            "INSEE et DGCL, via <code>@etalab/decoupage-administratif</code> 6.0.0.</p>")


def card_entry(card) -> dict:
    """What a ranked line shows (keys as in the search's records), the territory profile, themes, freshness."""
    full = card_record(card)
    record = {key: full[key] for key in ("id", "u", "t", "p", "l")}
    record["pr"] = territory.card_profile(card).as_dict()
    record["th"] = list(card.meta.themes)
    info = freshness(card)
    record["fr"] = {"t": info.label, "v": info.stale}
    return record


def write_territory_files(catalog: Catalog, site: Path) -> dict[str, int]:
    """Write <site>/territoire-index; returns bytes per kind of file."""
    import shutil

    target = site / FOLDER
    if target.exists():
        shutil.rmtree(target)
    sizes: dict[str, int] = defaultdict(int)
    sizes["regles"] = _write(target / "regles.json.gz", {**territory.rules_json(), "poids_pertinence": RELEVANCE_WEIGHT})
    sizes["fiches"] = _write(target / "fiches.json.gz", [card_entry(card) for card in catalog.cards])
    epcis = territory.epci_table()
    number = {code: n for n, code in enumerate(epcis)}
    sizes["epci"] = _write(target / "epci.json.gz", [list(epcis[code]) for code in epcis])
    chunks: dict[str, list] = defaultdict(list)
    for code, place in geography.communes().items():
        population, epci = territory.population_and_epci(code)
        chunks[initial(place.name)].append([place.name, code, population, number.get(epci, -1)])
    for letter, rows in chunks.items():
        rows.sort(key=lambda r: (fold(r[0]), r[1]))
        sizes["communes"] += _write(target / "communes" / f"{ord(letter):x}.json.gz", rows)
    return dict(sizes)
