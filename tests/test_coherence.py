"""Metadata against the card's own text: each rule flags a failing card at the right place and passes a fixed one."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import EXAMPLE_CARD, run_validate
from essaim.pipeline.coherence import launch_year

YEAR = date.today().year
# The example card says QPV in three places; without them it never says QPV nor politique de la ville.
WITHOUT_QPV = [("Commune de Poitiers (dont 2 QPV)", "Commune de Poitiers"),
               ("politique de la ville, au sein", "quartier populaire, au sein"),
               ("« 40 ans Politique de la Ville, inventons", "« 40 ans, inventons")]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def check(content, capsys, text: str, code: str) -> list[dict]:
    """The diagnostics of one code for the example card rewritten as text (it replaces the original)."""
    (content / "actions" / EXAMPLE_CARD.name).write_text(text, encoding="utf-8")
    _, diagnostics = run_validate(content, capsys)
    others = [d for d in diagnostics if d["severity"] == "erreur" and d["code"] != code]
    assert others == [], others  # the card is read and checked: only the rule under test may fail
    return [d for d in diagnostics if d["code"] == code]


def edited(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# --- status and period ---------------------------------------------------------------------------------------------


def test_en_cours_with_a_past_end_is_an_error_on_the_status(content, capsys, example_text):
    text = edited(example_text, ("  fin: null", f"  fin: {YEAR - 2}"), ('mise_a_jour: "2022-12"', f'mise_a_jour: "{YEAR}-01"'))
    found = check(content, capsys, text, "statut-periode")
    assert len(found) == 1 and found[0]["severity"] == "erreur"
    assert (found[0]["line"], found[0]["column"]) == (line_of(text, "statut: en_cours"), 9)
    assert f"achevée en {YEAR - 2}" in found[0]["message"] and "terminee" in found[0]["hint"]


def test_a_period_that_ended_after_the_update_is_a_warning_not_an_error(content, capsys, example_text):
    """The calendar alone never turns a valid card into an error: the base stays green on 1 January."""
    text = edited(example_text, ("  fin: null", f"  fin: {YEAR - 1}"), ('mise_a_jour: "2022-12"', f'mise_a_jour: "{YEAR - 2}-06"'))
    found = check(content, capsys, text, "statut-periode")
    assert len(found) == 1 and found[0]["severity"] == "avertissement"
    assert "après la mise à jour" in found[0]["message"] and "à vérifier" in found[0]["message"]


@pytest.mark.parametrize("end", ["null", str(YEAR), str(YEAR + 1)])
def test_en_cours_with_no_end_or_an_end_to_come_passes(content, capsys, example_text, end):
    assert check(content, capsys, edited(example_text, ("  fin: null", f"  fin: {end}")), "statut-periode") == []


def test_terminee_without_end_nor_a_stop_is_a_warning(content, capsys, example_text):
    text = edited(example_text, ("statut: en_cours", "statut: terminee"))
    found = check(content, capsys, text, "statut-sans-fin")
    assert len(found) == 1 and found[0]["severity"] == "avertissement"
    assert (found[0]["line"], found[0]["column"]) == (line_of(text, "statut: terminee"), 9)


@pytest.mark.parametrize("fix", [
    ("  fin: null", "  fin: 2021"),
    ("## Perspectives\n", "## Perspectives\n\nFaute de financement, l'action s'est arrêtée fin 2021.\n"),
    ("## Résultats\n", "## Résultats\n\nLe dispositif a pris fin avec le départ de la médiatrice.\n"),
], ids=["fin", "arretee", "pris-fin"])
def test_terminee_with_an_end_or_a_stop_passes(content, capsys, example_text, fix):
    text = edited(example_text, ("statut: en_cours", "statut: terminee"), fix)
    assert check(content, capsys, text, "statut-sans-fin") == []


# --- qpv --------------------------------------------------------------------------------------------------------------


def test_qpv_without_a_mention_in_the_text_is_an_error_on_the_value(content, capsys, example_text):
    text = edited(example_text, *WITHOUT_QPV)
    found = check(content, capsys, text, "qpv-sans-mention")
    assert len(found) == 1 and found[0]["severity"] == "erreur"
    written = "  types: [urbain, qpv]"
    assert (found[0]["line"], found[0]["column"]) == (line_of(text, written), written.index("qpv") + 1)
    assert "quartier populaire" in found[0]["hint"]


@pytest.mark.parametrize("mention", ["QPV", "quartier prioritaire", "Quartiers Prioritaires", "politique de la ville",
                                     "Politique-de-la-Ville", "quartiers prioritaires de la politique de la ville"])
def test_qpv_with_a_mention_in_any_case_or_accent_passes(content, capsys, example_text, mention):
    text = edited(example_text, *WITHOUT_QPV, ("## Objectifs\n", f"## Objectifs\n\nL'action vise les {mention}.\n"))
    assert check(content, capsys, text, "qpv-sans-mention") == []


def test_without_qpv_in_types_no_mention_is_needed(content, capsys, example_text):
    text = edited(example_text, *WITHOUT_QPV, ("types: [urbain, qpv]", "types: [urbain]"))
    assert check(content, capsys, text, "qpv-sans-mention") == []


# --- year of launch ---------------------------------------------------------------------------------------------------


def test_a_year_of_launch_in_the_text_with_an_empty_start_is_a_warning(content, capsys, example_text):
    text = edited(example_text, ("  debut: 2013", "  debut: null"))
    found = check(content, capsys, text, "debut-manquant")
    assert len(found) == 1 and found[0]["severity"] == "avertissement"
    assert (found[0]["line"], found[0]["column"]) == (line_of(text, "  debut: null"), 10)
    assert "2013" in found[0]["message"] and "« lancé l'action en 2013 »" in found[0]["message"]
    assert "debut: 2013" in found[0]["hint"]


def test_a_filled_start_or_no_year_of_launch_passes(content, capsys, example_text):
    assert check(content, capsys, example_text, "debut-manquant") == []
    text = edited(example_text, ("  debut: 2013", "  debut: null"), ("a lancé l'action en 2013", "a lancé l'action"))
    assert check(content, capsys, text, "debut-manquant") == []


@pytest.mark.parametrize("text, year", [
    ("Le point santé fonctionne depuis 2014.", 2014),
    ("L'association, créée en 2016, anime le réseau.", 2016),
    ("Le bus a été lancé en 2019 avec la CPAM.", 2019),
    ("En 2020, la Ville a mis en place une conférence hebdomadaire.", 2020),
    ("Depuis sa création en mars 2011, le centre accueille…", 2011),
    ("La maison de santé a ouvert ses portes ; ouverte en\n2015, elle", 2015),
    ("Le projet, lancé en 2019, a pris la suite d'une action créée en 2012.", 2012),
])
def test_launch_patterns(text, year):
    assert launch_year(text)[0] == year


@pytest.mark.parametrize("text", ["En 2021, 489 personnes ont participé.", "Le taux a doublé entre 2015 et 2019.",
                                  "Le dispositif sera évalué en 2024."])
def test_years_that_are_not_a_launch(text):
    assert launch_year(text) is None


# --- a place in the title ---------------------------------------------------------------------------------------------


def test_a_title_without_a_place_is_a_warning_on_the_title(content, capsys, example_text):
    found = check(content, capsys, example_text, "titre-sans-lieu")
    assert len(found) == 1 and found[0]["severity"] == "avertissement"
    assert (found[0]["line"], found[0]["column"]) == (line_of(example_text, "titre: En route"), 8)
    assert "Marseille" in found[0]["hint"]


@pytest.mark.parametrize("title", [
    "En route pour ma santé à Poitiers",  # the card's commune
    "En route pour ma santé : les droits de santé dans la Vienne",  # its département, lower case « la »
    "Poitiers : en route pour ma santé",  # first word
    "En route pour ma santé en Nouvelle-Aquitaine",  # its région
    "En route pour ma santé, à la manière de Niort",  # any French commune, after « de »
    "Un bus santé (Saint-Quentin-en-Yvelines)",  # a many-word commune anywhere in France
    "En route pour ma santé aux Couronneries",  # a proper noun of territoire.precision
], ids=["commune", "departement", "premier-mot", "region", "autre-commune", "nom-compose", "precision"])
def test_a_title_with_a_place_passes(content, capsys, example_text, title):
    text = edited(example_text, ("titre: En route pour ma santé", f'titre: "{title}"'),
                  ("precision: Commune de Poitiers (dont 2 QPV)",
                   "precision: Commune de Poitiers (dont 2 QPV, dont les Couronneries)"))
    assert check(content, capsys, text, "titre-sans-lieu") == []


@pytest.mark.parametrize("title", [
    "Appui de la Ville à un centre de santé",  # Ville, a commune of Meurthe-et-Moselle, is here a common noun
    "Un Bus pour la santé des femmes",  # Bus (Pas-de-Calais) likewise
    "La Place Santé : un centre de santé communautaire",
    "Accompagner le développement des Équipes de soins primaires",
], ids=["ville", "bus", "place", "sans-majuscule"])
def test_common_words_that_are_also_communes_are_not_places(content, capsys, example_text, title):
    text = edited(example_text, ("titre: En route pour ma santé", f'titre: "{title}"'))
    assert len(check(content, capsys, text, "titre-sans-lieu")) == 1
