"""Comparing cards side by side: the « Comparer » page, filled in the browser (assets/comparer.js) from the
per-card JSON files (/api/actions/<id>.json). The choice is in the URL (?ids=a,b,c); nothing is stored on a server.
"""

from __future__ import annotations

from essaim.pipeline.catalog import LEVEL_LABELS
from essaim.site.markup import esc, json_for_script, rel
from essaim.site.opendata import API_FOLDER
from essaim.site.pages import front_matter
from essaim.model.vocabularies import vocabulary

COMPARE_PAGE = "comparer.md"
MAX_CARDS = 4


def compare_page(site) -> str:
    page = COMPARE_PAGE
    choices = [[card.id, card.meta.title] for card in sorted(site.catalog.cards, key=lambda c: c.meta.title.casefold())]
    settings = {"max": MAX_CARDS, "api": rel(page, API_FOLDER) + "/", "fiches": rel(page, "actions/index.md"),
                "niveaux": LEVEL_LABELS, "fiches_choix": choices,
                **{name: {term: vocabulary(name).label(term) for term in vocabulary(name).ids()}
                   for name in ("statuts", "echelles", "territoires")}}
    return "\n\n".join([
        front_matter("Comparer des fiches", f"Jusqu'à {MAX_CARDS} fiches action côte à côte : porteur, lieu, période, "
                     "publics, objectifs, résultats, moyens, contact.", hide_toc=True),
        "# Comparer des fiches",
        f"<p>Choisissez jusqu'à {MAX_CARDS} fiches avec le bouton « Comparer » de leur page, ou ci-dessous. "
        "Le choix est gardé dans l'adresse de cette page : copiez-la pour partager la comparaison. "
        "Rien n'est enregistré sur un serveur.</p>",
        '<form class="essaim-comparer-ajout" id="essaim-comparer-ajout" hidden>'
        '<label for="essaim-comparer-choix">Ajouter une fiche</label> '
        '<input id="essaim-comparer-choix" list="essaim-comparer-liste" autocomplete="off" '
        'placeholder="Titre de la fiche">'
        '<datalist id="essaim-comparer-liste"></datalist> '
        '<button type="submit" class="md-button">Ajouter</button></form>',
        '<p id="essaim-comparer-statut" role="status" aria-live="polite"></p>',
        '<div class="essaim-comparaison" id="essaim-comparaison" tabindex="0" '
        'aria-label="Tableau de comparaison ; faites-le défiler horizontalement sur un petit écran"></div>',
        "<noscript><p>La comparaison a besoin de JavaScript. Chaque fiche est aussi disponible en JSON dans "
        f'<a href="{esc(rel(page, "donnees/index.md"))}">les données ouvertes</a>.</p></noscript>',
        f'<script type="application/json" id="essaim-comparer-data">{json_for_script(settings)}</script>',
    ]) + "\n"
