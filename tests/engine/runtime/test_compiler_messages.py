from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import DefinitionInvalid
from engine.i18n import use_locale
from engine.runtime import compiler

ROOT = Path(__file__).resolve().parents[3]


def raise_type_error(*args: object, **kwargs: object) -> None:
    raise TypeError("unhashable type: 'list'")


def test_library_error_stays_out_of_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiler.SloyfeParser, "get_spec", raise_type_error)
    xml = (ROOT / "bpmn" / "avvik.bpmn").read_bytes()

    with use_locale("nb"), pytest.raises(DefinitionInvalid) as raised:
        compiler.compile_bpmn(xml, "avvik.bpmn", max_bytes=10_000_000,
                              check_expression=lambda *args: None)

    text = raised.value.problems[0].text
    assert "unhashable" not in text
    assert "kunne ikke leses" in text
