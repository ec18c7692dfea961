"""The changes between two process versions as rows a person can read.

engine.services.diagram_diff names a changed setting by its place in the BPMN XML
("attribute:camunda:candidateGroups", "content:timeDuration"). The rows here give it a label
in the user's language, keep the technical name next to it and write lists and missing
values as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext

ELEMENT_TYPES = {
    "boundaryEvent": lazy_gettext("Boundary event"),
    "callActivity": lazy_gettext("Call activity"),
    "collaboration": lazy_gettext("Collaboration"),
    "endEvent": lazy_gettext("End event"),
    "eventBasedGateway": lazy_gettext("Event-based gateway"),
    "exclusiveGateway": lazy_gettext("Exclusive gateway"),
    "inclusiveGateway": lazy_gettext("Inclusive gateway"),
    "intermediateCatchEvent": lazy_gettext("Intermediate Catch Event"),
    "intermediateThrowEvent": lazy_gettext("Intermediate throw event"),
    "lane": lazy_gettext("Lane"),
    "laneSet": lazy_gettext("Lane set"),
    "message": lazy_gettext("Message"),
    "parallelGateway": lazy_gettext("Parallel gateway"),
    "participant": lazy_gettext("Participant"),
    "process": lazy_gettext("Process"),
    "scriptTask": lazy_gettext("Script task"),
    "sequenceFlow": lazy_gettext("Sequence flow"),
    "serviceTask": lazy_gettext("Service task"),
    "startEvent": lazy_gettext("Start event"),
    "subProcess": lazy_gettext("Sub Process"),
    "task": lazy_gettext("Task"),
    "textAnnotation": lazy_gettext("Text Annotation"),
    "userTask": lazy_gettext("User task"),
}

FIELD_LABELS = {
    "type": lazy_gettext("Element type"),
    "name": lazy_gettext("Name"),
    "definitions": lazy_gettext("Event definition or loop"),
    "incoming": lazy_gettext("Incoming flows"),
    "outgoing": lazy_gettext("Outgoing flows"),
    "attribute:camunda:assignee": lazy_gettext("Assignee"),
    "attribute:camunda:candidateGroups": lazy_gettext("Candidate groups"),
    "attribute:camunda:candidateUsers": lazy_gettext("Candidate users"),
    "attribute:camunda:formRef": lazy_gettext("Form"),
    "attribute:camunda:topic": lazy_gettext("Handler topic"),
    "attribute:camunda:dueDate": lazy_gettext("Due date"),
    "attribute:camunda:priority": lazy_gettext("Priority"),
    "attribute:sourceRef": lazy_gettext("From element"),
    "attribute:targetRef": lazy_gettext("To element"),
    "attribute:default": lazy_gettext("Default flow"),
    "attribute:attachedToRef": lazy_gettext("Attached to"),
    "attribute:cancelActivity": lazy_gettext("Interrupts the task"),
    "attribute:messageEventDefinition.messageRef": lazy_gettext("Message"),
    "attribute:multiInstanceLoopCharacteristics.camunda:collection": lazy_gettext("Collection"),
    "attribute:multiInstanceLoopCharacteristics.camunda:elementVariable":
        lazy_gettext("Element variable"),
    "attribute:multiInstanceLoopCharacteristics.isSequential": lazy_gettext("One at a time"),
    "content:documentation": lazy_gettext("Documentation"),
    "content:conditionExpression": lazy_gettext("Condition"),
    "content:timeDate": lazy_gettext("Timer date"),
    "content:timeDuration": lazy_gettext("Timer duration"),
    "content:timeCycle": lazy_gettext("Timer cycle"),
    "content:flowNodeRef": lazy_gettext("Elements in the lane"),
    "content:script": lazy_gettext("Script"),
}

KINDS = {"added": lazy_gettext("Added"), "removed": lazy_gettext("Removed"),
         "changed": lazy_gettext("Changed")}


@dataclass(frozen=True)
class FieldChange:
    label: str
    technical_name: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeRow:
    """One element that the newer version adds, removes or changes."""

    element_id: str
    name: str
    type_label: str
    kind: str
    kind_label: str
    fields: list[FieldChange] = field(default_factory=list)


def field_label(name: str) -> str:
    """Return the label of a changed setting; unknown settings get a label by their group."""
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    group, _sep, rest = name.partition(":")
    if group == "property":
        return _("Property %(name)s", name=rest)
    if group == "attribute":
        return _("Attribute %(name)s", name=rest)
    if group == "content":
        return _("Content %(name)s", name=rest)
    return name


def type_label(element_type: str) -> str:
    label = ELEMENT_TYPES.get(element_type)
    return str(label) if label is not None else element_type


def value_text(value: Any) -> str:
    """Write a setting's value as text: a list joined by commas, a missing value as a dash."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _technical_name(name: str) -> str:
    return name.partition(":")[2] if ":" in name else name


def change_rows(diff: dict[str, Any]) -> list[ChangeRow]:
    """Return the diff's elements in the order removed, changed, added, each by name."""
    rows = []
    for kind in ("removed", "changed", "added"):
        for item in diff[kind]:
            fields = [FieldChange(field_label(change["field"]),
                                  _technical_name(change["field"]),
                                  value_text(change["before"]), value_text(change["after"]))
                      for change in item.get("changes", [])]
            rows.append(ChangeRow(item["id"], item["name"], type_label(item["type"]), kind,
                                  str(KINDS[kind]), fields))
    return rows

