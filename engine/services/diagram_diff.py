"""Compare two BPMN diagrams element by element, matched by their ids.

An element here is a BPMN node with an id, other than the document itself and the event
definitions. What an element contains counts as part of that element: its event
definition and timer expression, its loop characteristics, its condition, its documentation
and its Camunda extensions. The layout (BPMN DI) is not compared, so moving a shape is no
change.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from engine.runtime.parser import CAMUNDA, element_properties
from engine.runtime.validation import B
from engine.runtime.xml import parse_xml

# Child nodes that a diff reads elsewhere (flows, properties) or that only wrap others.
_SKIPPED_CHILDREN = {B + "incoming", B + "outgoing", B + "extensionElements",
                     CAMUNDA + "properties", CAMUNDA + "property"}
# Child nodes whose presence alone changes what the element does, even without attributes.
_DEFINITION_SUFFIXES = ("EventDefinition", "LoopCharacteristics")


def _short_name(qualified: str) -> str:
    if qualified.startswith(CAMUNDA):
        return "camunda:" + qualified[len(CAMUNDA):]
    return etree.QName(qualified).localname


def _is_element(node: etree._Element) -> bool:
    """Return whether a node is an element of its own in a diff: a BPMN element with an id, other
    than the document and the event definitions, which belong to their event."""
    return (isinstance(node.tag, str) and node.tag.startswith(B) and bool(node.get("id"))
            and node.tag != B + "definitions" and not node.tag.endswith("EventDefinition"))


def _owner(node: etree._Element) -> etree._Element | None:
    parent = node.getparent()
    while parent is not None and not _is_element(parent):
        parent = parent.getparent()
    return parent


def _is_part(node: etree._Element) -> bool:
    """Return whether a node is compared as part of the element that contains it."""
    if not isinstance(node.tag, str) or _is_element(node) or node.tag in _SKIPPED_CHILDREN:
        return False
    return node.tag.startswith(B) or node.tag.startswith(CAMUNDA)


def _part_label(node: etree._Element) -> str:
    """Name a part by its tag, and a named Camunda part (an input parameter, a field) also by
    its name, so two parameters of one task stay apart."""
    label = _short_name(node.tag)
    if node.tag.startswith(CAMUNDA) and node.get("name"):
        label += f"[{node.get('name')}]"
    return label


def _new_facts(node: etree._Element) -> dict[str, Any]:
    return {
        "id": str(node.get("id")), "type": node.tag[len(B):],
        "name": (node.get("name") or "").strip(),
        "attributes": {_short_name(name): value for name, value in node.attrib.items()
                       if name not in ("id", "name")},
        "properties": element_properties(node), "content": {}, "definitions": [],
        "incoming": [], "outgoing": []}


def _add_part(facts: dict[str, Any], node: etree._Element) -> None:
    """Record a part's text, attributes and, for event definitions and loops, its kind."""
    label = _part_label(node)
    local = etree.QName(node).localname
    if node.tag.startswith(B) and local.endswith(_DEFINITION_SUFFIXES):
        facts["definitions"].append(local)
    for name, value in node.attrib.items():
        if name not in ("id", "name"):
            facts["attributes"][f"{label}.{_short_name(name)}"] = value
    text = " ".join((node.text or "").split())
    if text:
        content = facts["content"]
        content[label] = f"{content[label]}, {text}" if label in content else text


def element_facts(root: etree._Element) -> dict[str, dict[str, Any]]:
    """Map the BPMN elements of a diagram by id to what a diff compares."""
    elements: dict[str, dict[str, Any]] = {}
    flows: dict[str, tuple[str | None, str | None]] = {}
    for node in root.iter():
        if not _is_element(node):
            continue
        elements[str(node.get("id"))] = _new_facts(node)
        if node.tag == B + "sequenceFlow":
            flows[str(node.get("id"))] = (node.get("sourceRef"), node.get("targetRef"))
    for node in root.iter():
        if not _is_part(node):
            continue
        owner = _owner(node)
        if owner is not None:
            _add_part(elements[str(owner.get("id"))], node)
    for flow_id, (source, target) in flows.items():
        if source in elements:
            elements[source]["outgoing"].append(flow_id)
        if target in elements:
            elements[target]["incoming"].append(flow_id)
    return elements


def _mapping_changes(prefix: str, before: dict[str, Any], after: dict[str, Any]
                     ) -> list[dict[str, Any]]:
    return [{"field": f"{prefix}{name}", "before": before.get(name), "after": after.get(name)}
            for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]


def _element_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for name in ("type", "name"):
        if old[name] != new[name]:
            changes.append({"field": name, "before": old[name], "after": new[name]})
    changes += _mapping_changes("attribute:", old["attributes"], new["attributes"])
    changes += _mapping_changes("property:", old["properties"], new["properties"])
    changes += _mapping_changes("content:", old["content"], new["content"])
    for name in ("definitions", "incoming", "outgoing"):
        if sorted(old[name]) != sorted(new[name]):
            changes.append({"field": name, "before": sorted(old[name]),
                            "after": sorted(new[name])})
    return changes


def diff_diagrams(before_xml: str | bytes, after_xml: str | bytes) -> dict[str, Any]:
    """Compare two diagrams element by element (by id): the elements added, removed and
    changed, each changed one with its changed fields before and after."""
    # Both were deployed, so they passed the size limit then. The parser's limit counts bytes,
    # and æ, ø and å take two each in UTF-8, so the limit is set from the encoded length.
    before_bytes = before_xml.encode("utf-8") if isinstance(before_xml, str) else before_xml
    after_bytes = after_xml.encode("utf-8") if isinstance(after_xml, str) else after_xml
    limit = max(len(before_bytes), len(after_bytes)) + 1
    before = element_facts(parse_xml(before_bytes, "a.bpmn", limit))
    after = element_facts(parse_xml(after_bytes, "b.bpmn", limit))

    def summary(item: dict[str, Any]) -> dict[str, Any]:
        return {"id": item["id"], "type": item["type"], "name": item["name"]}

    changed = []
    for element_id in sorted(set(before) & set(after)):
        changes = _element_changes(before[element_id], after[element_id])
        if changes:
            changed.append({**summary(after[element_id]), "changes": changes})
    return {"added": [summary(after[i]) for i in sorted(set(after) - set(before))],
            "removed": [summary(before[i]) for i in sorted(set(before) - set(after))],
            "changed": changed}
