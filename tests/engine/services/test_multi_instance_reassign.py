"""Reassignment reads the `reassign` property of a multi-instance user task from the task
itself, not from the multi-instance wrapper around it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.demo import load_organisation
from engine.engine import ProcessEngine
from engine.errors import TaskNotReassignable

POINTS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:process id="punkter" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="egen" />
  <bpmn:userTask id="egen" name="Egen" camunda:assignee="${punkt}">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="reassign" value="{setting}" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:multiInstanceLoopCharacteristics camunda:collection="punkter"
        camunda:elementVariable="punkt" />
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="egen" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


def start_points(make_engine: Callable[..., ProcessEngine], setting: str) -> tuple:
    engine = make_engine()
    load_organisation(engine)
    engine.repository.deploy([("punkter.bpmn", POINTS.replace("{setting}", setting).encode())])
    instance_id = engine.runtime.start(
        "punkter", "admin", {"punkter": ["ola.ansatt", "fatima.ansatt"]}).instance_id
    with engine.transaction(read_only=True):
        tasks = {task.id: task.assignee
                 for task in engine.tasks.open_tasks_of_instance(instance_id, "egen")}
    return engine, tasks


@pytest.mark.parametrize(("setting", "allowed"), [("false", False), ("true", True)])
def test_multi_instance_reassign_property(make_engine: Callable[..., ProcessEngine],
                                          setting: str, allowed: bool) -> None:
    engine, tasks = start_points(make_engine, setting)

    with engine.transaction(read_only=True):
        verdicts = {engine.tasks.may_reassign(engine.tasks.get(task_id), "admin")
                    for task_id in tasks}

    assert verdicts == {allowed}


def test_multi_instance_has_one_task_per_item(make_engine: Callable[..., ProcessEngine]) -> None:
    _engine, tasks = start_points(make_engine, "false")

    assert sorted(tasks.values()) == ["fatima.ansatt", "ola.ansatt"]


def test_reassign_false_names_property(make_engine: Callable[..., ProcessEngine]) -> None:
    engine, tasks = start_points(make_engine, "false")
    task_id = next(iter(tasks))

    with pytest.raises(TaskNotReassignable) as raised:
        engine.tasks.reassign(task_id, "lise.leder", "admin")

    assert "reassign=false" in str(raised.value)
