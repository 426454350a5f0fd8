"""How old a card's information is, the « à vérifier » badge, the « fraîcheur » filter and the report."""

from __future__ import annotations

import json
from datetime import date

from essaim.pipeline.catalog import open_catalog
from essaim.cli.main import main
from essaim.model.freshness import badge_html, freshness
from essaim.editorial.report import editorial_report, report_text

CARD = "en-route-pour-ma-sante-poitiers.md"  # mise_a_jour 2022-12, its source published 2023-02


def _card(content):
    catalog, validation = open_catalog(content)
    assert not validation.errors
    return catalog, catalog.cards[0]


def _edit(content, old: str, new: str) -> None:
    path = content / "actions" / CARD
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_information_is_as_old_as_the_older_of_update_and_newest_source(content):
    _, card = _card(content)
    info = freshness(card, today=date(2025, 12, 1))
    assert (info.date, info.label, info.stale) == ("2022-12", "Informations de 2022", False)
    _edit(content, 'mise_a_jour: "2022-12"', 'mise_a_jour: "2024-06"')  # updated later, from the same 2023 source
    _, card = _card(content)
    assert freshness(card, today=date(2025, 12, 1)).label == "Informations de 2023"


def test_older_than_three_years_is_to_verify(content):
    _, card = _card(content)
    assert not freshness(card, today=date(2025, 12, 31)).stale  # 2022-12-31 + 3 years: still recent
    old = freshness(card, today=date(2026, 1, 1))
    assert old.stale and old.value == "a_verifier"
    assert "à vérifier" in badge_html(card, today=date(2026, 1, 1))
    assert "à vérifier" not in badge_html(card, today=date(2025, 6, 1))


def test_a_confirmation_by_the_carrier_makes_it_recent(content):
    _edit(content, 'mise_a_jour: "2022-12"',
          'mise_a_jour: "2022-12"\nverifie_le: "2026-11"\nverifie_par: accompagnatrice prévention santé du CCAS')
    _, card = _card(content)
    info = freshness(card, today=date(2026, 12, 4))
    assert not info.stale
    assert info.label == "Informations confirmées en 2026 (accompagnatrice prévention santé du CCAS)"


def test_report_lists_cards_to_verify_per_carrier(content):
    catalog, card = _card(content)
    report = editorial_report(catalog, today=date(2026, 12, 4))
    entries = report.to_verify[card.meta.carrier.name]
    assert [e.id for e in entries] == [card.id] and entries[0].contact == "nathalie.fazilleau@poitiers.fr"
    text = report_text(report)
    assert "Fiches à vérifier auprès de leur porteur (informations de plus de 3 ans) : 1, 1 porteur(s)" in text
    assert f"  {card.meta.carrier.name} — contact publié : nathalie.fazilleau@poitiers.fr" in text
    assert not editorial_report(catalog, today=date(2024, 1, 1)).to_verify


def test_freshness_filter_on_the_command_line(content, capsys):
    this_year = date.today().year
    _edit(content, 'mise_a_jour: "2022-12"', f'mise_a_jour: "2022-12"\nverifie_le: "{this_year}"\n'
                                             "verifie_par: CCAS de Poitiers")

    def search(*args):
        code = main(["--content", str(content), "search", "--index", str(content.parent / "index"), "--json", *args])
        out = capsys.readouterr()
        return code, json.loads(out.out) if code == 0 else out.err

    code, data = search("--fraicheur", "recente")
    assert code == 0 and data["total"] == 1 and data["facets"]["fraicheur"] == {"recente": 1}
    assert search("--fraicheur", "à vérifier")[1]["total"] == 0
    code, err = search("--fraicheur", "vieille")
    assert code == 2 and "--fraicheur attend recente ou a_verifier" in err


def test_a_confirmation_needs_its_date_and_who_confirmed(content, capsys):
    from conftest import run_validate

    _edit(content, 'mise_a_jour: "2022-12"', 'mise_a_jour: "2022-12"\nverifie_le: "2026-11"')
    code, found = run_validate(content, capsys)
    errors = [d for d in found if d["code"] == "verification-incomplete"]
    assert code == 1 and len(errors) == 1 and errors[0]["message"] == "verifie_le sans verifie_par"
    assert errors[0]["line"] == 51
