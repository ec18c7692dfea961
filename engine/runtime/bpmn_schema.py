"""Validation of a BPMN file against the OMG BPMN 2.0 XML schema.

The schema files are the ones SpiffWorkflow ships (BPMN20.xsd with its imports). The modeler
reports violations as warnings, not errors: SpiffWorkflow and Camunda run files whose child
elements are out of the schema's order, and a file from another tool should not be refused
for that alone. Everything else the engine cannot run is an error of its own check.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import SpiffWorkflow.bpmn.parser as spiff_parser
from lxml import etree

from engine.i18n import gettext as _

log = logging.getLogger(__name__)

XSD_PATH = Path(spiff_parser.__file__).parent / "schema" / "BPMN20.xsd"
# A file that breaks the schema everywhere would bury the modeler's problem list.
MAX_PROBLEMS = 50

_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([\w.-]+)'")
_ATTRIBUTE = re.compile(r"attribute '(?:\{[^}]*\})?([\w.-]+)'")
_VALUE = re.compile(r"The value '([^']*)'|'([^']*)' is not a valid value")
_EXPECTED = re.compile(r"Expected is(?: one of)? \( ?(.*?) ?\)")
_QUALIFIED = re.compile(r"\{[^}]*\}")

# lxml's XMLSchema keeps its error log on the object, so one validation runs at a time.
_lock = threading.Lock()


@dataclass(frozen=True)
class SchemaProblem:
    """One schema violation: the line, the id of the element or its nearest ancestor with
    one, the bokmål message, and libxml2's English text for the log."""

    line: int | None
    element_id: str | None
    message: str
    detail: str


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.parse(str(XSD_PATH), parser))


def schema_problems(root: etree._Element) -> list[SchemaProblem]:
    """Validate the parsed BPMN document against the BPMN 2.0 schema; return at most
    MAX_PROBLEMS violations in document order."""
    schema = _schema()
    with _lock:
        if schema.validate(root.getroottree()):
            return []
        entries = list(schema.error_log)
    problems = []
    for entry in entries[:MAX_PROBLEMS]:
        node = _node_at(root, entry.line, _first(_ELEMENT, entry.message))
        problems.append(SchemaProblem(entry.line or None, _nearest_id(node),
                                      _message(entry, node), entry.message))
    if len(entries) > MAX_PROBLEMS:
        log.info("bpmn schema problems truncated shown=%s total=%s", MAX_PROBLEMS,
                 len(entries))
    return problems


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    if match is None:
        return None
    return next((group for group in match.groups() if group is not None), None)


def _node_at(root: etree._Element, line: int, local_name: str | None) -> etree._Element | None:
    """Return the element the entry is about: on its line, with its name where known."""
    fallback = None
    for node in root.iter(etree.Element):
        if node.sourceline != line:
            continue
        if local_name is None or etree.QName(node).localname == local_name:
            return node
        fallback = fallback if fallback is not None else node
    return fallback


def _nearest_id(node: etree._Element | None) -> str | None:
    while node is not None:
        if node.get("id"):
            return node.get("id")
        node = node.getparent()
    return None


def _message(entry: etree._LogEntry, node: etree._Element | None) -> str:
    """Word the violation in bokmål with what to do about it."""
    text = entry.message
    element = _first(_ELEMENT, text) or "?"
    parent = node.getparent() if node is not None else None
    parent_name = etree.QName(parent).localname if parent is not None else element
    attribute = _first(_ATTRIBUTE, text)
    line = entry.line

    if "This element is not expected" in text:
        expected = _first(_EXPECTED, text)
        return _("Line %(line)s: «%(element)s» is not allowed at this place in "
                 "«%(parent)s» by the BPMN 2.0 schema (expected here: %(expected)s). The "
                 "schema fixes the order of child elements, with documentation first and "
                 "extensionElements second. Move the element, or save the file from the "
                 "modeler, which writes them in that order.", line=line, element=element,
                 parent=parent_name, expected=_QUALIFIED.sub("", expected or "") or "–")
    if "Missing child element" in text:
        expected = _first(_EXPECTED, text)
        return _("Line %(line)s: «%(element)s» lacks a child element that the BPMN 2.0 "
                 "schema requires (%(expected)s). Add it in the modeler.", line=line,
                 element=element, expected=_QUALIFIED.sub("", expected or "") or "–")
    if attribute and "is not allowed" in text:
        return _("Line %(line)s: the attribute «%(attribute)s» is not part of «%(element)s» "
                 "in the BPMN 2.0 schema. Remove it, or give a vendor attribute its own "
                 "namespace, as camunda: attributes have.", line=line, attribute=attribute,
                 element=element)
    if attribute and "is required but missing" in text:
        return _("Line %(line)s: «%(element)s» lacks the attribute «%(attribute)s», which "
                 "the BPMN 2.0 schema requires. Set it in the properties panel.", line=line,
                 element=element, attribute=attribute)
    if attribute:
        return _("Line %(line)s: the value %(value)s of «%(attribute)s» on «%(element)s» is "
                 "not valid in the BPMN 2.0 schema. Correct the value in the properties "
                 "panel.", line=line, value=repr(_first(_VALUE, text) or ""),
                 attribute=attribute, element=element)
    return _("Line %(line)s: «%(element)s» does not follow the BPMN 2.0 schema. Open the "
             "file in the modeler and save it again, or correct the element by hand.",
             line=line, element=element)
