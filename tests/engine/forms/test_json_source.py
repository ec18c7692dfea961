from __future__ import annotations

import json

import pytest

from engine.errors import DefinitionInvalid
from engine.forms.json_source import json_error_text, object_offsets, property_line
from engine.forms.model import parse_form
from engine.i18n import use_locale

BROKEN = [
    ('{"a": 1\n "b": 2}', "komma mangler"),
    ('{"a": }', "verdi mangler"),
    ('{"a": 1,}', "doble anførselstegn"),
    ('{"a": "tekst}', "avsluttende"),
    ('{"a": "linje\nskift"}', "linjeskift"),
    ('{"a": "\\q"}', "omvendt skråstrek"),
    ('{"a": 1} x', "etter slutten"),
]


def decode_error(text: str) -> json.JSONDecodeError:
    with pytest.raises(json.JSONDecodeError) as raised:
        json.loads(text)
    return raised.value


@pytest.mark.parametrize(("text", "words"), BROKEN)
def test_decoder_reason_in_bokmal(text: str, words: str) -> None:
    with use_locale("nb"):
        assert words in json_error_text(decode_error(text))


def test_reason_names_the_column() -> None:
    with use_locale("nb"):
        assert "kolonne 7" in json_error_text(decode_error('{"a": }'))


def test_unknown_reason_gets_generic_text() -> None:
    error = json.JSONDecodeError("Something new", '{"a"', 3)
    with use_locale("nb"):
        text = json_error_text(error)
    assert "Something new" not in text
    assert "JSON" in text


def test_upload_shows_no_english_reason() -> None:
    with use_locale("nb"), pytest.raises(DefinitionInvalid) as raised:
        parse_form('{\n  "id": "x",\n  "components": [,]\n}', "broken.form")
    assert "Expecting" not in raised.value.problems[0].text


def test_property_line_finds_the_key() -> None:
    text = '{"components": [\n  {"key": "a"},\n  {"type": "textfield",\n   "key": "{b}"}\n]}'
    document = json.loads(text)
    component = document["components"][1]
    start = object_offsets(text, document)[id(component)]
    assert property_line(text, component, start) == 4


def test_property_line_skips_earlier_twin() -> None:
    text = '{"components": [\n  {"id": "a"},\n  {"id": "a"}\n]}'
    document = json.loads(text)
    component = document["components"][1]
    start = object_offsets(text, document)[id(component)]
    assert property_line(text, component, start) == 3


def test_offsets_empty_on_duplicate_name() -> None:
    text = '{"a": {"x": 1}, "a": {"y": 2}}'
    assert object_offsets(text, json.loads(text)) == {}
