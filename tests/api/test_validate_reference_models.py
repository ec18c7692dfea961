"""POST /api/v1/definitions/validate on the OMG MIWG reference models (tests/data/miwg): each
gets a 200 answer whose every finding names an element of the file, in bokmål."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from lxml import etree

from engine.engine import ProcessEngine
from engine.i18n import use_locale

ROOT = Path(__file__).resolve().parents[2]
MIWG = sorted((ROOT / "tests" / "data" / "miwg").glob("*.bpmn"))
# Texts that only an untranslated exception message would put into a finding.
ENGLISH_LEAKS = ("invalid syntax", "Traceback", "Error:", "(line ", "is not allowed", "unexpected")


def file_ids(path: Path) -> set[str]:
    return {str(value) for value in etree.parse(str(path)).xpath("//@id")}


@pytest.mark.parametrize("path", MIWG, ids=[path.stem for path in MIWG])
def test_reference_model_validates(app: Flask, demo_engine: ProcessEngine, path: Path,
                                   token_headers: Callable[..., dict[str, str]]) -> None:
    xml = path.read_text(encoding="utf-8")

    response = app.test_client().post("/api/v1/definitions/validate", json={"bpmn_xml": xml},
                                      headers=token_headers("definitions:write"))

    assert response.status_code == 200
    body = response.get_json()
    findings = body["errors"] + body["warnings"]
    assert body["errors"] or body["valid"]
    ids = file_ids(path)
    for finding in findings:
        assert finding["element_id"] in ids, finding
        assert not any(leak in finding["message"] for leak in ENGLISH_LEAKS), finding
    with use_locale("en"):
        english = demo_engine.drafts.validate(xml).to_dict()
    for bokmal, other in zip(findings, english["errors"] + english["warnings"], strict=True):
        assert bokmal["message"] != other["message"], bokmal
