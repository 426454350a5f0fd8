"""Hostile and broken input: never a traceback, always a located diagnostic.

A short run (150 examples per test) goes with every run of the suite; the long one (2,000 examples) is marked
`slow`: `pytest -m slow` runs it alone, `pytest -m "not slow"` leaves it out, the CI runs it with the rest.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE_CARD
from essaim.pipeline.validate import validate_files

EXAMPLE = EXAMPLE_CARD.read_text(encoding="utf-8")
SHORT, LONG = 150, 2000  # examples per test
YAML_BITS = ["---", ":", "- ", "[", "]", "{", "}", "&a", "*a", "!!python/object:os.system", "'", '"', "\t", "  ",
             "\n", "01", "2A", "null", "~", "é", "\u200b", "\ufeff", "<script>", "javascript:", "](", "##", "\r\n",
             "\x00", "%", "|", ">", "? ", "!!binary", "@", "`"]


def check_never_crashes(tmp_path, raw: bytes) -> None:
    path = tmp_path / "actions" / "fuzz.md"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(raw)
    validation = validate_files([(path, "card")])
    diagnostics = validation.diagnostics
    for d in diagnostics:
        assert d.line >= 1 and d.column >= 1 and d.code and d.message
    if not validation.checked:
        assert any(d.is_error for d in diagnostics), "a rejected file always says why"


def mutate(data: st.DataObject) -> str:
    text = EXAMPLE
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        bit = data.draw(st.sampled_from(YAML_BITS) | st.text(max_size=8))
        if action == "insert":
            text = text[:position] + bit + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + data.draw(st.integers(1, 40)):]
        else:
            text = text[:position] + bit + text[position + len(bit):]
    return text


def fuzzed(runs: int):
    """Hypothesis settings of a fuzz test: `runs` examples, no deadline (the machine may be busy)."""
    return settings(max_examples=runs, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def mutated_cards(runs: int):
    @fuzzed(runs)
    @given(data=st.data())
    def test(tmp_path, data):
        check_never_crashes(tmp_path, mutate(data).encode("utf-8", "surrogatepass"))
    return test


def random_bytes(runs: int):
    @fuzzed(runs)
    @given(raw=st.binary(max_size=2000)
           | st.text(max_size=2000).map(lambda t: ("---\n" + t).encode("utf-8", "surrogatepass")))
    def test(tmp_path, raw):
        check_never_crashes(tmp_path, raw)
    return test


test_mutated_cards_never_crash = mutated_cards(SHORT)
test_random_bytes_never_crash = random_bytes(SHORT)
test_mutated_cards_never_crash_long = pytest.mark.slow(mutated_cards(LONG))
test_random_bytes_never_crash_long = pytest.mark.slow(random_bytes(LONG))


def test_python_object_tags_are_refused(tmp_path):
    text = EXAMPLE.replace("titre: En route", "titre: !!python/object/apply:os.system ['echo pwned']\nautre: En route", 1)
    path = tmp_path / "actions" / "x.md"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    assert [d.code for d in validate_files([(path, "card")]).diagnostics] == ["yaml-valeur"]


def test_bom_crlf_and_nfd_are_accepted(tmp_path):
    import unicodedata

    text = "\ufeff" + unicodedata.normalize("NFD", EXAMPLE).replace("\n", "\r\n")
    path = tmp_path / "actions" / "x.md"
    path.parent.mkdir()
    path.write_bytes(text.encode("utf-8"))
    codes = [d.code for d in validate_files([(path, "card")]).diagnostics if d.is_error]
    assert codes == []


def test_zero_width_characters_in_codes_are_rejected(tmp_path):
    path = tmp_path / "actions" / "x.md"
    path.parent.mkdir()
    path.write_text(EXAMPLE.replace('departements: ["86"]', 'departements: ["8\u200b6"]'), encoding="utf-8")
    assert "code-inconnu" in [d.code for d in validate_files([(path, "card")]).diagnostics]


def test_a_100_megabyte_file_is_refused_without_being_read(tmp_path):
    path = tmp_path / "actions" / "enorme.md"
    path.parent.mkdir()
    with open(path, "wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)
    assert [d.code for d in validate_files([(path, "card")]).diagnostics] == ["fichier-trop-gros"]


def test_path_traversal_in_a_link_is_a_broken_link(tmp_path):
    card = tmp_path / "content" / "actions" / "x.md"
    card.parent.mkdir(parents=True)
    card.write_text(EXAMPLE.replace("## Objectifs\n", "## Objectifs\n\n[voir](../../../etc/passwd.md)\n", 1),
                    encoding="utf-8")
    codes = [d.code for d in validate_files([(card, "card")]).diagnostics]
    assert "lien-casse" in codes
