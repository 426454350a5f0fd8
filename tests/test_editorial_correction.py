"""« Signaler une correction ou un contact »: the issue form, the card's prefilled link, and `essaim correction`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import frontmatter
import pytest
import yaml

from conftest import CONTENT, ROOT, run_validate
from essaim.cli.main import main
from essaim.derived.correction_form import FORM_PATH, REPORT_FIELDS, report_form_text

REPORT = ROOT / "tests" / "data" / "editorial" / "correction-contact.md"
CARD = "poles-ressources-sante-lille"


@pytest.fixture
def lille(content: Path) -> Path:
    """The content fixture plus a card without contact whose « Résultats » says « Non renseigné ».

    A frozen copy of the real card (tests/data/editorial), so that editors may rework the real one."""
    shutil.copy(ROOT / "tests" / "data" / "editorial" / f"{CARD}.md", content / "actions")
    return content


def correction(content: Path, body: str | Path, capsys, *options: str) -> tuple[int, dict]:
    path = body if isinstance(body, Path) else content.parent / "ticket.md"
    if not isinstance(body, Path):
        path.write_text(body, encoding="utf-8")
    code = main(["--content", str(content), "correction", str(path), "--json", *options])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, json.loads(out.out)


def test_the_form_is_generated_and_committed():
    committed = ROOT.joinpath(*FORM_PATH).read_text(encoding="utf-8")
    assert committed == report_form_text(), "formulaire périmé : lancez « essaim schema »"
    form = yaml.safe_load(committed)
    assert form["name"] == "Signaler une correction ou un contact"
    ids = [e["id"] for e in form["body"] if "id" in e]
    assert ids[:2] == ["fiche", "titre-fiche"] and len(ids) == len(set(ids))


def test_a_contact_report_becomes_a_validated_change_of_the_card(lille, capsys):
    before = (lille / "actions" / f"{CARD}.md").read_text(encoding="utf-8")
    code, result = correction(lille, REPORT, capsys)
    assert code == 0 and result["written"] and result["id"] == CARD
    after = (lille / "actions" / f"{CARD}.md").read_text(encoding="utf-8")
    card = frontmatter.loads(after)
    assert card["contacts"] == [{"nom": "Camille Exemple", "fonction": "Coordinatrice du pôle ressources santé de "
                                 "Fives (fictive)", "structure": "Ville de Lille", "email": "sante-fives@example.org",
                                 "telephone": "03 20 00 00 00"}]
    assert "Le bilan 2023 de la Ville compte 1 200 habitants" in after.split("## Résultats", 1)[1].split("##", 1)[0]
    # Only the contact and the empty section change: the rest of the file is kept byte for byte.
    changed = [line for line in result["diff"].splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) == 9, changed  # contacts: 1 line out, 6 in ; Résultats: 1 out, 1 in
    assert before.split("contacts:", 1)[0] == after.split("contacts:", 1)[0]
    assert any("source indiquée" in line for line in result["todo"])
    assert run_validate(lille, capsys)[0] == 0


def test_without_consent_the_contact_is_left_out_and_nothing_is_written(lille, capsys):
    body = REPORT.read_text(encoding="utf-8").replace("- [X]", "- [ ]")
    code, result = correction(lille, body, capsys)
    assert code == 4 and not result["written"] and not result["applied"]
    assert any("case d'accord" in line for line in result["todo"])
    assert "contacts: []" in (lille / "actions" / f"{CARD}.md").read_text(encoding="utf-8")


def test_a_correction_of_a_written_section_is_left_to_the_editor(lille, capsys):
    body = (REPORT.read_text(encoding="utf-8").replace("\n\nRésultats\n", "\n\nObjectifs\n")
            .replace("Camille Exemple", "_No response_"))
    body = body.replace("sante-fives@example.org", "_No response_").replace("03 20 00 00 00", "_No response_")
    body = body.replace("Coordinatrice du pôle ressources santé de Fives (fictive)", "_No response_")
    body = body.replace("\n\nVille de Lille\n", "\n\n_No response_\n")
    code, result = correction(lille, body, capsys, "--preview")
    assert code == 4 and not result["diff"]
    assert any("à reporter à la main dans la section « Objectifs »" in line for line in result["todo"])


def test_a_report_text_cannot_open_a_section_nor_inject_html(lille, capsys):
    body = REPORT.read_text(encoding="utf-8").replace(
        "Le bilan 2023", "<script>alert(1)</script>\n## Gouvernance\nLe bilan 2023")
    code, result = correction(lille, body, capsys, "--preview")
    assert code == 0 and not result["written"]
    added = "\n".join(line for line in result["diff"].splitlines() if line.startswith("+"))
    assert "Le bilan 2023" in added and "alert(1)" in added  # the text is kept, as text
    assert "<script>" not in added and "\n+## Gouvernance" not in added


def test_an_unknown_card_or_another_form_is_a_french_error(lille, capsys):
    code, result = correction(lille, REPORT.read_text(encoding="utf-8").replace(CARD, "fiche-inconnue"), capsys)
    assert code == 1 and "aucune fiche content/actions/fiche-inconnue.md" in result["error"]
    code, result = correction(lille, "### Titre de l'action\n\nBus santé\n", capsys)
    assert code == 1 and "Signaler une correction" in result["error"]
    # The page address works as well as the bare id.
    body = REPORT.read_text(encoding="utf-8").replace(f"\n{CARD}\n", f"\nhttps://essaim.example/actions/{CARD}/\n")
    assert correction(lille, body, capsys, "--preview")[0] == 0


def test_the_card_link_prefills_fields_that_exist_in_the_form():
    from essaim.pipeline.catalog import open_catalog
    from essaim.site import Site
    from essaim.site.pages import report_url

    catalog, _ = open_catalog(CONTENT)
    card = catalog.card(CARD)
    site = Site(catalog, repo_url="https://github.com/essaim-sante/essaim")
    for kind in ("correction", "contact"):
        url = urlparse(report_url(site, card, kind))
        assert url.path == "/essaim-sante/essaim/issues/new"
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query.pop("template") == FORM_PATH[-1] and query.pop("title").startswith("Correction : ")
        fields = {f.id: f for f in REPORT_FIELDS}
        assert set(query) <= set(fields) and query["fiche"] == CARD and query["titre-fiche"] == card.meta.title
        for key, value in query.items():
            if fields[key].kind == "dropdown":
                assert value in fields[key].option_labels()
