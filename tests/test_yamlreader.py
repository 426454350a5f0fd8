import pytest

from essaim.text.yamlreader import YamlProblem, compose, load_data


def read(text):
    return load_data(text)


def test_codes_and_dates_stay_as_written():
    data = read("a: 01\nb: 010\nc: 01000\nd: 08\ne: 2A\nf: 2026-11-05\ng: 2026-13-01\nh: no\ni: yes\n")
    assert data == {"a": "01", "b": "010", "c": "01000", "d": "08", "e": "2A",
                    "f": "2026-11-05", "g": "2026-13-01", "h": "no", "i": "yes"}


def test_yaml_12_booleans_integers_and_null():
    assert read("a: true\nb: false\nc: 2013\nd: null\ne: ~\nf:\n") == {
        "a": True, "b": False, "c": 2013, "d": None, "e": None, "f": None}


def test_alias_bomb_is_refused_before_expansion():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    with pytest.raises(YamlProblem) as caught:
        read("\n".join(lines))
    assert caught.value.code == "yaml-alias"
    assert (caught.value.line, caught.value.column) == (1, 7)  # at the first alias, *a


def test_duplicate_key_is_located():
    with pytest.raises(YamlProblem) as caught:
        read("titre: a\nresume: b\ntitre: c\n")
    assert (caught.value.code, caught.value.line, caught.value.column) == ("cle-dupliquee", 2, 0)


def test_syntax_error_is_located():
    with pytest.raises(YamlProblem) as caught:
        compose("titre: a\nthemes: [x, y\nresume: b\n")
    assert caught.value.code == "yaml-syntaxe"
    assert caught.value.line in (2, 3)
