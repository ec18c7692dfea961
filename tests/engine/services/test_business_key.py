"""The process property businessKeyVariable: the case number comes from the start data."""

from __future__ import annotations

from engine.engine import ProcessEngine

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:message id="m_endret" name="vedtak-endret" />
<bpmn:process id="vedtak" isExecutable="true">
  <bpmn:extensionElements><camunda:properties>
    <camunda:property name="businessKeyVariable" value="arkivsak" />
  </camunda:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vent" />
  <bpmn:intermediateCatchEvent id="vent">
    <bpmn:messageEventDefinition messageRef="m_endret" />
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="vent" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


def start(engine: ProcessEngine, data: dict) -> str | None:
    engine.repository.deploy([("vedtak.bpmn", PROCESS.encode())])
    return engine.runtime.start("vedtak", "admin", data).business_key


def test_case_number_from_start_data(demo_engine: ProcessEngine) -> None:
    assert start(demo_engine, {"arkivsak": " 24/01234 "}) == "24/01234"


def test_case_number_generated_without_value(demo_engine: ProcessEngine) -> None:
    assert start(demo_engine, {"arkivsak": ""}) == "VEDTAK-2027-00001"


def test_message_correlates_by_that_number(demo_engine: ProcessEngine) -> None:
    start(demo_engine, {"arkivsak": "24/01234"})
    start(demo_engine, {"arkivsak": "24/05678"})

    result = demo_engine.runtime.correlate_message("vedtak-endret", "admin", {},
                                                   business_key="24/05678")

    with demo_engine.transaction(read_only=True):
        instances = {i.business_key: i for i in demo_engine.runtime.instances()}
    assert result["delivered_to"] == [instances["24/05678"].id]
    assert instances["24/05678"].status == "completed"
    assert instances["24/01234"].status == "running"
