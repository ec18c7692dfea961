"""An interrupting event on a multi-instance subprocess ends every instance of it."""

from __future__ import annotations

from engine.engine import ProcessEngine

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:message id="m_stopp" name="stopp" />
<bpmn:process id="punkter" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="hvert" />
  <bpmn:subProcess id="hvert">
    <bpmn:multiInstanceLoopCharacteristics camunda:collection="punkter"
        camunda:elementVariable="punkt" />
    <bpmn:startEvent id="indre_start" />
    <bpmn:sequenceFlow id="g1" sourceRef="indre_start" targetRef="gjor" />
    <bpmn:userTask id="gjor" name="Gjør" camunda:candidateUsers="admin" />
    <bpmn:sequenceFlow id="g2" sourceRef="gjor" targetRef="indre_slutt" />
    <bpmn:endEvent id="indre_slutt" />
  </bpmn:subProcess>
  <bpmn:boundaryEvent id="stoppet" attachedToRef="hvert">
    <bpmn:messageEventDefinition messageRef="m_stopp" />
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="stoppet" targetRef="etter_stopp" />
  <bpmn:userTask id="etter_stopp" name="Etter stopp" camunda:candidateUsers="admin" />
  <bpmn:sequenceFlow id="f3" sourceRef="etter_stopp" targetRef="slutt_stopp" />
  <bpmn:endEvent id="slutt_stopp" />
  <bpmn:sequenceFlow id="f4" sourceRef="hvert" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


def open_names(engine: ProcessEngine, instance_id: int) -> list[str]:
    with engine.transaction(read_only=True):
        return [t.name for t in engine.tasks.open_tasks_of_instance(instance_id)]


def test_message_cancels_every_instance(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("punkter.bpmn", PROCESS.encode())])
    instance_id = demo_engine.runtime.start("punkter", "admin", {
        "punkter": [{"navn": "A"}, {"navn": "B"}]}).instance_id
    assert open_names(demo_engine, instance_id) == ["Gjør", "Gjør"]

    demo_engine.runtime.correlate_message("stopp", "admin", {})

    assert open_names(demo_engine, instance_id) == ["Etter stopp"]
    with demo_engine.transaction(read_only=True):
        assert demo_engine.management.incidents(instance_id) == []
    with demo_engine.transaction(read_only=True):
        [task] = demo_engine.tasks.open_tasks_of_instance(instance_id)
    demo_engine.tasks.complete(task.id, "admin", {})
    with demo_engine.transaction(read_only=True):
        assert demo_engine.runtime.instance(instance_id).status == "completed"
