"""`essaim from-issue`: a submitted form body becomes a valid, safe card, or a clear French error."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import frontmatter
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE_TITLE, ROOT, run_validate
from essaim.pipeline import body as markdown_body
from essaim.pipeline import load
from essaim.cli.main import main
from essaim.derived.issue_form import (CONSENT_CONTACT, CONSENT_FACTS, CONSENT_LICENCE, CONTACT_OPEN_DATA, FORM_FIELDS,
                               render_issue_body)
from essaim.model.card import CARD_SECTIONS, CardMeta
from essaim.editorial.proposal import ProposalError, build_proposal, check

SAMPLES = ROOT / "tests" / "data" / "editorial"
WALKTHROUGH = SAMPLES / "proposition-bus-sante.md"
CONSENTS = [CONSENT_FACTS, CONSENT_CONTACT, CONSENT_LICENCE]
BASE = {
    "titre": "Point santé du marché de Recouvrance",
    "resume": "Chaque samedi, une médiatrice tient un point santé sur le marché pour informer les habitants.",
    "porteur": "Association Brest Santé Quartiers",
    "type-porteur": "Association",
    "communes": "Brest",
    "echelle": "Quartier",
    "themes-aller_vers": ["Médiation en santé"],
    "publics": ["Habitants des quartiers prioritaires"],
    "section-problem": "Les habitants du quartier connaissent mal l'offre de soins.",
    "section-objectives": "Informer et orienter.",
    "engagements": CONSENTS,
}


@pytest.fixture
def from_issue(capsys):
    """Run `essaim from-issue --json` on a body (text or file); returns (exit code, JSON result)."""

    def run(content: Path, body: str | Path, *options: str, name: str = "ticket.md") -> tuple[int, dict]:
        path = body if isinstance(body, Path) else content.parent / name
        if not isinstance(body, Path):
            path.write_text(body, encoding="utf-8")
        code = main(["--content", str(content), "from-issue", str(path), "--json", *options])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err and "erreur interne" not in captured.out, captured
        return code, json.loads(captured.out)

    return run


def assert_valid_and_safe(content: Path, card_path: Path, capsys=None) -> str:
    text = card_path.read_text(encoding="utf-8")
    document = load.read(card_path, "card")
    CardMeta.model_validate(document.data)
    code, diagnostics = (run_validate(content, capsys, str(card_path)) if capsys else (None, None))
    if capsys:
        assert code == 0 and [d for d in diagnostics if d["severity"] == "erreur"] == [], diagnostics
    parsed = markdown_body.parse(document.body)
    assert list(parsed.sections) == [s.heading for s in CARD_SECTIONS]
    assert parsed.html == []
    for link in parsed.links:
        assert re.match(r"^(https?://|mailto:|tel:|#)", link.target), link
    assert not re.search(r"<\s*/?\s*(script|img|iframe|a|b|svg)\b", text, re.IGNORECASE)
    return text


# --- the walk-through sample of CONTRIBUTING.md ----------------------------------------------------


def test_walkthrough_sample_becomes_a_valid_partial_card(content, capsys):
    assert main(["--content", str(content), "from-issue", str(WALKTHROUGH)]) == 0
    out = capsys.readouterr().out
    card = content / "actions" / "bus-sante-des-villages-du-haut-jura.md"
    source = content / "sources" / "proposition-bus-sante-des-villages-du-haut-jura.yaml"
    assert f"Fiche créée : {card.relative_to(content.parent)}" in out
    assert "Niveau : partielle ; à compléter : Résultats" in out
    text = assert_valid_and_safe(content, card, capsys)
    meta = CardMeta.model_validate(load.read(card, "card").data)
    assert meta.title == "Bus santé des villages du Haut-Jura"
    assert meta.carrier.type == "association" and meta.territory.scale == "intercommunalite"
    assert [(c.name, c.insee) for c in meta.territory.communes] == [("Saint-Claude", "39478"),
                                                                    ("Moirans-en-Montagne", "39333")]
    assert meta.territory.departements == ["39"] and meta.territory.regions == ["27"]
    assert meta.territory.kinds == ["rural", "montagne"]
    assert set(meta.themes) == {"unite_mobile", "mediation_en_sante", "acces_aux_droits"}
    assert meta.publics == ["habitants_ruraux", "personnes_agees"] and meta.status == "en_cours"
    assert meta.period.start == 2021 and meta.period.end is None
    assert meta.partners.operational == ["CPAM du Jura", "Mairies des six villages"]
    assert meta.contacts[0].email == "contact@sante-plateaux.example.org" and not meta.contacts[0].open_data
    assert [s.document for s in meta.sources] == ["proposition-bus-sante-des-villages-du-haut-jura"]
    assert "## Résultats\n\nNon renseigné dans la source." in text
    assert "- <https://www.sante-plateaux.example.org/le-bus-sante>" in text
    assert "titre:" in source.read_text(encoding="utf-8")
    exit_code, diagnostics = run_validate(content, capsys)
    assert exit_code == 0 and [(d["path"], d["code"]) for d in diagnostics] == [
        ("content/actions/en-route-pour-ma-sante-poitiers.md", "titre-sans-lieu")]  # the example card's title


def test_preview_writes_nothing(content, capsys):
    assert main(["--content", str(content), "from-issue", str(WALKTHROUGH), "--preview"]) == 0
    assert "## Problématique et contexte" in capsys.readouterr().out
    assert sorted(p.name for p in (content / "actions").iterdir()) == ["en-route-pour-ma-sante-poitiers.md"]


def test_body_from_standard_input(content):
    result = subprocess.run([sys.executable, "-m", "essaim", "--content", str(content), "from-issue", "-", "--json"],
                            input=render_issue_body(BASE), capture_output=True, text=True, cwd=content.parent)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["card"] == "content/actions/point-sante-du-marche-de-recouvrance.md"


def test_incomplete_proposal_says_what_is_missing(content, capsys, from_issue):
    code, result = from_issue(content, SAMPLES / "proposition-incomplete.md")
    assert code == 0 and result["written"] and result["level"] == "ebauche"
    assert {"Résultats", "Gouvernance", "contacts", "partenaires", "année de début"} <= set(result["missing"])
    assert any("échelle" in note for note in result["notes"])
    text = assert_valid_and_safe(content, content.parent / result["card"], capsys)
    assert text.count("Non renseigné dans la source.") == 7


def test_contact_needs_the_consent_box(content, from_issue):
    answers = {**BASE, "contact-nom": "Marie Exemple", "contact-email": "marie@exemple.fr",
               "contact-telephone": "01 99 00 12 34", "contact-exportable": [CONTACT_OPEN_DATA]}
    code, result = from_issue(content, render_issue_body(answers), "--preview")
    assert code == 0 and "email: marie@exemple.fr" in result["text"] and "exportable: true" in result["text"]
    code, result = from_issue(content, render_issue_body({**answers, "engagements": [CONSENT_FACTS, CONSENT_LICENCE]}),
                              "--preview")
    assert code == 0 and "contacts: []" in result["text"]
    assert any("contact non repris" in note for note in result["notes"])


def test_known_public_document_becomes_a_source(content, from_issue):
    url = ("https://www.fabrique-territoires-sante.org/ressources/nos-publications/dossiers-ressources/"
           "reduire-les-inegalites-sociales-et-territoriales-dacces-aux-soins")
    code, result = from_issue(content, render_issue_body({**BASE, "documents": url}), "--preview")
    assert code == 0 and "- document: fts-inspir-actions-acces-aux-soins-2023" in result["text"]


def test_transferability_answers_become_the_transfert_block(content, from_issue):
    answers = {**BASE, "cout": "12 000 € en 2023, stand et temps de médiation", "moyens-humains": "",
               "delai": "3 mois", "prerequis": "un emplacement sur le marché\n\nl'accord de la mairie de quartier\n"}
    code, result = from_issue(content, render_issue_body(answers))
    card = load.read(content.parent / result["card"], "card")
    assert code == 0 and card.data["transfert"] == {
        "budget": "12 000 € en 2023, stand et temps de médiation", "delai": "3 mois",
        "prerequis": ["un emplacement sur le marché", "l'accord de la mairie de quartier"]}
    assert list(card.data)[-2:] == ["transfert", "mise_a_jour"]
    code, result = from_issue(content, render_issue_body(BASE), "--preview")
    assert code == 0 and "transfert" not in result["text"]  # nothing said, no block


def test_ambiguous_commune_is_kept_without_code(content, from_issue):
    code, result = from_issue(content, render_issue_body({**BASE, "communes": "Saint-Denis"}), "--preview")
    assert code == 0 and "- nom: Saint-Denis\n" in result["text"]
    assert any("plusieurs communes" in note for note in result["notes"])
    code, result = from_issue(content, render_issue_body({**BASE, "communes": "Saint-Denis (93)"}), "--preview")
    assert "insee: '93066'" in result["text"] and "departements: ['93']" in result["text"]


def test_ticket_address_is_recorded_in_the_source(content, from_issue):
    code, result = from_issue(content, render_issue_body(BASE), "--ticket", "https://github.com/o/r/issues/12")
    assert code == 0
    assert "url: https://github.com/o/r/issues/12" in (content.parent / result["source"]).read_text(encoding="utf-8")


def test_comment_for_the_issue(content, from_issue):
    comment = content.parent / "commentaire.md"
    code, _ = from_issue(content, render_issue_body(BASE), "--comment", str(comment))
    assert code == 0 and "est prête à relire" in comment.read_text(encoding="utf-8")
    hostile = {**BASE, "titre": "Permanence @everyone [clic](https://piege.example)", "porteur": "Autre structure",
               "resume": "Une tout autre action, avec un résumé différent du premier.",
               "communes": "@admin [x](y)"}
    code, _ = from_issue(content, render_issue_body(hostile), "--comment", str(comment), name="t2.md")
    text = comment.read_text(encoding="utf-8")
    assert code == 0 and "@admin" not in text and "](y)" not in text and "`Permanence @everyone" in text


# --- duplicates ------------------------------------------------------------------------------------------

POITIERS = "content/actions/en-route-pour-ma-sante-poitiers.md"


def test_same_carrier_and_title_is_not_written(content, capsys, from_issue):
    answers = {**BASE, "titre": f"{EXAMPLE_TITLE} !", "porteur": "Centre communal d'action sociale (CCAS) de Poitiers"}
    body = content.parent / "doublon.md"
    body.write_text(render_issue_body(answers), encoding="utf-8")
    assert main(["--content", str(content), "from-issue", str(body)]) == 3
    captured = capsys.readouterr()
    assert f"Doublon probable : {POITIERS}" in captured.out
    assert "complétez la fiche existante" in captured.err and "--despite-duplicate" in captured.err
    assert not (content / "actions" / "en-route-pour-ma-sante.md").exists()
    code, result = from_issue(content, body, "--despite-duplicate")
    assert code == 0 and result["written"]
    card = content.parent / result["card"]
    assert "distincte_de: [en-route-pour-ma-sante-poitiers]" in card.read_text(encoding="utf-8")
    assert_valid_and_safe(content, card, capsys)


def test_very_similar_title_from_another_carrier_is_flagged(content, from_issue):
    code, result = from_issue(content, render_issue_body({**BASE, "titre": EXAMPLE_TITLE}))
    assert code == 3 and not result["written"]
    assert result["duplicates"][0]["path"] == POITIERS and result["duplicates"][0]["likely"]


def test_same_carrier_other_action_is_only_mentioned(content, capsys):
    answers = {**BASE, "titre": "Ateliers cuisine et santé des aînés",
               "porteur": "Centre Communal d'Action Sociale (CCAS) de Poitiers"}
    body = content.parent / "voisine.md"
    body.write_text(render_issue_body(answers), encoding="utf-8")
    assert main(["--content", str(content), "from-issue", str(body)]) == 0
    assert f"Fiche voisine : {POITIERS}" in capsys.readouterr().out


def test_existing_identifier_is_not_overwritten(content, from_issue):
    code, result = from_issue(content, render_issue_body(BASE))
    assert code == 0
    code, result = from_issue(content, render_issue_body(BASE))
    assert code == 3 and "même identifiant" in result["duplicates"][0]["reason"]
    code, result = from_issue(content, render_issue_body(BASE), "--despite-duplicate")
    assert code == 1 and "existe déjà" in result["error"]
    code, result = from_issue(content, render_issue_body(BASE), "--force")
    assert code == 0 and result["written"]


# --- hostile and broken bodies -------------------------------------------------------------------------------


def test_hostile_sample_gives_a_safe_valid_card(content, capsys, from_issue):
    code, result = from_issue(content, SAMPLES / "proposition-malveillante.md")
    assert code == 0, result
    card = content.parent / result["card"]
    text = assert_valid_and_safe(content, card, capsys)
    data = load.read(card, "card").data
    assert set(data) == {"titre", "resume", "porteur", "territoire", "themes", "publics", "periode", "statut",
                         "partenaires", "cadres", "contacts", "sources", "evaluation", "mise_a_jour"}
    assert data["titre"] == "alert('titre')Santé & quartiers: *a &b !!python/object"
    assert "foo" not in data and data["resume"].startswith("Résumé --- foo: bar")
    assert "\u202e" not in text and "\x1b" not in text
    assert data["porteur"] == {"nom": "../../etc/passwd", "type": "association"}
    assert card.parent == content / "actions" and card.name == "alert-titre-sante-quartiers-a-b-python-object.md"
    assert data["contacts"] == [] and data["periode"] == {"debut": None, "fin": None}
    assert "javascript:alert" not in re.sub(r"\] \(javascript:alert\(\d\)\)|\\\[x\]: javascript:alert\(2\)|"
                                            r"< javascript:alert\(3\)>|- javascript:alert\(1\)", "", text)
    assert "\n## Objectifs\n\nNon renseigné" in text  # the « ## Objectifs » typed in a answer did not open the section
    assert "### Objectifs" in text and "### Gros titre" in text
    assert "Titre remplacé ?" in text and data["titre"] != "Titre remplacé ?"
    assert "[pixel](https://traceur.example/p.gif)" in text and "![pixel]" not in text


@pytest.mark.parametrize("title, slug", [
    ("x\n---\nfoo: bar", "x-foo-bar"),
    ("Santé: accès &a *a", "sante-acces-a-a"),
    ("'quoted' \"double\" #hash %pct @at `tick` |pipe >gt", "quoted-double-hash-pct-at-tick-pipe-gt"),
    ("- liste ? question {a: b} [c, d]", "liste-question-a-b-c-d"),
    ("yes", None),
    ("2022-12-01", "2022-12-01"),
    ("..%2F..%2Fetc%2Fpasswd", "2f-2fetc-2fpasswd"),
    ("Ligne\u2028séparée\u0085là\x00nul", "ligne-separee-lanul"),
])
def test_yaml_and_path_injection_in_the_title(content, capsys, title, slug, from_issue):
    answers = {**BASE, "titre": title}
    body = render_issue_body(answers).replace("\x00", "")
    code, result = from_issue(content, body, *([] if slug else ["--id", "titre-oui"]))
    if len(" ".join(title.replace("\x00", "").split())) < 5:
        assert code == 1 and "titre" in result["error"]
        return
    assert code == 0, result
    card = content.parent / result["card"]
    assert card.resolve().parent == (content / "actions").resolve()
    assert card.stem == slug
    text = assert_valid_and_safe(content, card, capsys)
    data = load.read(card, "card").data
    assert "foo" not in data and isinstance(data["titre"], str) and "\n" not in data["titre"]
    assert text.count("\n---\n") == 1 and text.startswith("---\n")


def test_title_that_yields_no_identifier(content, from_issue):
    code, result = from_issue(content, render_issue_body({**BASE, "titre": "« !!! — ??? »"}))
    assert code == 1 and "--id" in result["error"]


@pytest.mark.parametrize("card_id", ["../evasion", "a/b", "..", "Majuscules", "fin-"])
def test_bad_identifier_option(content, card_id, from_issue):
    code, result = from_issue(content, render_issue_body(BASE), "--id", card_id)
    assert code == 1 and "identifiant" in result["error"]
    assert not list(content.parent.rglob("evasion*"))


def test_unclosed_code_fence_does_not_swallow_the_next_sections(content, capsys, from_issue):
    answers = {**BASE, "section-problem": "Voici :\n```\n## Objectifs\n<script>x</script>", "section-results": "~~~"}
    code, result = from_issue(content, render_issue_body(answers))
    assert code == 0
    assert_valid_and_safe(content, content.parent / result["card"], capsys)


def test_huge_answers_are_shortened(content, capsys, from_issue):
    answers = {**BASE, "titre": "Titre " * 100, "resume": "Résumé long. " * 200, "section-steps": "Étape. " * 9000,
               "partenaires-operationnels": "\n".join(f"Partenaire {i}" for i in range(200))}
    code, result = from_issue(content, render_issue_body(answers))
    assert code == 0, result
    card = content.parent / result["card"]
    assert_valid_and_safe(content, card, capsys)
    data = load.read(card, "card").data
    assert len(data["titre"]) <= 200 and len(data["resume"]) <= 500
    assert len(data["partenaires"]["operationnels"]) == 30
    assert any("raccourci" in note for note in result["notes"])


def test_huge_body_is_refused(content, from_issue):
    code, result = from_issue(content, render_issue_body(BASE) + "x" * 300_000)
    assert code == 1 and "Kio" in result["error"]


def test_unknown_options_are_reported_not_kept(content, from_issue):
    body = render_issue_body(BASE).replace("- [ ] Tout public", "- [X] Public inventé <script>")
    body = body.replace("- [ ] Santé mentale", "- [x] Thème inventé")
    code, result = from_issue(content, body, "--preview")
    assert code == 0
    assert any("Public inventé" in n and "publics" in n for n in result["notes"])
    assert any("Thème inventé" in n for n in result["notes"])
    assert "publics: [habitants_qpv]" in result["text"]


def test_comma_separated_answers_from_an_edited_body(content, from_issue):
    body = re.sub(r"(### Publics visés\n\n).*?(\n\n###)", r"\1Enfants, parents et familles, Femmes\2",
                  render_issue_body(BASE), flags=re.DOTALL)
    code, result = from_issue(content, body, "--preview")
    assert code == 0 and "publics: [enfants_familles, femmes]" in result["text"]


@pytest.mark.parametrize("body, message", [
    ("", "ne ressemble pas"),
    ("Bonjour, voici une action formidable à Lyon.", "ne ressemble pas"),
    (render_issue_body({**BASE, "titre": ""}), "titre"),
    (render_issue_body({**BASE, "porteur": ""}), "structure porteuse"),
    (render_issue_body({**BASE, "themes-aller_vers": []}), "au moins un thème"),
    (render_issue_body({**BASE, "publics": [], "themes-aller_vers": []}), "au moins un thème et au moins un public"),
    (render_issue_body({**BASE, "engagements": [CONSENT_FACTS, CONSENT_CONTACT]}), "CC BY 4.0"),
])
def test_unusable_bodies_give_a_french_error(content, body, message, from_issue):
    code, result = from_issue(content, body)
    assert code == 1 and message in result["error"] and not result["written"]
    assert sorted(p.name for p in (content / "actions").iterdir()) == ["en-route-pour-ma-sante-poitiers.md"]


@pytest.mark.parametrize("raw, message", [
    (b"\x00\x01binaire", "octets nuls"),
    ("### Titre de l'action\n\nCaf\xe9".encode("latin-1"), "UTF-8"),
])
def test_unreadable_files(content, raw, message, from_issue):
    path = content.parent / "ticket.bin"
    path.write_bytes(raw)
    code, result = from_issue(content, path)
    assert code == 1 and message in result["error"]


def test_missing_file_and_directory(content, capsys):
    assert main(["--content", str(content), "from-issue", "absent.md"]) == 1
    assert "impossible de lire « absent.md »" in capsys.readouterr().err
    assert main(["--content", str(content), "from-issue", str(content)]) == 1
    assert "est un dossier" in capsys.readouterr().err


def test_ticket_option_must_be_an_address(content, from_issue):
    code, result = from_issue(content, render_issue_body(BASE), "--ticket", "javascript:alert(1)")
    assert code == 1 and "--ticket" in result["error"]


# --- fuzzing: whatever the answers, a valid safe card or a French error ------------------------------------------------

PIECES = ["<script>", "</a>", "<img src=x onerror=alert(1)>", "[x](", "javascript:", ")", "](", "\n", "\n\n", "## ",
          "# ", "```", "~~~", "---", "===", ": ", "&a", "*a", "!!", "'", '"', "#", "é", "\u2028", "\u202e", "\x1b[31m",
          "_No response_", "### Titre de l'action", "### Résumé", "- [X] ", "- [X] Femmes", "<", ">", "![", "[a]: ",
          "<!--", "mailto:", "https://exemple.fr/", "../", "%", "{", "}", "[", "]", "|", "\\", "\t", " "]
TEXT_FIELDS = [f.id for f in FORM_FIELDS if f.kind in ("input", "textarea", "dropdown")]
answer = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=25).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.dictionaries(st.sampled_from(TEXT_FIELDS), answer, max_size=8))
def test_fuzzed_answers_give_a_valid_safe_card_or_a_french_error(content, answers):
    body = render_issue_body({**BASE, **answers})
    try:
        proposal = build_proposal(body, content)
        diagnostics, card = check(content, proposal)
    except ProposalError as error:
        assert str(error) and str(error)[0].islower()
        return
    assert not [d for d in diagnostics if d.is_error]
    text = proposal.card_text()
    parsed = markdown_body.parse(text.split("\n---\n", 1)[1])
    assert parsed.html == [] and list(parsed.sections) == [s.heading for s in CARD_SECTIONS]
    assert all(re.match(r"^(https?://|mailto:|tel:|#)", link.target) for link in parsed.links)
    front_matter = yaml.safe_load(frontmatter.YAMLHandler().split(text)[0])
    assert list(front_matter) == list(proposal.values)
