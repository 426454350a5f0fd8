"""Each kind of bad input is rejected with its code and exact position."""

from __future__ import annotations

import pytest

from conftest import run_validate


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def write(content, name, text, binary=False):
    path = content / "actions" / name
    path.write_bytes(text) if binary else path.write_text(text, encoding="utf-8")
    return path


def only(diagnostics, code):
    found = [d for d in diagnostics if d["code"] == code]
    assert found, f"{code} absent de {[d['code'] for d in diagnostics]}"
    return found[0]


CASES = [
    # (case id, replace this, by this, expected code, line containing, column)
    ("misspelled-theme", "themes: [acces_aux_droits,", "themes: [acces_aux_droit,", "valeur-inconnue", "themes:", 10),
    ("unknown-key", "statut: en_cours", "statut: en_cours\nstatu: en_cours", "champ-inconnu", "statu: en_cours", 1),
    ("wrong-type", "  debut: 2013", "  debut: deux mille treize", "type-invalide", "debut:", 10),
    ("departement-outside-region", 'departements: ["86"]', 'departements: ["29"]', "departement-hors-region",
     "departements:", 18),
    ("unknown-departement", 'departements: ["86"]', 'departements: ["20"]', "code-inconnu", "departements:", 18),
    ("bad-email", "email: nathalie.fazilleau@poitiers.fr", "email: nathalie.fazilleau@", "email-invalide", "email:", 12),
    ("bad-phone", "telephone: 05 49 52 36 15", "telephone: 05 49 52", "telephone-invalide", "telephone:", 16),
    ("impossible-date", 'mise_a_jour: "2022-12"', "mise_a_jour: 2022-13-01", "date-invalide", "mise_a_jour", 14),
    ("missing-mandatory-field", "statut: en_cours\n", "", "champ-manquant", "---", 1),
    ("unknown-source", "document: fts-inspir-actions-acces-aux-soins-2023", "document: rapport-inconnu",
     "source-inconnue", "document:", 15),
    ("raw-html", "## Objectifs\n", "## Objectifs\n\n<script>alert(1)</script>\n", "html-interdit", "<script>", 1),
    ("html-tag-across-lines", "## Objectifs\n", "## Objectifs\n\n<img\nsrc=x onerror=alert(1)>\n", "html-interdit",
     "<img", 1),
    ("javascript-link", "## Objectifs\n", "## Objectifs\n\nVoir [ici](javascript:alert(1)).\n", "lien-dangereux",
     "javascript:", 12),
    ("broken-link", "## Objectifs\n", "## Objectifs\n\nVoir [la fiche](fiche-absente.md).\n", "lien-casse",
     "fiche-absente", 17),
    ("mandatory-section-missing", "## Résultats\n", "## Bilan\n", "section-inconnue", "## Bilan", 1),
    ("empty-section", "## Gouvernance\n\n", "## Gouvernance\n\n## Vide\n\n", "section-vide", "## Gouvernance", 1),
    ("region-code-unquoted-number", 'regions: ["75"]', "regions: [99]", "code-inconnu", "regions:", 13),
]


@pytest.mark.parametrize("case, old, new, code, needle, column", CASES, ids=[c[0] for c in CASES])
def test_bad_card_is_located(content, capsys, example_text, case, old, new, code, needle, column):
    assert old in example_text
    text = example_text.replace(old, new, 1)
    write(content, "fiche-a-tester.md", text)
    exit_code, diagnostics = run_validate(content, capsys, str(content / "actions" / "fiche-a-tester.md"))
    found = only(diagnostics, code)
    assert exit_code == 1
    if case == "missing-mandatory-field":  # reported on the mapping that lacks it
        assert found["line"] == 3
    elif case == "mandatory-section-missing":
        assert only(diagnostics, "section-manquante")["message"].endswith("« Résultats » absente")
        assert found["line"] == line_of(text, needle)
    else:
        assert (found["line"], found["column"]) == (line_of(text, needle), column), found
    assert found["hint"], "chaque erreur porte un conseil"


def test_telephone_takes_one_number_or_a_list_and_each_is_checked(content, capsys, example_text):
    write(content, "deux.md", example_text.replace("telephone: 05 49 52 36 15", 'telephone: ["05 49 52 36 15", "05 49 52"]', 1))
    write(content, "un.md", example_text.replace("telephone: 05 49 52 36 15", "telephone: 05 49 52 36 15", 1))
    exit_code, diagnostics = run_validate(content, capsys)
    found = only(diagnostics, "telephone-invalide")
    assert exit_code == 1 and found["path"].endswith("deux.md") and "« 05 49 52 »" in found["message"]
    line = line_of(example_text, "telephone: 05 49 52 36 15")
    written = '    telephone: ["05 49 52 36 15", "05 49 52"]'
    assert (found["line"], found["column"]) == (line, written.index('"05 49 52"') + 1)  # the second number
    assert not [d for d in diagnostics if d["path"].endswith("un.md")
                and d["code"] not in ("doublon-probable", "titre-sans-lieu")]


def test_misspelled_theme_suggests_the_right_value(content, capsys, example_text):
    write(content, "x.md", example_text.replace("accompagnement_parcours", "mediaton", 1))
    _, diagnostics = run_validate(content, capsys)
    assert only(diagnostics, "valeur-inconnue")["hint"] == "vouliez-vous dire « mediation_en_sante » ?"


def test_broken_yaml_is_reported_with_its_line(content, capsys, example_text):
    text = example_text.replace("themes: [acces_aux_droits,", "themes: [acces_aux_droits:: ,", 1)
    write(content, "x.md", text.replace("publics: [", "publics: [[", 1))
    code, diagnostics = run_validate(content, capsys)
    found = only(diagnostics, "yaml-syntaxe")
    assert code == 1 and found["line"] >= line_of(text, "themes:")


@pytest.mark.parametrize("text, code", [
    ("Pas d'en-tête du tout.\n", "front-matter-absent"),
    ("---\n---\n\n## Objectifs\n", "front-matter-vide"),
    ("---\ntitre: x\n", "front-matter-absent"),
    ("---\n- a\n- b\n---\n", "front-matter-vide"),
])
def test_missing_or_empty_front_matter(content, capsys, text, code):
    write(content, "x.md", text)
    exit_code, diagnostics = run_validate(content, capsys)
    assert exit_code == 1 and only(diagnostics, code)["path"].endswith("x.md")


def test_non_utf8_file_is_located(content, capsys, example_text):
    raw = example_text.replace("Poitiers", "Poiti\u00e9rs", 1).encode("utf-8").replace("Poiti\u00e9rs".encode(), b"Poiti\xe9rs", 1)
    write(content, "x.md", raw, binary=True)
    _, diagnostics = run_validate(content, capsys)
    found = only(diagnostics, "encodage")
    line = line_of(example_text, "Poitiers")
    assert (found["line"], found["column"]) == (line, example_text.split("\n")[line - 1].index("Poitiers") + 6)


def test_non_utf8_after_a_byte_order_mark_is_located_as_the_editor_shows_it(content, capsys, example_text):
    raw = b"\xef\xbb\xbf" + example_text.encode("utf-8").replace(b"---", b"---\n# caf\xe9", 1)
    write(content, "x.md", raw, binary=True)
    _, diagnostics = run_validate(content, capsys)
    found = only(diagnostics, "encodage")
    assert (found["line"], found["column"]) == (2, 6)  # the invisible mark is not a column


def test_file_over_one_megabyte(content, capsys, example_text):
    write(content, "x.md", example_text + ("a" * 1_000_001))
    _, diagnostics = run_validate(content, capsys)
    assert only(diagnostics, "fichier-trop-gros")["line"] == 1


def test_binary_file(content, capsys):
    write(content, "x.md", b"\x89PNG\r\n\x1a\n\x00\x00", binary=True)
    exit_code, diagnostics = run_validate(content, capsys)
    assert exit_code == 1 and only(diagnostics, "fichier-binaire")["path"].endswith("x.md")


def test_yaml_alias_bomb_in_a_card(content, capsys, example_text):
    bomb = 'bombe: &a ["x","x","x","x","x","x","x","x"]\n' + "".join(
        f"b{i}: &b{i} [{', '.join(['*' + ('a' if i == 0 else f'b{i-1}')] * 8)}]\n" for i in range(9))
    write(content, "x.md", example_text.replace("---\n", "---\n" + bomb, 1))
    _, diagnostics = run_validate(content, capsys)
    assert only(diagnostics, "yaml-alias")["line"] == 3  # the first alias


def test_duplicate_id_across_cards_and_guides(content, capsys, example_text):
    guide = "---\ntitre: Un guide pratique\nresume: Un guide qui porte le même identifiant qu'une fiche.\n" \
            "themes: [mediation_en_sante]\nsources: [{document: fts-inspir-actions-acces-aux-soins-2023}]\n" \
            "mise_a_jour: \"2024-01\"\n---\n\nTexte.\n"
    (content / "guides" / "en-route-pour-ma-sante-poitiers.md").write_text(guide, encoding="utf-8")
    _, diagnostics = run_validate(content, capsys)
    assert only(diagnostics, "id-duplique")["path"].endswith("guides/en-route-pour-ma-sante-poitiers.md")


def test_same_action_twice(content, capsys, example_text):
    write(content, "en-route-pour-ma-sante-bis.md", example_text.replace("titre: En route pour ma santé",
                                                                        "titre: En route pour ma santé !", 1))
    code, diagnostics = run_validate(content, capsys)
    found = {d["path"].rsplit("/", 1)[-1]: d for d in diagnostics if d["code"] == "doublon-probable"}
    assert code == 1 and set(found) == {"en-route-pour-ma-sante-bis.md", "en-route-pour-ma-sante-poitiers.md"}
    assert "en-route-pour-ma-sante-poitiers.md" in found["en-route-pour-ma-sante-bis.md"]["message"]
    assert "distincte_de" in found["en-route-pour-ma-sante-bis.md"]["hint"]


def test_declared_distinct_actions_are_not_duplicates(content, capsys, example_text):
    text = example_text.replace("titre: En route pour ma santé", "titre: En route pour ma santé !", 1)
    text = text.replace("mise_a_jour:", "distincte_de: [en-route-pour-ma-sante-poitiers]\nmise_a_jour:", 1)
    write(content, "en-route-pour-ma-sante-bis.md", text)
    code, diagnostics = run_validate(content, capsys)
    assert code == 0 and not [d for d in diagnostics if d["code"] == "doublon-probable"]


def test_invalid_file_name(content, capsys, example_text):
    write(content, "Fiche Poitiers.md", example_text.replace("titre: En route", "titre: Sur la route", 1))
    _, diagnostics = run_validate(content, capsys)
    assert only(diagnostics, "id-invalide")["path"].endswith("Fiche Poitiers.md")


def test_one_bad_file_does_not_stop_the_others(content, capsys, example_text):
    write(content, "a.md", "---\ntitre: [\n---\n")
    write(content, "b.md", example_text.replace("themes: [acces_aux_droits,", "themes: [zzz,", 1)
          .replace("titre: En route pour ma santé", "titre: Autre action tout à fait différente", 1))
    _, diagnostics = run_validate(content, capsys)
    paths = {d["path"].rsplit("/", 1)[-1] for d in diagnostics if d["severity"] == "erreur"}
    assert {"a.md", "b.md"} <= paths


def test_github_format_annotates_lines(content, capsys, example_text):
    from essaim.cli.main import main

    write(content, "x.md", example_text.replace("themes: [acces_aux_droits,", "themes: [acces_aux_droit,", 1)
          .replace("titre: En route pour ma santé", "titre: Une autre action encore", 1))
    assert main(["--content", str(content), "validate", "--format", "github"]) == 1
    out = capsys.readouterr().out
    line = line_of(example_text, "themes:")
    assert f"::error file=content/actions/x.md,line={line},col=10,title=valeur-inconnue::" in out
