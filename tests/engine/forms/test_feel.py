from __future__ import annotations

from decimal import Decimal

import pytest

from engine.forms.feel import FeelSyntaxError, parse_condition
from engine.i18n import use_locale


def evaluate(source: str, **scope: object) -> object:
    return parse_condition(source).evaluate(scope)


@pytest.mark.parametrize(("source", "scope", "expected"), [
    ('=kind = "personvern"', {"kind": "personvern"}, True),
    ('=kind = "personvern"', {"kind": "annet"}, False),
    ('=kind != "personvern"', {"kind": "annet"}, True),
    ("=x > 3", {"x": 4}, True),
    ("=x > 3", {"x": 3}, False),
    ("=x >= 3", {"x": 3}, True),
    ("=x < 2.5", {"x": 2}, True),
    ("=x <= 2", {"x": 2.0}, True),
    ("=flag", {"flag": True}, True),
    ("=not(flag)", {"flag": False}, True),
    ("=a and b", {"a": True, "b": True}, True),
    ("=a and b", {"a": True, "b": False}, False),
    ("=a or b", {"a": False, "b": True}, True),
    ("=(a or b) and not(c)", {"a": True, "b": False, "c": False}, True),
    ("=sak.status = \"ny\"", {"sak": {"status": "ny"}}, True),
    ("=x in [1, 2, 3]", {"x": 2}, True),
    ("=x in [1, 2, 3]", {"x": 5}, False),
    ('=list contains(vedlegg, "dpia")', {"vedlegg": ["dpia", "ros"]}, True),
    ('=list contains(vedlegg, "dpia")', {"vedlegg": ["ros"]}, False),
    ('=contains(tittel, "brann")', {"tittel": "brannalarm"}, True),
    ('=starts with(kode, "A")', {"kode": "A12"}, True),
    ("=string length(tekst) > 3", {"tekst": "abcd"}, True),
    ("=count(rader) = 2", {"rader": [{}, {}]}, True),
    ("=is empty(rader)", {"rader": []}, True),
    ("=is defined(x)", {"x": 0}, True),
    ("=0.1 + 0.2 = 0.3", {}, True),
    ("=antall * pris > 1000", {"antall": 3, "pris": 400}, True),
    ("=-x < 0", {"x": 1}, True),
    ("=x = null", {}, True),
    ("=true", {}, True),
    ('=upper case(k) = "AB"', {"k": "ab"}, True),
])
def test_condition_evaluates(source: str, scope: dict[str, object], expected: bool) -> None:
    assert parse_condition(source).is_true(scope) is expected


def test_missing_name_is_null() -> None:
    assert evaluate("=missing") is None


def test_comparison_of_mismatched_types_is_null() -> None:
    assert evaluate('=x = "1"', x=1) is None


def test_ordering_with_null_is_null() -> None:
    assert evaluate("=x > 3", x=None) is None


def test_null_condition_is_not_true() -> None:
    assert parse_condition("=x > 3").is_true({}) is False


def test_and_with_null_and_false_is_false() -> None:
    assert evaluate("=x > 3 and false") is False


def test_or_with_null_and_true_is_true() -> None:
    assert evaluate("=x > 3 or true") is True


def test_not_of_non_boolean_is_null() -> None:
    assert evaluate("=not(x)", x="ja") is None


def test_division_by_zero_is_null() -> None:
    assert evaluate("=x / 0", x=1) is None


def test_path_through_list_projects_each_item() -> None:
    assert evaluate("=rader.frist", rader=[{"frist": "a"}, {"frist": "b"}]) == ["a", "b"]


def test_number_literals_are_decimals() -> None:
    assert evaluate("=1.5") == Decimal("1.5")


def test_string_escapes_are_read() -> None:
    assert evaluate('="a\\"b"') == 'a"b'


def test_boolean_is_not_a_number() -> None:
    assert evaluate("=flag = 1", flag=True) is None


def test_source_is_kept() -> None:
    assert parse_condition('=kind = "x"').source == '=kind = "x"'


@pytest.mark.parametrize("source", [
    "kind = 1",
    "=",
    "=x ==",
    "=a b",
    "=x[1]",
    '="open',
    '=date("2027-01-01") > x',
    '=__import__("os")',
    "=not(a, b)",
    "=x ; y",
    "=if x then 1 else 2",
    "=(x > 1",
    '="\\q"',
])
def test_unsupported_syntax_is_rejected(source: str) -> None:
    with pytest.raises(FeelSyntaxError):
        parse_condition(source)


def test_syntax_error_names_the_position() -> None:
    with pytest.raises(FeelSyntaxError) as raised:
        parse_condition("=a b")
    assert "posisjon 4" in str(raised.value)


def test_syntax_error_is_in_bokmal_by_default() -> None:
    with pytest.raises(FeelSyntaxError) as raised:
        parse_condition("=a b")
    assert "uventet" in str(raised.value)


def test_syntax_error_is_in_english_under_en() -> None:
    with use_locale("en"), pytest.raises(FeelSyntaxError) as raised:
        parse_condition("=a b")
    assert "unexpected" in str(raised.value)
