"""The Camunda 7 attributes as Camunda Modeler writes them, read into running tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.engine import ProcessEngine
from engine.runtime.timeexpr import OSLO

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')

ATTRIBUTES = HEADER + """<bpmn:process id="attributter" name="Attributter" isExecutable="true">
  <bpmn:startEvent id="start" camunda:initiator="starter" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="skriv" />
  <bpmn:scriptTask id="skriv" scriptFormat="python">
    <bpmn:script>ansvarlig = "fatima.ansatt"
frist = "2027-02-01T12:00:00+01:00"
viktighet = 75</bpmn:script>
  </bpmn:scriptTask>
  <bpmn:sequenceFlow id="f2" sourceRef="skriv" targetRef="oppgave" />
  <bpmn:userTask id="oppgave" name="Les og svar" camunda:assignee="${ansvarlig}"
      camunda:candidateGroups="behandler@sykehjem, personvernombud"
      camunda:candidateUsers="per.leder,anne.rektor" camunda:dueDate="${frist}"
      camunda:followUpDate="P1D" camunda:priority="${viktighet}">
    <bpmn:documentation>Svar innen fristen.</bpmn:documentation>
    <bpmn:extensionElements>
      <camunda:properties><camunda:property name="status" value="Til svar" /></camunda:properties>
    </bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f3" sourceRef="oppgave" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process>
</bpmn:definitions>
"""

LANES = HEADER + """<bpmn:collaboration id="c"><bpmn:participant id="pa" processRef="baner" />
</bpmn:collaboration>
<bpmn:process id="baner" name="Baner" isExecutable="true">
  <bpmn:laneSet id="ls">
    <bpmn:lane id="l1" name="personvernombud"><bpmn:flowNodeRef>start</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>ombud</bpmn:flowNodeRef></bpmn:lane>
    <bpmn:lane id="l2" name="Ledere">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="candidateGroups" value="leder@${enhet}" />
      </camunda:properties></bpmn:extensionElements>
      <bpmn:flowNodeRef>leder</bpmn:flowNodeRef><bpmn:flowNodeRef>slutt</bpmn:flowNodeRef>
    </bpmn:lane>
  </bpmn:laneSet>
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ombud" />
  <bpmn:userTask id="ombud" name="Ombudets steg" />
  <bpmn:sequenceFlow id="f2" sourceRef="ombud" targetRef="leder" />
  <bpmn:userTask id="leder" name="Lederens steg" camunda:candidateUsers="admin" />
  <bpmn:sequenceFlow id="f3" sourceRef="leder" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def attributes_task(demo_engine: ProcessEngine) -> tuple[ProcessEngine, int]:
    demo_engine.repository.deploy([("attributter.bpmn", ATTRIBUTES.encode())])
    instance_id = demo_engine.runtime.start("attributter", "ola.ansatt", {}).instance_id
    return demo_engine, instance_id


def open_task(engine: ProcessEngine, instance_id: int):
    with engine.transaction(read_only=True):
        return engine.tasks.open_tasks_of_instance(instance_id)[0]


def test_assignee_from_expression(attributes_task: tuple) -> None:
    engine, instance_id = attributes_task
    assert open_task(engine, instance_id).assignee == "fatima.ansatt"


def test_candidate_groups_are_split_and_trimmed(attributes_task: tuple) -> None:
    engine, instance_id = attributes_task
    assert open_task(engine, instance_id).candidate_groups == ["behandler@sykehjem",
                                                               "personvernombud"]


def test_candidate_users_are_split(attributes_task: tuple) -> None:
    engine, instance_id = attributes_task
    assert open_task(engine, instance_id).candidate_users == ["per.leder", "anne.rektor"]


def test_due_date_from_variable(attributes_task: tuple) -> None:
    engine, instance_id = attributes_task
    due = open_task(engine, instance_id).due_at.astimezone(OSLO)
    assert due.isoformat() == "2027-02-01T12:00:00+01:00"


def test_follow_up_from_duration(attributes_task: tuple, clock) -> None:
    engine, instance_id = attributes_task
    assert open_task(engine, instance_id).follow_up_at == clock.now() + timedelta(days=1)


def test_priority_from_expression(attributes_task: tuple) -> None:
    engine, instance_id = attributes_task
    assert open_task(engine, instance_id).priority == 75


def test_documentation_is_kept(attributes_task: tuple) -> None:
    engine, instance_id = attributes_task
    assert open_task(engine, instance_id).documentation == "Svar innen fristen."


def test_status_property_sets_case_status(attributes_task: tuple) -> None:
    engine, instance_id = attributes_task
    with engine.transaction(read_only=True):
        assert engine.runtime.instance(instance_id).case_status == "Til svar"


def test_initiator_variable_holds_starter(attributes_task: tuple) -> None:
    engine, instance_id = attributes_task
    assert engine.runtime.variables(instance_id)["starter"] == "ola.ansatt"


def test_candidate_user_sees_task_in_group_list(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("attributter.bpmn", ATTRIBUTES.replace(
        'camunda:assignee="${ansvarlig}"', "").encode())])
    instance_id = demo_engine.runtime.start("attributter", "ola.ansatt", {}).instance_id
    with demo_engine.transaction(read_only=True):
        listed = [t.instance_id for t in demo_engine.tasks.list("anne.rektor", "group")]
    assert listed == [instance_id]


def test_lane_name_is_candidate_group(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("baner.bpmn", LANES.encode())])
    instance_id = demo_engine.runtime.start("baner", "ola.ansatt", {"enhet": "sykehjem"}
                                            ).instance_id
    assert open_task(demo_engine, instance_id).candidate_groups == ["personvernombud"]


def test_lane_property_names_groups_unless_task_has_own(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("baner.bpmn", LANES.encode())])
    instance_id = demo_engine.runtime.start("baner", "ola.ansatt", {"enhet": "sykehjem"}
                                            ).instance_id
    task = open_task(demo_engine, instance_id)
    demo_engine.tasks.complete(task.id, "pia.personvern", {})

    leader_task = open_task(demo_engine, instance_id)
    assert leader_task.candidate_groups == []
    assert leader_task.candidate_users == ["admin"]


def test_lane_expression_resolves_when_task_has_none(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("baner.bpmn", LANES.replace(
        ' camunda:candidateUsers="admin"', "").encode())])
    instance_id = demo_engine.runtime.start("baner", "ola.ansatt", {"enhet": "sykehjem"}
                                            ).instance_id
    demo_engine.tasks.complete(open_task(demo_engine, instance_id).id, "pia.personvern", {})
    assert open_task(demo_engine, instance_id).candidate_groups == ["leder@sykehjem"]


def test_juel_condition_is_read_as_python(demo_engine: ProcessEngine) -> None:
    juel = HEADER + """<bpmn:process id="juel" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="valg" />
  <bpmn:exclusiveGateway id="valg" default="nei" />
  <bpmn:sequenceFlow id="ja" sourceRef="valg" targetRef="jaoppgave">
    <bpmn:conditionExpression>${godkjent == true}</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="nei" sourceRef="valg" targetRef="neioppgave" />
  <bpmn:userTask id="jaoppgave" name="Ja" camunda:candidateUsers="admin" />
  <bpmn:userTask id="neioppgave" name="Nei" camunda:candidateUsers="admin" />
</bpmn:process></bpmn:definitions>"""
    demo_engine.repository.deploy([("juel.bpmn", juel.encode())])
    yes = demo_engine.runtime.start("juel", "ola.ansatt", {"godkjent": True}).instance_id
    no = demo_engine.runtime.start("juel", "ola.ansatt", {"godkjent": False}).instance_id

    assert open_task(demo_engine, yes).name == "Ja"
    assert open_task(demo_engine, no).name == "Nei"
