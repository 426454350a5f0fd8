"""Open data for reuse: the SQLite catalogue (sqlite-utils, Datasette) and one JSON file per card, on the real build."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from browser.sitebuild import ROOT, build_real_site
from essaim.pipeline.catalog import open_catalog
from essaim.model.card import Contact
from essaim.site import Site
from essaim.site.opendata import write_database


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    return build_real_site(tmp_path_factory.getbasetemp())


def test_sqlite_catalogue_has_one_row_per_card_and_its_related_tables(real_site):
    site, catalog, _ = real_site
    db = sqlite3.connect(site / "donnees" / "actions.db")
    ids = {row[0] for row in db.execute("select id from actions")}
    assert ids == {card.id for card in catalog.cards}
    pairs = db.execute("select count(*) from actions_themes").fetchone()[0]
    assert pairs == sum(len(card.meta.themes) for card in catalog.cards)
    assert db.execute("select count(*) from actions_publics").fetchone()[0] == sum(len(c.meta.publics) for c in catalog.cards)
    assert db.execute("select count(*) from contacts").fetchone()[0] == sum(len(c.meta.contacts) for c in catalog.cards)
    assert db.execute("select count(*) from actions_sources").fetchone()[0] == sum(len(c.meta.sources) for c in catalog.cards)
    cited = {ref.document for card in catalog.cards for ref in card.meta.sources}
    assert {row[0] for row in db.execute("select id from sources")} == cited
    communes = sum(len(c.meta.territory.communes) for c in catalog.cards)
    assert db.execute("select count(*) from lieux where type = 'commune'").fetchone()[0] == communes
    # full text, accents folded: « mediation » finds « médiation »
    found = db.execute("select count(*) from actions_fts where actions_fts match 'mediation'").fetchone()[0]
    assert 0 < found < len(catalog.cards)
    orphans = db.execute("select count(*) from actions_themes where theme_id not in (select id from themes)").fetchone()[0]
    assert orphans == 0
    db.close()


def test_sqlite_contacts_respect_the_exportable_flag(tmp_path):
    catalog, _ = open_catalog(ROOT / "content")
    card = catalog.cards[0]
    shared = Contact.model_validate({"nom": "Ada Exemple", "fonction": "Coordinatrice", "structure": "Ville",
                                     "email": "ada@exemple.fr", "exportable": True})
    private = Contact.model_validate({"nom": "Bob Prive", "fonction": "Médiateur", "structure": "CCAS",
                                      "email": "bob@prive.fr", "telephone": "05 49 52 36 15"})
    card.meta = card.meta.model_copy(update={"contacts": [shared, private]})
    catalog.cards = [card]
    write_database(Site(catalog), tmp_path / "actions.db")
    dump = "\n".join(sqlite3.connect(tmp_path / "actions.db").iterdump())
    assert "ada@exemple.fr" in dump and "Ada Exemple" in dump
    assert "bob@prive.fr" not in dump and "Bob Prive" not in dump and "05 49 52 36 15" not in dump
    assert "Médiateur" in dump and "CCAS" in dump


def test_every_card_json_file_is_valid_against_the_published_schema(real_site):
    from jsonschema import Draft202012Validator, FormatChecker

    site, catalog, _ = real_site
    published = site / "donnees" / "schemas" / "api-action.schema.json"
    assert published.read_text("utf-8") == (ROOT / "schemas" / "api-action.schema.json").read_text("utf-8")
    schema = json.loads(published.read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    files = sorted((site / "api" / "actions").glob("*.json"))
    assert [f.stem for f in files] == sorted(card.id for card in catalog.cards)
    for path in files:
        record = json.loads(path.read_text("utf-8"))
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(record)]
        assert not errors, f"{path.name}: {errors[:3]}"
    # the schema is strict enough to reject a broken record
    broken = json.loads(files[0].read_text("utf-8"))
    del broken["porteur"]["nom"]
    broken["inconnu"] = 1
    assert len(list(validator.iter_errors(broken))) == 2


def test_open_data_page_links_every_reusable_file(real_site):
    site, catalog, _ = real_site
    page = (site / "donnees" / "index.html").read_text("utf-8")
    for href in ('href="actions.db"', 'href="metadata.json"', 'href="schemas/api-action.schema.json"',
                 f'href="../api/actions/{catalog.cards[0].id}.json"', "CC BY 4.0", "Journal des changements"):
        assert href in page
    metadata = json.loads((site / "donnees" / "metadata.json").read_text("utf-8"))
    db = sqlite3.connect(site / "donnees" / "actions.db")
    tables = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
    assert set(metadata["databases"]["actions"]["tables"]) <= tables
    assert metadata["license"] == "CC BY 4.0"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_datasette_serves_the_built_database(real_site, tmp_path):
    pytest.importorskip("datasette", reason="datasette absent : bash scripts/installer.sh --tests")
    site, catalog, _ = real_site
    for name in ("actions.db", "metadata.json"):
        shutil.copy(site / "donnees" / name, tmp_path / name)
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(tmp_path / "actions.db"),
                               "--metadata", str(tmp_path / "metadata.json"), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env={**os.environ, "DATASETTE_SECRET": "tests"})
    try:
        url = f"http://127.0.0.1:{port}/actions.json?sql=select+count(*)+as+n+from+actions&_shape=array"
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    rows = json.load(answer)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"datasette s'est arrêté : {server.stderr.read().decode()}")
                time.sleep(0.2)
        else:
            pytest.fail("datasette ne répond pas")
        assert rows == [{"n": len(catalog.cards)}]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/metadata.json", timeout=5) as answer:
            assert json.load(answer)["license"] == "CC BY 4.0"
    finally:
        server.terminate()
        server.wait(10)


def test_spreadsheet_csv_opens_in_french_excel_with_the_same_rows(real_site):
    """actions-tableur.csv: BOM + semicolons (French locales' list separator), same cells as actions.csv."""
    import csv
    import io

    site, catalog, _ = real_site
    raw = (site / "donnees" / "actions-tableur.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id;")
    spreadsheet = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    plain = list(csv.DictReader(io.StringIO((site / "donnees" / "actions.csv").read_text("utf-8"), newline="")))
    assert spreadsheet == plain and len(plain) == len(catalog.cards)
    assert any(";" in value or "," in value for row in plain for value in row.values())  # quoting is exercised
    page = (site / "donnees" / "index.html").read_text("utf-8")
    assert 'href="actions-tableur.csv"' in page
