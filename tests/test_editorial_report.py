"""`essaim report`: stubs and partial cards, cards without contact, old cards, broken links (local server only)."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from datetime import date

import pytest

from essaim.pipeline.catalog import open_catalog
from essaim.cli.main import main
from essaim.editorial.report import EditorialReport, check_url, check_urls, editorial_report, is_stale, last_day


class Handler(http.server.BaseHTTPRequestHandler):
    """/ok answers, /absent is 404, /sans-head refuses HEAD but answers GET, /lent answers too late."""

    requests: list[tuple[str, str]] = []

    def _answer(self, with_body: bool) -> None:
        Handler.requests.append((self.command, self.path))
        if self.path.startswith("/lent"):
            time.sleep(1.5)
        if self.path == "/absent" or (self.path == "/sans-head" and self.command == "HEAD"):
            self.send_response(404 if self.path == "/absent" else 405)
            self.end_headers()
            return
        if self.path == "/redirige":
            self.send_response(301)
            self.send_header("Location", "/ok-cible")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if with_body:
            self.wfile.write(b"ok")

    def do_HEAD(self):  # noqa: N802
        self._answer(False)

    def do_GET(self):  # noqa: N802
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def local_network_only(monkeypatch):
    """Tests never reach another host: name resolution answers only for 127.0.0.1."""
    resolve = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if host not in ("127.0.0.1", b"127.0.0.1"):
            raise socket.gaierror(socket.EAI_NONAME, f"hôte externe interdit dans les tests : {host}")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture
def server(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    Handler.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def add_card(content, example_text, name, replacements):
    text = example_text
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    (content / "actions" / name).write_text(text, encoding="utf-8")


@pytest.fixture
def cards(content, example_text):
    """The complete Poitiers card and a stub without contact; the sources lose their (external) addresses."""
    for source in (content / "sources").glob("*.yaml"):
        lines = source.read_text(encoding="utf-8").split("\n")
        source.write_text("\n".join(line for line in lines if not line.startswith("url:")), encoding="utf-8")
    add_card(content, example_text, "ebauche-sans-contact.md", [
        ("titre: En route pour ma santé", "titre: Une ébauche"),
        ("nom: Centre Communal d'Action Sociale (CCAS) de Poitiers", "nom: Autre porteur"),
        ("## Objectifs\n\n", "## Objectifs\n\nNon renseigné : la source ne le dit pas.\n\n"),
        ("contacts:\n  - nom: Nathalie Fazilleau\n    fonction: Accompagnatrice prévention santé (ou chargée "
         "d'intervention sociale)\n    structure: CCAS de Poitiers\n    email: nathalie.fazilleau@poitiers.fr\n"
         "    telephone: 05 49 52 36 15\n", "contacts: []\n"),
        ('mise_a_jour: "2022-12"', 'mise_a_jour: "2026-01"'),
    ])
    return content


def test_report_data(cards):
    catalog, _ = open_catalog(cards)
    report = editorial_report(catalog, today=date(2026, 11, 23))
    assert isinstance(report, EditorialReport) and report.total == 2
    assert [(e.id, e.level) for e in report.incomplete] == [("ebauche-sans-contact", "ebauche")]
    entry = report.incomplete[0]
    assert entry.missing[0] == "Objectifs" and "contacts" in entry.missing
    assert entry.path == "content/actions/ebauche-sans-contact.md" and entry.url == "actions/ebauche-sans-contact/"
    assert [e.id for e in report.without_contact] == ["ebauche-sans-contact"]
    assert [(e.id, e.updated) for e in report.stale] == [("en-route-pour-ma-sante-poitiers", "2022-12")]
    assert not report.links_checked and report.broken_links == []
    assert json.loads(json.dumps(report.as_dict()))["incomplete"][0]["level_label"] == "ébauche"


@pytest.mark.parametrize("updated, today, stale", [
    ("2024-11", date(2026, 11, 23), False),  # November 2024 lasts until the 30th
    ("2024-10", date(2026, 11, 23), True),
    ("2024", date(2026, 11, 23), False),
    ("2023", date(2026, 1, 1), True),
    ("2024-02-29", date(2026, 2, 28), False),
    ("2024-02-27", date(2026, 2, 28), True),
])
def test_two_years_without_update(updated, today, stale):
    assert is_stale(updated, today) is stale


def test_last_day():
    assert last_day("2024") == date(2024, 12, 31) and last_day("2024-02") == date(2024, 2, 29)


def test_report_command_text(cards, capsys):
    assert main(["--content", str(cards), "report"]) == 0
    out = capsys.readouterr().out
    assert "Fiches à compléter (1) :\n  content/actions/ebauche-sans-contact.md — ébauche ; manque : Objectifs" in out
    assert "Fiches sans contact (1) :" in out and "non mises à jour depuis 2 ans" in out
    assert "Liens externes : non vérifiés (ajoutez --links)." in out


@pytest.fixture
def edited(cards, example_text):
    """A third card: a place in its title, three mentions of the document, one silent section, a known cost."""
    add_card(cards, example_text, "avec-lieu.md", [
        ("titre: En route pour ma santé", "titre: Une action à Niort"),
        ("nom: Centre Communal d'Action Sociale (CCAS) de Poitiers", "nom: Porteur de Niort"),
        ("## Objectifs\n\n", "## Objectifs\n\nLa source le dit, le Rapport le confirme et l’ouvrage aussi.\n\n"),
        ("## Effets inattendus\n\n", "## Effets inattendus\n\nNon renseigné dans la source.\n\n## Vide\n\n"),
        ("mise_a_jour:", "transfert:\n  budget: 30 000 € en 2021\nmise_a_jour:"),
    ])
    text = (cards / "actions" / "avec-lieu.md").read_text(encoding="utf-8")
    start = text.index("## Vide")  # the rest of « Effets inattendus » goes, so that the section is silent
    (cards / "actions" / "avec-lieu.md").write_text(text[:start] + text[text.index("## Perspectives"):], "utf-8")
    return cards


def test_report_editing_counts(edited):
    catalog, _ = open_catalog(edited)
    report = editorial_report(catalog, today=date(2026, 11, 23))
    assert report.with_place_in_title == 1
    assert [(p.id, p.place) for p in report.title_places] == [
        ("ebauche-sans-contact", None), ("en-route-pour-ma-sante-poitiers", None), ("avec-lieu", "Niort")]
    mentions = {c.id: c.count for c in report.source_mentions}
    assert mentions["avec-lieu"] == mentions["en-route-pour-ma-sante-poitiers"] + 3
    assert report.source_mentions[0].id == "avec-lieu" and report.source_mentions_total == sum(mentions.values())
    assert [(c.id, c.count) for c in report.silent_sections] == [("avec-lieu", 1), ("ebauche-sans-contact", 1)]
    assert report.silent_sections_total == 2
    assert [e.id for e in report.with_cost] == ["avec-lieu"]
    assert [e.id for e in report.with_contact] == ["avec-lieu", "en-route-pour-ma-sante-poitiers"]


def test_report_command_editing_text_and_json(edited, capsys):
    assert main(["--content", str(edited), "report"]) == 0
    out = capsys.readouterr().out
    assert ("Titres qui nomment un lieu : 1 sur 3 ; sans lieu (2) :\n"
            "  content/actions/ebauche-sans-contact.md — « Une ébauche »\n") in out
    assert "Sections « Non renseigné » : 2, dans 2 fiche(s) :\n  content/actions/avec-lieu.md — 1\n" in out
    assert "Fiches au coût connu (transfert.budget) : 1 sur 3\n  content/actions/avec-lieu.md\n" in out
    assert "Fiches avec un contact : 2 sur 3" in out
    assert main(["--content", str(edited), "report", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["with_place_in_title"] == 1 and data["silent_sections_total"] == 2
    assert data["title_places"][-1] == {"id": "avec-lieu", "path": "content/actions/avec-lieu.md",
                                        "title": "Une action à Niort", "place": "Niort"}
    assert [c["id"] for c in data["with_cost"]] == ["avec-lieu"] and len(data["with_contact"]) == 2
    assert data["source_mentions"][0]["id"] == "avec-lieu" and data["incomplete"]  # earlier keys kept


def test_broken_links_with_a_local_server(cards, example_text, server, capsys):
    add_card(cards, example_text, "liens.md", [
        ("titre: En route pour ma santé", "titre: Fiche avec des liens"),
        ("nom: Centre Communal d'Action Sociale (CCAS) de Poitiers", "nom: Porteur des liens"),
        ("## Ressources\n\n", f"## Ressources\n\n- [bon]({server}/ok)\n- [absent]({server}/absent)\n"
                              f"- <{server}/sans-head>\n- [redirigé]({server}/redirige)\n- [lent]({server}/lent)\n"
                              f"- [encore absent]({server}/absent)\n- [courriel](mailto:a@exemple.fr)\n"),
    ])
    assert main(["--content", str(cards), "report", "--links", "--json", "--timeout", "0.5"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["links_total"] == 5
    broken = {link["url"].removeprefix(server): link for link in report["broken_links"]}
    assert report["links_checked"] and set(broken) == {"/absent", "/lent"}
    assert broken["/absent"]["status"] == 404 and broken["/absent"]["reason"] == "erreur 404"
    assert len(broken["/absent"]["places"]) == 2 and broken["/absent"]["places"][0].startswith("content/actions/liens.md:")
    assert broken["/lent"]["status"] is None and "0.5 s" in broken["/lent"]["reason"]
    # HEAD first; GET only when HEAD fails; each address once.
    assert Handler.requests.count(("HEAD", "/ok")) == 1 and ("GET", "/ok") not in Handler.requests
    assert ("GET", "/sans-head") in Handler.requests
    assert ("HEAD", "/ok-cible") in Handler.requests and ("GET", "/redirige") not in Handler.requests
    assert Handler.requests.count(("HEAD", "/absent")) == 1
    line = int(broken["/absent"]["places"][0].rsplit(":", 1)[1])
    assert "/absent" in (cards / "actions" / "liens.md").read_text(encoding="utf-8").split("\n")[line - 1]


def test_external_hosts_are_unreachable_in_tests():
    assert check_url("https://www.exemple.fr/", timeout=1)[0] == "nom de domaine introuvable"


def test_refused_connection_and_concurrency_limit(server):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free = closed.getsockname()[1]
    urls = [f"{server}/lent?{i}" for i in range(4)] + [f"http://127.0.0.1:{free}/"]
    start = time.monotonic()
    results = check_urls(urls, timeout=5, workers=2)
    elapsed = time.monotonic() - start
    assert results[f"http://127.0.0.1:{free}/"][0] == "connexion refusée"
    assert all(results[u] == (None, 200) for u in urls[:4])
    assert elapsed >= 2 * 1.5 * 0.9, "au plus 2 requêtes à la fois : 4 réponses lentes prennent 2 tours"


def test_report_on_the_real_content_is_quick():
    from conftest import CONTENT

    catalog, _ = open_catalog(CONTENT)
    start = time.monotonic()
    report = editorial_report(catalog)
    assert time.monotonic() - start < 2 and report.total == len(catalog.cards)
