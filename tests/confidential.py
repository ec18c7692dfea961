"""A small conversation process whose reading rules tests vary through its properties."""

from __future__ import annotations

from engine.engine import ProcessEngine

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs"
    targetNamespace="http://sloyfe.test">
  <bpmn:process id="samtaletest" name="Samtaletest" isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties>{properties}</camunda:properties>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="forbered"/>
    <bpmn:userTask id="forbered" name="Forbered samtalen"
        camunda:candidateUsers="fatima.ansatt"/>
    <bpmn:sequenceFlow id="f2" sourceRef="forbered" targetRef="slutt"/>
    <bpmn:endEvent id="slutt"/>
  </bpmn:process>
</bpmn:definitions>
"""

CONFIDENTIAL = ('<camunda:property name="confidential" value="true"/>'
                '<camunda:property name="readerGroups" value="hr"/>')
OPEN_WITH_READERS = '<camunda:property name="readerGroups" value="hr"/>'
OPEN = '<camunda:property name="titleVariable" value="tittel"/>'


def start_confidential_case(engine: ProcessEngine) -> int:
    """Deploy the process as confidential, read by the group hr (jonas.ansatt), and start a
    case as ola.ansatt in sykehjem; returns the instance id."""
    with engine.transaction():
        engine.organisation.create_group("hr", "HR", actor="admin")
        engine.organisation.add_member("hr", "jonas.ansatt", actor="admin")
    engine.repository.deploy([("samtaletest.bpmn", PROCESS.format(properties=CONFIDENTIAL)
                               .encode())], actor="admin")
    return engine.runtime.start("samtaletest", "ola.ansatt", {"enhet": "sykehjem"}).instance_id
