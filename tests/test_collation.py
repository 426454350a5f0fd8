"""French sorting: one key for titles and places (essaim.text.collation), used by listings, maps and search."""

from __future__ import annotations

from essaim.text.collation import base_letters, sort_key, sort_text


def test_accents_case_and_ligatures_do_not_count_first():
    titles = ["Une maison de santé", "À Nîmes, une direction de la santé", "Écoles et santé", "Œuvre commune",
              "Zèbre", "abri", "Bus santé", "ecoles du quartier", "Oeuf"]
    assert sorted(titles, key=sort_key) == [
        "abri", "À Nîmes, une direction de la santé", "Bus santé", "ecoles du quartier", "Écoles et santé",
        "Oeuf", "Œuvre commune", "Une maison de santé", "Zèbre"]
    assert base_letters("Œuvre") == "oeuvre" and base_letters("Élan À") == "elana"


def test_punctuation_and_quotes_are_ignored_and_ties_go_by_accent_then_case():
    assert sorted(["« Professionnels, bienvenue ! »", "Programme", "Point d'écoute"], key=sort_key) == [
        "Point d'écoute", "« Professionnels, bienvenue ! »", "Programme"]
    assert sorted(["La Roche-sur-Yon", "Laon", "Landes"], key=sort_key) == ["Landes", "Laon", "La Roche-sur-Yon"]
    assert sorted(["Été", "ete", "été", "Ete"], key=sort_key) == ["ete", "Ete", "été", "Été"]
    assert sorted(["Haute-Vienne", "Hautes-Alpes", "Haut-Rhin"], key=sort_key) == [
        "Hautes-Alpes", "Haute-Vienne", "Haut-Rhin"]


def test_the_one_string_key_orders_like_the_full_key_on_distinct_letters():
    names = ["Évry", "Ajaccio", "Œting", "Ozoir", "Île-d'Yeu", "Ivry"]
    assert sorted(names, key=sort_text) == sorted(names, key=sort_key) == [
        "Ajaccio", "Évry", "Île-d'Yeu", "Ivry", "Œting", "Ozoir"]
