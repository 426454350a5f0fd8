"""From a written place to a place: one resolver (essaim.model.geography.find_place) for every command.

How a place may be written, wherever one is asked for (`essaim new`, `essaim from-issue`, `essaim search`):
- by its code, taken as it is: « 93066 » (commune), « 12 » (département), « 76 » (région);
- by its name, compared without case, accents, hyphens or apostrophes: « saint affrique », « L’Haÿ-les-Roses »;
- a name shared by several communes is never guessed: « Saint-Denis » is refused, and the message lists the
  four candidates as they can be written back, « Saint-Denis (93) », with their département and code;
- « Saint-Denis (93) » or « Saint-Denis 93 » is the one in that département; a département the text already
  names (`essaim new --departement 93`, the départements of a proposal) settles a shared name too.
"""

from __future__ import annotations

import json
import re

import pytest

from essaim.cli.main import main
from essaim.derived.issue_form import render_issue_body
from essaim.model.geography import AmbiguousPlace, UnknownPlace, find_place
from test_editorial_from_issue import BASE as PROPOSAL

SAINT_DENIS = {"11", "30", "93", "974"}  # the départements of the four communes named Saint-Denis


def test_a_code_or_a_name_gives_the_place():
    assert find_place("commune", "93066").name == "Saint-Denis"
    assert find_place("commune", "saint affrique").code == "12208"
    assert find_place("commune", "L’Haÿ-les-Roses").code == "94038"  # typographic apostrophe, accents
    assert find_place("departement", "seine saint denis").code == "93"
    assert find_place("departement", "Aveyron (12)").code == "12"
    assert find_place("region", "76").name == "Occitanie"


def test_a_shared_name_is_refused_with_its_candidates():
    with pytest.raises(AmbiguousPlace) as refused:
        find_place("commune", "Saint-Denis")
    assert {c.parent for c in refused.value.candidates} == SAINT_DENIS
    assert "« Saint-Denis (93) » (Seine-Saint-Denis, code 93066)" in str(refused.value)


def test_the_departement_settles_a_shared_name():
    assert find_place("commune", "Saint-Denis (93)").code == "93066"
    assert find_place("commune", "Saint-Denis 974").code == "97411"
    assert find_place("commune", "Saint-Denis", within=["11"]).code == "11339"
    with pytest.raises(UnknownPlace):  # a département that holds no commune of that name
        find_place("commune", "Saint-Denis (12)")
    with pytest.raises(AmbiguousPlace):  # départements named elsewhere settle nothing when none holds it
        find_place("commune", "Saint-Denis", within=["12"])


def _candidates(text: str) -> set[str]:
    return set(re.findall(r"Saint-Denis \((\w+)\)", text))


def test_new_from_issue_and_search_give_the_same_candidates(content, capsys):
    code = main(["--content", str(content), "new", "--no-input", "--titre", "Médiation santé", "--porteur", "Exemple",
                 "--type-porteur", "association", "--commune", "Saint-Denis", "--echelle", "commune",
                 "--theme", "mediation_en_sante", "--public", "QPV", "--source", "fts-inspir-actions-acces-aux-soins-2023"])
    new = capsys.readouterr().err
    assert code == 2 and _candidates(new) == SAINT_DENIS

    body = content.parent / "ticket.md"
    body.write_text(render_issue_body({**PROPOSAL, "communes": "Saint-Denis"}), encoding="utf-8")
    code = main(["--content", str(content), "from-issue", str(body), "--json", "--preview"])
    notes = json.loads(capsys.readouterr().out)["notes"]
    [note] = [note for note in notes if note.startswith("commune « Saint-Denis »")]
    assert _candidates(note) == SAINT_DENIS and "plusieurs communes portent ce nom" in note

    code = main(["--content", str(content), "search", "--like", "Saint-Denis"])
    search = capsys.readouterr().err
    assert code == 2 and _candidates(search) == SAINT_DENIS
