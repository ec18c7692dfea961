"""Messages from other systems: to the case that waits, or starting a new case."""

from __future__ import annotations

import pytest

from engine.engine import ProcessEngine
from engine.services.messages import MessageAmbiguous, MessageNotCorrelated

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n'
          '<bpmn:message id="m_arkivert" name="arkivert" />\n'
          '<bpmn:message id="m_vedtak" name="vedtak-registrert" />\n'
          '<bpmn:message id="m_trukket" name="trukket" />\n')

WAITS = HEADER + """<bpmn:process id="arkiv" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vent" />
  <bpmn:intermediateCatchEvent id="vent"><bpmn:messageEventDefinition messageRef="m_arkivert" />
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="vent" targetRef="kontroller" />
  <bpmn:userTask id="kontroller" name="Kontroller arkivering" camunda:candidateUsers="admin" />
  <bpmn:boundaryEvent id="avbrutt" attachedToRef="kontroller">
    <bpmn:messageEventDefinition messageRef="m_trukket" /></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f3" sourceRef="avbrutt" targetRef="trukket_slutt" />
  <bpmn:endEvent id="trukket_slutt" />
  <bpmn:sequenceFlow id="f4" sourceRef="kontroller" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

STARTS = HEADER + """<bpmn:process id="vedtak" isExecutable="true">
  <bpmn:startEvent id="manuell" />
  <bpmn:sequenceFlow id="f1" sourceRef="manuell" targetRef="registrer" />
  <bpmn:userTask id="registrer" name="Registrer vedtak" camunda:candidateUsers="admin" />
  <bpmn:startEvent id="fra_arkiv"><bpmn:messageEventDefinition messageRef="m_vedtak" />
  </bpmn:startEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="fra_arkiv" targetRef="fordel" />
  <bpmn:userTask id="fordel" name="Fordel vedtakspunkter" camunda:candidateUsers="admin" />
</bpmn:process></bpmn:definitions>"""


def open_names(engine: ProcessEngine, instance_id: int) -> list[str]:
    with engine.transaction(read_only=True):
        return [t.name for t in engine.tasks.open_tasks_of_instance(instance_id)]


@pytest.fixture
def waiting(demo_engine: ProcessEngine) -> ProcessEngine:
    demo_engine.repository.deploy([("arkiv.bpmn", WAITS.encode())])
    return demo_engine


def test_message_reaches_waiting_case(waiting: ProcessEngine) -> None:
    instance_id = waiting.runtime.start("arkiv", "admin", {},
                                        business_key="ARKIV-1").instance_id
    result = waiting.runtime.correlate_message("arkivert", "admin",
                                               {"arkivnummer": "2027/123"},
                                               business_key="ARKIV-1")

    assert result == {"delivered_to": [instance_id], "started": []}
    assert open_names(waiting, instance_id) == ["Kontroller arkivering"]
    variables = waiting.runtime.variables(instance_id)
    assert variables["arkivnummer"] == "2027/123"
    assert variables["melding"] == {"arkivnummer": "2027/123"}


def test_message_with_other_case_number_is_not_delivered(waiting: ProcessEngine) -> None:
    waiting.runtime.start("arkiv", "admin", {}, business_key="ARKIV-1")

    with pytest.raises(MessageNotCorrelated) as raised:
        waiting.runtime.correlate_message("arkivert", "admin", business_key="ARKIV-2")

    assert "Ingen sak venter på meldingen arkivert (ARKIV-2)" in str(raised.value)


def test_boundary_message_interrupts_task(waiting: ProcessEngine) -> None:
    instance_id = waiting.runtime.start("arkiv", "admin", {},
                                        business_key="ARKIV-1").instance_id
    waiting.runtime.correlate_message("arkivert", "admin", business_key="ARKIV-1")

    waiting.runtime.correlate_message("trukket", "admin", business_key="ARKIV-1")

    assert open_names(waiting, instance_id) == []
    with waiting.transaction(read_only=True):
        assert waiting.runtime.instance(instance_id).status == "completed"


def test_two_waiting_cases_need_case_number(waiting: ProcessEngine) -> None:
    first = waiting.runtime.start("arkiv", "admin", {}).instance_id
    second = waiting.runtime.start("arkiv", "admin", {}).instance_id

    with pytest.raises(MessageAmbiguous):
        waiting.runtime.correlate_message("arkivert", "admin")
    result = waiting.runtime.correlate_message("arkivert", "admin", all=True)

    assert result["delivered_to"] == [first, second]


def test_message_start_event_starts_new_case(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("vedtak.bpmn", STARTS.encode())])

    result = demo_engine.runtime.correlate_message(
        "vedtak-registrert", "admin", {"saksnummer_arkiv": "27/118"}, business_key="PS 12/27")

    (instance_id,) = result["started"]
    assert open_names(demo_engine, instance_id) == ["Fordel vedtakspunkter"]
    assert demo_engine.runtime.variables(instance_id)["saksnummer_arkiv"] == "27/118"
    with demo_engine.transaction(read_only=True):
        assert demo_engine.runtime.instance(instance_id).business_key == "PS 12/27"


def test_manual_start_takes_the_plain_start(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("vedtak.bpmn", STARTS.encode())])

    result = demo_engine.runtime.start("vedtak", "admin", {})

    assert [t["name"] for t in result.open_tasks] == ["Registrer vedtak"]


def test_redeploy_keeps_one_message_start(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("vedtak.bpmn", STARTS.encode())])
    demo_engine.repository.deploy([("vedtak.bpmn", STARTS.replace(
        "Fordel vedtakspunkter", "Fordel punktene").encode())])

    result = demo_engine.runtime.correlate_message("vedtak-registrert", "admin")

    (instance_id,) = result["started"]
    assert open_names(demo_engine, instance_id) == ["Fordel punktene"]


def test_message_waiting_survives_engine_restart(waiting: ProcessEngine, make_engine) -> None:
    instance_id = waiting.runtime.start("arkiv", "admin", {},
                                        business_key="ARKIV-9").instance_id
    fresh = make_engine()

    fresh.runtime.correlate_message("arkivert", "admin", business_key="ARKIV-9")

    assert open_names(fresh, instance_id) == ["Kontroller arkivering"]
