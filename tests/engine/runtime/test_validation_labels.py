from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

from engine.i18n import use_locale
from engine.runtime.validation import check_document

ROOT = Path(__file__).resolve().parents[3]
PANEL_TEXTS = ROOT / "engine/web/assets/modeler/nb.json"
CATALOG = ROOT / "engine/translations/nb/LC_MESSAGES/messages.po"

NOT_EXECUTABLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="false"/>
</bpmn:definitions>"""


def test_executable_finding_names_panel_label() -> None:
    with use_locale("nb"):
        problems, _facts = check_document(etree.fromstring(NOT_EXECUTABLE), "p.bpmn",
                                          lambda *args: None)
    assert any("«Kjørbar»" in problem.text for problem in problems)


def test_no_english_panel_label_in_bokmal() -> None:
    panel = json.loads(PANEL_TEXTS.read_text(encoding="utf-8"))
    quoted = re.findall(r"«([^»]+)»", CATALOG.read_text(encoding="utf-8"))
    english = sorted({label for label in quoted if label in panel and panel[label] != label})
    assert english == []
