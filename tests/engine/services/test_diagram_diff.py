"""The diff of two diagrams names each changed setting of an element: assignment, forms,
timers, conditions, documentation, messages, loops and Camunda extensions."""

from __future__ import annotations

from typing import Any

import pytest

from engine.services.diagram_diff import diff_diagrams

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
          'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">\n'
          '<bpmn:message id="melding_a" name="a" />\n<bpmn:message id="melding_b" name="b" />\n')

BODY = """<bpmn:startEvent id="start" />
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="oppgave" />
<bpmn:userTask id="oppgave" name="Vurder" camunda:assignee="{assignee}"
    camunda:candidateGroups="{groups}" camunda:formRef="{form}">
  <bpmn:documentation>{documentation}</bpmn:documentation>
  <bpmn:extensionElements><camunda:inputOutput>
    <camunda:inputParameter name="frist">{parameter}</camunda:inputParameter>
  </camunda:inputOutput></bpmn:extensionElements>
  <bpmn:multiInstanceLoopCharacteristics camunda:collection="{collection}"
      camunda:elementVariable="punkt" />
</bpmn:userTask>
<bpmn:boundaryEvent id="frist" attachedToRef="oppgave">
  <bpmn:timerEventDefinition id="tidtaker">
    <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{timer}</bpmn:timeDuration>
  </bpmn:timerEventDefinition>
</bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f2" sourceRef="oppgave" targetRef="port" />
<bpmn:exclusiveGateway id="port" default="f4" />
<bpmn:sequenceFlow id="f3" sourceRef="port" targetRef="vent">
  <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f4" sourceRef="port" targetRef="slutt" />
<bpmn:intermediateCatchEvent id="vent">
  <bpmn:messageEventDefinition id="venter" messageRef="{message}" />
</bpmn:intermediateCatchEvent>
<bpmn:sequenceFlow id="f5" sourceRef="vent" targetRef="slutt" />
<bpmn:endEvent id="slutt">{end}</bpmn:endEvent>"""

SETTINGS = {"assignee": "lise.leder", "groups": "personvernombud", "form": "vurdering",
            "documentation": "Vurder saken.", "parameter": "P5D", "collection": "punkter",
            "timer": "P3D", "condition": 'valg == "ja"', "message": "melding_a", "end": ""}


def diagram(**changed: str) -> str:
    body = BODY.format(**{**SETTINGS, **changed})
    return HEADER + f'<bpmn:process id="p" isExecutable="true">\n{body}\n</bpmn:process>\n' \
        '</bpmn:definitions>\n'


def changes_of(element_id: str, **changed: str) -> list[dict[str, Any]]:
    diff = diff_diagrams(diagram(), diagram(**changed))
    return [item["changes"] for item in diff["changed"] if item["id"] == element_id][0]


@pytest.mark.parametrize(("setting", "value", "element_id", "field"), [
    ("assignee", "ola.ansatt", "oppgave", "attribute:camunda:assignee"),
    ("groups", "okonomi", "oppgave", "attribute:camunda:candidateGroups"),
    ("form", "vurdering-2", "oppgave", "attribute:camunda:formRef"),
    ("documentation", "Vurder saken grundig.", "oppgave", "content:documentation"),
    ("timer", "P5D", "frist", "content:timeDuration"),
    ("condition", 'valg == "nei"', "f3", "content:conditionExpression"),
])
def test_diff_names_changed_setting(setting: str, value: str, element_id: str,
                                    field: str) -> None:
    changes = changes_of(element_id, **{setting: value})

    assert [change["field"] for change in changes] == [field]


def test_diff_names_changed_message() -> None:
    changes = changes_of("vent", message="melding_b")

    assert changes == [{"field": "attribute:messageEventDefinition.messageRef",
                        "before": "melding_a", "after": "melding_b"}]


def test_diff_names_changed_collection() -> None:
    changes = changes_of("oppgave", collection="tiltak")

    assert changes == [{"field": "attribute:multiInstanceLoopCharacteristics.camunda:collection",
                        "before": "punkter", "after": "tiltak"}]


def test_diff_names_changed_input_parameter() -> None:
    changes = changes_of("oppgave", parameter="P10D")

    assert changes == [{"field": "content:camunda:inputParameter[frist]", "before": "P5D",
                        "after": "P10D"}]


def test_diff_names_added_event_definition() -> None:
    changes = changes_of("slutt", end="<bpmn:terminateEventDefinition />")

    assert changes == [{"field": "definitions", "before": [],
                        "after": ["terminateEventDefinition"]}]


def test_diff_ignores_event_definition_ids() -> None:
    before = diagram()
    after = before.replace('id="tidtaker"', 'id="tidtaker2"')

    assert diff_diagrams(before, after)["changed"] == []


def test_diff_of_same_diagram_is_empty() -> None:
    diff = diff_diagrams(diagram(), diagram())

    assert diff == {"added": [], "removed": [], "changed": []}


def test_diff_reads_non_ascii_diagrams() -> None:
    """The size limit counts bytes: æ, ø and å take two each, so a diagram with many of
    them is longer in bytes than in characters."""
    before = diagram(documentation="Vurder æøå " * 40)
    after = diagram(documentation="Vurder ÆØÅ " * 40)

    (changed,) = diff_diagrams(before, after)["changed"]

    assert changed["id"] == "oppgave"
