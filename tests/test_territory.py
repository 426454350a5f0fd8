"""Territory profiles of known communes, and the similarity between a commune and a card."""

from __future__ import annotations

from pathlib import Path

import pytest

from essaim.search import territory
from essaim.search.territory import AmbiguousCommune, CardProfile, UnknownCommune, find_commune, similarity


def test_big_city_profile():
    lyon = find_commune("Lyon")
    assert (lyon.code, lyon.epci, lyon.departement, lyon.region, lyon.overseas) == ("69123", "metropole", "69", "84",
                                                                                    False)
    assert lyon.population > 500_000 and lyon.band == 4
    assert lyon.kinds == ("urbain",)


def test_small_rural_commune_profile():
    place = find_commune("saint affrique")  # case, accents and hyphens ignored
    assert place.code == "12208" and place.name == "Saint-Affrique"
    assert 2_000 <= place.population < 10_000 and place.band == 1
    assert place.epci == "cc" and place.epci_name.startswith("CC Saint Affricain")
    assert (place.departement, place.region, place.overseas, place.kinds) == ("12", "76", False, ("rural",))
    assert "Communauté de communes : CC Saint Affricain, Roquefort, Sept Vallons" in place.describe()


def test_overseas_commune_profile():
    place = find_commune("97411")
    assert (place.name, place.departement, place.region, place.overseas) == ("Saint-Denis", "974", "04", True)
    assert place.epci == "ca" and "outre_mer" in place.kinds
    assert "Outre-mer" in place.describe()


def test_arrondissement_takes_its_commune_epci():
    assert territory.profile("13201").epci == "metropole"


def test_ambiguous_name_lists_candidates_and_never_guesses():
    with pytest.raises(AmbiguousCommune) as caught:
        find_commune("Saint-Denis")
    departements = {c.departement for c in caught.value.candidates}
    assert {"93", "974"} <= departements and len(caught.value.candidates) >= 3
    assert find_commune("Saint-Denis (93)").code == "93066"
    assert find_commune("Saint-Denis 974").code == "97411"
    with pytest.raises(UnknownCommune) as unknown:
        find_commune("Saint-Affriqueville")
    assert unknown.value.suggestions == []
    with pytest.raises(UnknownCommune) as unknown:
        find_commune("Paris 13e")
    assert [c.code for c in unknown.value.suggestions] == ["75113"]


def test_neighbours_are_symmetric_and_known():
    near = territory.neighbours()
    assert set(near["12"]) == {"15", "30", "34", "46", "48", "81", "82"}
    assert all(code in near[other] for code, others in near.items() for other in others)


def _card(communes=(), departements=(), regions=(), kinds=(), basis="communes"):
    return CardProfile(tuple(territory.profile(c) for c in communes), tuple(departements), tuple(regions),
                       tuple(kinds), basis)


def test_similarity_explains_each_part():
    place = find_commune("Saint-Affrique")
    # Decazeville: same band, a CC, same département, rural.
    match = similarity(place, _card(["12089"], ["12"], ["76"], ["rural"]))
    assert match.reasons == [f"même taille ({territory.BAND_LABELS[1]})",
                             "intercommunalité rurale (communauté de communes)", "territoire rural aussi",
                             "même département (Aveyron)"]
    assert match.score == 3 + 3 + 2 + 2
    # Millau: a bigger town; the card's band is the one named.
    millau = similarity(place, _card(["12145"], ["12"], ["76"], ["rural"]))
    assert millau.reasons[:2] == [f"taille proche ({territory.BAND_LABELS[2]})",
                                  "intercommunalité rurale (communauté de communes)"]
    # Albi (Tarn): a neighbouring département, an agglomeration, much bigger.
    albi = similarity(place, _card(["81004"], ["81"], ["76"], ["urbain"]))
    assert albi.reasons == ["département voisin (Tarn)"] and albi.score == 1.5
    only_region = similarity(place, _card(regions=["76"], basis="region"))
    assert only_region.reasons == ["même région (Occitanie)", territory.NOTES["region"]]
    assert only_region.score == 1


# --- the command line on a synthetic base ------------------------------------

SYNTHETIC = {  # card id -> (title, territory block), and the order expected for Saint-Affrique (12208)
    "a-decazeville": ("Decazeville : la même action", 'departements: ["12"]\n  communes:\n    - nom: Decazeville\n'
                      '      insee: "12089"\n  echelle: commune\n  types: [rural]'),
    "b-villefranche": ("Villefranche-de-Rouergue : la même action",
                       'departements: ["12"]\n  communes:\n    - nom: Villefranche-de-Rouergue\n'
                       '      insee: "12300"\n  echelle: commune\n  types: [rural]'),
    "c-lozere": ("Lozère : la même action", 'departements: ["48"]\n  echelle: departement\n  types: [rural]'),
    "d-albi": ("Albi : la même action", 'departements: ["81"]\n  communes:\n    - nom: Albi\n      insee: "81004"\n'
               '  echelle: commune\n  types: [urbain]'),
    "e-occitanie": ("Occitanie : la même action", 'regions: ["76"]\n  echelle: region\n  types: []'),
    "f-poitiers": ("Poitiers : la même action, avec télémédecine", 'departements: ["86"]\n  communes:\n'
                   '    - nom: Poitiers\n      insee: "86194"\n  echelle: commune\n  types: [urbain]'),
}


@pytest.fixture
def synthetic(content, example_text):
    import re

    (content / "actions" / "en-route-pour-ma-sante-poitiers.md").unlink()
    for card_id, (title, block) in SYNTHETIC.items():
        text = re.sub(r"^titre: .*$", f'titre: "{title}"', example_text, count=1, flags=re.M)
        text = re.sub(r"^territoire:\n(?:  .*\n|    .*\n|      .*\n)+", f"territoire:\n  {block}\n", text,
                      count=1, flags=re.M)
        (content / "actions" / f"{card_id}.md").write_text(text, encoding="utf-8")
    from essaim.pipeline.catalog import open_catalog

    catalog, validation = open_catalog(content)
    assert not validation.errors and len(catalog.cards) == len(SYNTHETIC)
    return content


def _search(content, capsys, *args):
    import json

    from essaim.cli.main import main

    code = main(["--content", str(content), "search", "--index", str(content.parent / "index"), "--json", *args])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else out.err)


def test_comme_ranks_a_synthetic_base_in_the_expected_order(synthetic, capsys):
    code, data = _search(synthetic, capsys, "--like", "Saint-Affrique", "--limit", "20")
    assert code == 0
    assert [r["id"] for r in data["results"]] == list(SYNTHETIC)
    assert [r["combined_score"] for r in data["results"]] == [10, 8, 3.5, 1.5, 1, 0]
    assert data["territory"]["code"] == "12208"
    assert data["results"][2]["likeness"]["raisons"] == ["territoire rural aussi", "département voisin (Lozère)"]
    assert data["results"][2]["likeness"]["note"].startswith("la fiche ne nomme qu'un département")


def test_comme_combines_with_words_and_filters(synthetic, capsys):
    code, data = _search(synthetic, capsys, "--like", "12208", "--departement", "12", "--departement", "81")
    assert [r["id"] for r in data["results"]] == ["a-decazeville", "b-villefranche", "d-albi"]
    code, data = _search(synthetic, capsys, "télémédecine", "--like", "12208")
    assert data["results"][0]["id"] == "f-poitiers"  # the only card with the word: relevance lifts it first


def test_comme_lists_the_candidates_of_a_shared_name(synthetic, capsys):
    code, err = _search(synthetic, capsys, "--like", "Saint-Denis")
    assert code == 2
    assert "plusieurs communes s'appellent « Saint-Denis »" in err
    assert '--like "Saint-Denis (93)"   ou --like 93066   (Seine-Saint-Denis)' in err



def test_geodata_reduction_of_a_small_package(tmp_path):
    """The regeneration command keeps only the columns we use, and gives arrondissements their commune's EPCI."""
    import json

    import importlib.util

    tool = Path(__file__).resolve().parents[1] / "tools" / "maintenance" / "geodata.py"
    spec = importlib.util.spec_from_file_location("geodata", tool)
    geodata = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(geodata)
    write_reduced = geodata.write_reduced

    data = tmp_path / "package" / "data"
    data.mkdir(parents=True)
    (data / "regions.json").write_text(json.dumps([{"code": "93", "nom": "Provence", "chefLieu": "13055"}]))
    (data / "departements.json").write_text(json.dumps([{"code": "13", "nom": "Bouches-du-Rhône", "region": "93",
                                                         "zone": "metro"}]))
    (data / "communes.json").write_text(json.dumps([
        {"code": "13055", "nom": "Marseille", "departement": "13", "type": "commune-actuelle", "population": 870321},
        {"code": "13201", "nom": "Marseille 1er", "departement": "13", "type": "arrondissement-municipal",
         "commune": "13055", "population": 37599},
        {"code": "13999", "nom": "Ancienne", "departement": "13", "type": "commune-deleguee"},
        {"code": "13001", "nom": "Aix", "departement": "13", "type": "commune-actuelle"}]))
    (data / "epci.json").write_text(json.dumps([{"code": "200054807", "nom": "Métropole AMP", "type": "METRO",
                                                 "membres": [{"code": "13055"}, {"code": "13001"}]}]))
    out = tmp_path / "geo"
    out.mkdir()
    counts = write_reduced(tmp_path / "package", out)
    assert counts == {"regions": 1, "departements": 1, "communes": 3, "epci": 1}
    assert (out / "communes.tsv").read_text().splitlines() == [
        "code\tnom\tdepartement", "13001\tAix\t13", "13055\tMarseille\t13", "13201\tMarseille 1er\t13"]
    assert (out / "communes-profils.tsv").read_text().splitlines() == [
        "code\tpopulation\tepci", "13001\t\t200054807", "13055\t870321\t200054807", "13201\t37599\t200054807"]
    assert (out / "epci.tsv").read_text().splitlines() == ["code\ttype\tnom", "200054807\tMETRO\tMétropole AMP"]
    assert json.loads((out / "regions.json").read_text()) == [{"code": "93", "nom": "Provence"}]
