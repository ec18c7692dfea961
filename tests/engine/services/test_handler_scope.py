"""Handlers inside a multi-instance subprocess see the tasks of their own instance only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from engine.engine import ProcessEngine
from engine.runtime.handlers import HandlerContext, HandlerRegistry

FOLLOW_UP = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:process id="punkter" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="hvert" />
  <bpmn:subProcess id="hvert">
    <bpmn:multiInstanceLoopCharacteristics camunda:collection="punkter"
        camunda:elementVariable="punkt" />
    <bpmn:startEvent id="indre_start" />
    <bpmn:sequenceFlow id="g1" sourceRef="indre_start" targetRef="gjor" />
    <bpmn:userTask id="gjor" name="Gjør" camunda:candidateUsers="admin">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="title" value="${punkt['navn']}" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="g2" sourceRef="gjor" targetRef="indre_slutt" />
    <bpmn:endEvent id="indre_slutt" />
    <bpmn:boundaryEvent id="frist" cancelActivity="false" attachedToRef="gjor">
      <bpmn:timerEventDefinition><bpmn:timeDuration>${punkt['frist']}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="g3" sourceRef="frist" targetRef="minn" />
    <bpmn:serviceTask id="minn" camunda:type="external" camunda:topic="minn" />
    <bpmn:sequenceFlow id="g4" sourceRef="minn" targetRef="minnet" />
    <bpmn:endEvent id="minnet" />
  </bpmn:subProcess>
  <bpmn:sequenceFlow id="f2" sourceRef="hvert" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>""".encode()


def test_reminder_sees_own_point_only(make_engine: Callable[..., ProcessEngine], clock) -> None:
    from engine.demo import load_organisation

    seen: list[list[str]] = []

    def remember(ctx: HandlerContext) -> None:
        seen.append([task.name for task in ctx.open_tasks("gjor")])

    registry = HandlerRegistry()
    registry.register("minn", remember)
    engine = make_engine()
    engine.handlers = registry
    load_organisation(engine)
    engine.repository.deploy([("punkter.bpmn", FOLLOW_UP)])
    engine.runtime.start("punkter", "admin", {"punkter": [
        {"navn": "A", "frist": "PT1H"}, {"navn": "B", "frist": "PT3H"}]})

    clock.advance(timedelta(hours=2))
    engine.management.run_due()
    assert seen == [["Gjør – A"]]

    clock.advance(timedelta(hours=2))
    engine.management.run_due()
    assert seen == [["Gjør – A"], ["Gjør – B"]]
