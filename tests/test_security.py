"""Security: hostile input (tests/data/hostile) is refused, neutralised or rendered harmless, in bounded time.

Each test drives the real command or function an attacker reaches (validate, build, from-issue, report,
search, the GitHub formatter). Browser checks of the built site live in tests/browser/test_security_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_validate
from essaim.model import links
from essaim.site.markup import render_markdown

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "data" / "hostile"
LINK_CASES = (HOSTILE / "liens.md").read_text(encoding="utf-8").split("\n=====\n")
HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]*)""", re.IGNORECASE)


def with_resources(example_text: str, extra: str) -> str:
    return example_text.rstrip("\n") + "\n- " + extra.strip("\n") + "\n"


# --- 1. links -------------------------------------------------------------------


@pytest.mark.parametrize("case", LINK_CASES, ids=range(len(LINK_CASES)))
def test_hostile_link_is_refused_by_the_validator_and_located(content, capsys, example_text, case):
    card = content / "actions" / "en-route-pour-ma-sante-poitiers.md"
    text = with_resources(example_text, case)
    card.write_text(text, encoding="utf-8")
    code, diagnostics = run_validate(content, capsys)
    found = [d for d in diagnostics if d["code"] == "lien-dangereux"]
    assert code == 1 and found, diagnostics
    first_line = text[: text.index("- [clic]")].count("\n") + 1
    assert first_line <= found[0]["line"] <= first_line + 4


@pytest.mark.parametrize("case", LINK_CASES, ids=range(len(LINK_CASES)))
def test_hostile_link_is_rendered_without_target(case):
    rendered = render_markdown("Texte.\n\n" + case + "\n")
    assert "clic" in rendered
    for href in HREF.findall(rendered):
        assert links.is_safe(href), rendered
    assert not re.search(r"javascript|vbscript|data:", rendered, re.IGNORECASE), rendered


@pytest.mark.parametrize("target, safe", [
    ("https://exemple.fr/a?b=1&amp;c=2", True), ("http://exemple.fr", True), ("mailto:a@exemple.fr", True),
    ("../guides/mediation.md#x", True), ("#ancre", True), ("page", True),
    ("tel:0102030405", False), ("javascript:x", False), ("java\nscript:x", False), ("\x00javascript:x", False),
    ("java&#x09;script:x", False), ("jav&#x61;script&colon;x", False), ("DATA:text/html,x", False),
    ("file:///etc/passwd", False), ("java\u200bscript:x", False),
])
def test_one_rule_decides_on_targets(target, safe):
    assert links.is_safe(target) is safe


def test_safe_links_still_render(example_text):
    rendered = render_markdown("[a](https://exemple.fr/?x=1&y=2) [b](mailto:a@exemple.fr) [c](../guides/g.md#s)")
    assert 'href="https://exemple.fr/?x=1&amp;y=2"' in rendered and 'href="mailto:a@exemple.fr"' in rendered
    assert 'href="../../guides/g/#s"' in rendered


def test_renderer_output_goes_through_the_sanitiser():
    """Even HTML the Markdown renderer would let through is cut by nh3 (defence in depth)."""
    from essaim.site.markup import sanitise

    dirty = '<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a><iframe></iframe></p>'
    clean = sanitise(dirty)
    assert "onclick" not in clean and "<script" not in clean and "javascript" not in clean and "iframe" not in clean


def test_from_issue_removes_links_split_across_lines():
    from essaim.editorial.proposal import clean_block

    for case in LINK_CASES:
        cleaned = clean_block("Avant.\n" + case + "\n[bon](https://exemple.fr)")
        assert all(links.scheme(found.target) in links.ALLOWED_SCHEMES for found in links.targets(cleaned)), cleaned
        assert "[bon](https://exemple.fr)" in cleaned


# --- 2. GitHub annotations ------------------------------------------------------------------


def test_github_annotations_cannot_be_forged_by_a_file_name(content, capsys, example_text):
    from essaim.cli.main import main

    name = "x\n::error file=faux.md,line=1::annotation forgée\n::stop-commands::jeton\r%0A,a:b.md"
    (content / "actions" / name).write_text(example_text, encoding="utf-8")
    code = main(["--content", str(content), "validate", "--format", "github"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 1 and lines
    assert all(re.match(r"::(error|warning) file=[^,:]*,line=\d+,col=\d+,title=[a-z-]+::", line) for line in lines), out
    assert not any(line.startswith("::stop-commands") for line in lines)
    assert "%0A%3A%3Aerror file=faux.md%2Cline=1%3A%3A" in out and "%0D%250A%2Ca%3Ab.md" in out


def test_github_message_escapes_percent_and_line_breaks():
    from essaim.text.diagnostics import Diagnostic

    annotation = Diagnostic("a.md", 1, 1, "code", "100 %\r\n::error::x", "un, deux: trois").as_github()
    assert annotation == "::error file=a.md,line=1,col=1,title=code::100 %25%0D%0A::error::x — conseil : un, deux: trois"


# --- 3. ids and files -------------------------------------------------------------------------

ESSAIM = [sys.executable, "-m", "essaim"]


def run_essaim(*args: str, budget: float, cwd: Path | None = None, stdin: str | None = None):
    """The real command in a child process, killed (and the test failed) past its time budget."""
    return subprocess.run([*ESSAIM, *args], capture_output=True, text=True, timeout=budget, cwd=cwd, input=stdin,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "tools")})


@pytest.mark.parametrize("bad_id", ["../../x", "/tmp/essaim-absolu", "a/b", "..", "x\ny", "É", "a" * 201])
def test_new_refuses_ids_that_are_not_plain_names(tmp_path, bad_id):
    content = tmp_path / "content"
    result = run_essaim("--content", str(content), "new", "--id", bad_id, "--no-input", "--titre", "Un titre", budget=20)
    assert result.returncode != 0 and "identifiant" in result.stderr and "refusé" in result.stderr
    assert not any(tmp_path.rglob("*.md")) and not Path("/tmp/essaim-absolu.md").exists()


def test_from_issue_refuses_a_path_as_id(content):
    from essaim.editorial.proposal import ProposalError, build_proposal

    sample = (ROOT / "tests" / "data" / "editorial" / "proposition-bus-sante.md").read_text(encoding="utf-8")
    for bad_id in ("../../x", "/tmp/x", "a" * 201):
        with pytest.raises(ProposalError, match="identifiant"):
            build_proposal(sample, content, card_id=bad_id)


@pytest.mark.parametrize("target, code", [("/dev/zero", "lien-symbolique"), ("../../../etc/passwd", "lien-symbolique"),
                                          (None, "fichier-special")])
def test_only_regular_files_are_read(content, target, code):
    path = content / "actions" / "zero.md"
    if target:
        path.symlink_to(target)
    else:
        os.mkfifo(path)
    result = run_essaim("--content", str(content), "validate", "--format", "json", budget=30, cwd=content.parent)
    found = [d for d in json.loads(result.stdout) if d["code"] == code]
    assert result.returncode == 1 and found and found[0]["path"].endswith("zero.md") and found[0]["hint"]



# --- 4. bounded work ---------------------------------------------------------------------------

SLOW_BODIES = {
    "crochets": ("[" * 15000, "crochets-trop-nombreux"),
    "liens-ouverts": ("[a](" * 20000, "crochets-trop-nombreux"),
    "espaces-apres-lien": ("[a](" + " " * 64000 + "x", "ligne-trop-longue"),
    "espaces-sur-plusieurs-lignes": ("[a](\n" + (" " * 9000 + "\n") * 7 + ")", None),
    "citations": ("> " * 200 + "x", "imbrication-profonde"),
    "listes-imbriquees": ("- " * 1000 + "x", "imbrication-profonde"),  # RecursionError in Python-Markdown
    "listes-en-retrait": ("".join("  " * i + "- x\n" for i in range(300)), "imbrication-profonde"),  # 1000: 19 s
    "corps-enorme": (("Une phrase ordinaire. " * 40 + "\n\n") * 130, "corps-trop-long"),
}


@pytest.mark.parametrize("name", SLOW_BODIES)
def test_validate_is_bounded_and_locates_the_excess(content, example_text, name):
    body, code = SLOW_BODIES[name]
    card = content / "actions" / "en-route-pour-ma-sante-poitiers.md"
    card.write_text(with_resources(example_text, body), encoding="utf-8")
    result = run_essaim("--content", str(content), "validate", "--format", "json", budget=15, cwd=content.parent)
    found = [d for d in json.loads(result.stdout or "[]") if d["code"] == code]
    if code is None:
        assert result.returncode in (0, 1)
        return
    resources_line = example_text.count("\n") + 1
    assert result.returncode == 1 and found and found[0]["hint"], result.stdout[:2000]
    assert found[0]["line"] >= resources_line


@pytest.mark.parametrize("name", SLOW_BODIES)
def test_renderer_is_bounded(name):
    import time

    body, _ = SLOW_BODIES[name]
    start = time.perf_counter()
    rendered = render_markdown("## Ressources\n\n" + body)
    assert time.perf_counter() - start < 2.0
    assert "<script" not in rendered


def test_from_issue_is_bounded_at_githubs_body_limit(content):
    sample = (ROOT / "tests" / "data" / "editorial" / "proposition-bus-sante.md").read_text(encoding="utf-8")
    for filler in ("[" * 60000, "[a](" + " " * 60000, "[a](" * 15000):
        hostile = sample.replace("### Résultats\n\n_No response_", "### Résultats\n\n" + filler, 1)
        assert len(hostile) > 60000
        result = run_essaim("--content", str(content), "from-issue", "--preview", "-", budget=20,
                            cwd=content.parent, stdin=hostile)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize("old, new, code", [
    ("nom: Centre Communal d'Action Sociale (CCAS) de Poitiers", "nom: " + "Porteur " * 40_000, "trop-long"),
    ("    - CPAM\n", "    - " + "Partenaire " * 30 + "\n", "trop-long"),
    ("titre: En route pour ma santé", "titre: En route pour ma " + "santé " * 60, "trop-long"),
    ("titre: En route pour ma santé", "titre: En route pour ma sant\u202eé", "caractere-invisible"),
    ("titre: En route pour ma santé", "titre: En route pour\u200b ma santé", "caractere-invisible"),
    ("nom: Centre Communal d'Action Sociale (CCAS) de Poitiers", "nom: Centre\u2066 Communal\u2069", "caractere-invisible"),
    ('mise_a_jour: "2022-12"', 'mise_a_jour: "0000"', "date-invalide"),
    ('mise_a_jour: "2022-12"', 'mise_a_jour: "2024-02-31"', "date-invalide"),
    ('mise_a_jour: "2022-12"', 'mise_a_jour: "２０２２-12"', "date-invalide"),
    ('mise_a_jour: "2022-12"', 'mise_a_jour: "9999-12"', "date-invalide"),
])
def test_front_matter_bounds_are_located_with_a_hint(content, capsys, example_text, old, new, code):
    assert old in example_text
    card = content / "actions" / "en-route-pour-ma-sante-poitiers.md"
    card.write_text(example_text.replace(old, new, 1), encoding="utf-8")
    exit_code, diagnostics = run_validate(content, capsys)
    found = [d for d in diagnostics if d["code"] == code]
    assert exit_code == 1 and found and found[0]["hint"], diagnostics
    assert found[0]["line"] == example_text[: example_text.index(old)].count("\n") + 1


@pytest.mark.parametrize("value", ["0000", "2024-02-31", "２０２２", "2022-13", "1899", "2022-1"])
def test_one_date_parser_refuses_what_outputs_cannot_read(value):
    from essaim.text import dates

    with pytest.raises(ValueError):
        dates.parse(value)


def test_report_and_pages_read_every_date_the_validator_accepts():
    from essaim.text import dates
    from essaim.editorial.report import last_day
    from essaim.site.pages import french_date

    for value in ("2022", "2022-12", "2024-02-29", "1900-01-01", "2100-12"):
        dates.parse(value)
        assert last_day(value).year == int(value[:4]) and value[:4] in french_date(value)
    assert french_date("2024-02-31") == "2024-02-31"  # never a crash, even on a date that bypassed validation


def test_search_is_bounded_per_word_and_never_writes(tmp_path):
    missing = tmp_path / "pas-d-index"
    result = run_essaim("search", "--index", str(missing), "a" * 10_000, budget=15, cwd=ROOT)
    assert result.returncode == 0 and not missing.exists(), result.stderr
    assert "0 résultat" in result.stdout


def test_disk_full_during_build_is_a_french_error_and_leaves_nothing_half_written(tmp_path, monkeypatch, capsys):
    import errno
    import shutil as shell

    from essaim.site.build import BuildError, build_site
    from essaim.pipeline.catalog import open_catalog

    shell.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    catalog, _ = open_catalog(ROOT / "content")
    catalog.cards = catalog.cards[:3]
    written = []
    real_write = Path.write_text

    def write_until_full(self, *args, **kwargs):
        if len(written) >= 20:
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        written.append(self)
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_until_full)
    with pytest.raises(BuildError, match="plus de place sur le disque") as raised:
        build_site(catalog, tmp_path / "mkdocs.yml")
    assert "conseil" in str(raised.value) and len(written) == 20
    assert not (tmp_path / "build" / "docs").exists() and not list((tmp_path / "build").glob("site-gen-*"))


# --- 5. data hygiene ---------------------------------------------------------------------------


def real_catalog():
    from essaim.pipeline.catalog import open_catalog

    catalog, _ = open_catalog(ROOT / "content")
    return catalog


@pytest.mark.parametrize("title", ['=HYPERLINK("http://exemple.fr";"Voir")', "+33 cmd|' /C calc'!A0", "-2+3",
                                   "@SUM(1+1)", "\tTabulation", "\rRetour"])
def test_csv_cells_never_start_like_a_formula(title):
    import csv
    import io

    from essaim.site import Site
    from essaim.site.exports import actions_csv

    catalog = real_catalog()
    card = catalog.cards[0]
    card.meta = card.meta.model_copy(update={"title": title})
    rows = list(csv.DictReader(io.StringIO(actions_csv(Site(catalog)), newline="")))
    row = next(r for r in rows if r["id"] == card.id)
    assert row["titre"] == "'" + title
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_no_phone_number_in_clear_in_any_page_or_export_unless_declared_public():
    from essaim.site import Site, site_files

    catalog = real_catalog()
    protected = {re.sub(r"\D", "", phone)[-9:] for card in catalog.cards for contact in card.meta.contacts
                 if not (contact.switchboard or contact.open_data) for phone in contact.phones}
    assert protected, "aucun numéro privé dans les fiches : le test ne vérifie rien"
    files = site_files(Site(catalog), ROOT)
    for path, text in files.items():
        digits = re.sub(r"[^0-9]", "", text)
        leaked = [number for number in protected if number in digits]
        assert not leaked, (path, leaked)
        if path.startswith("actions/"):
            assert "tel:" not in text, path


def test_a_public_switchboard_is_shown_and_a_private_number_is_revealed_on_request():
    from essaim.model.card import Contact
    from essaim.site.pages import contact_html

    private = contact_html(Contact.model_validate({"nom": "Jeanne Martin", "telephone": "06 12 34 56 78"}))
    public = contact_html(Contact.model_validate({"structure": "Mairie", "telephone": "05 49 52 35 35",
                                                  "standard_public": True}))
    assert "06 12" not in private and "0612" not in private and "tel:" not in private and 'data-tel="' in private
    assert "05 49 52 35 35" in public and 'href="tel:0549523535"' in public


@pytest.mark.parametrize("old, new, allowed", [
    ("## Objectifs\n", "## Objectifs\n\nÉcrire à nathalie.fazilleau@poitiers.fr.\n", True),  # exportable below
    ("## Objectifs\n", "## Objectifs\n\nÉcrire à jean.dupont@exemple.fr.\n", False),
    ("## Objectifs\n", "## Objectifs\n\nAppeler Mme Dupont au 06 12 34 56 78.\n", False),
    ("    - CPAM\n", "    - CPAM (contact au 06.12.34.56.78)\n", False),
    ("    - CPAM\n", "    - CPAM, camille@cpam-exemple.fr\n", False),
])
def test_contact_details_in_free_text_need_a_consenting_contact(content, capsys, example_text, old, new, allowed):
    text = example_text.replace(old, new, 1).replace("    telephone: 05 49 52 36 15\n",
                                                     "    telephone: 05 49 52 36 15\n    exportable: true\n", 1)
    assert "exportable: true" in text
    (content / "actions" / "en-route-pour-ma-sante-poitiers.md").write_text(text, encoding="utf-8")
    exit_code, diagnostics = run_validate(content, capsys)
    found = [d for d in diagnostics if d["code"] == "donnee-personnelle"]
    if allowed:
        assert not found, found
        return
    assert exit_code == 1 and len(found) == 1 and found[0]["hint"]
    assert found[0]["line"] == text[: text.index(new.strip("\n").split("\n")[-1])].count("\n") + 1
