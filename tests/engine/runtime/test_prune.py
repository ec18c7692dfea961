"""Live state stays small: finished history leaves the workflow tree, loops run for ever."""

from __future__ import annotations

from typing import Any

import pytest

from engine.engine import ProcessEngine
from engine.models import ProcessInstance

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')

# A status report that repeats until someone ticks "ferdig", with a reminder timer on it.
LOOP = HEADER + """<bpmn:process id="rapportering" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="inn" />
  <bpmn:exclusiveGateway id="inn" />
  <bpmn:sequenceFlow id="f2" sourceRef="inn" targetRef="rapport" />
  <bpmn:userTask id="rapport" name="Rapporter status" camunda:candidateUsers="admin" />
  <bpmn:boundaryEvent id="purring" attachedToRef="rapport" cancelActivity="false">
    <bpmn:timerEventDefinition><bpmn:timeDuration>P10D</bpmn:timeDuration>
    </bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f5" sourceRef="purring" targetRef="purret" />
  <bpmn:scriptTask id="purret" scriptFormat="python">
    <bpmn:script>purringer = purringer + 1</bpmn:script>
  </bpmn:scriptTask>
  <bpmn:sequenceFlow id="f6" sourceRef="purret" targetRef="purreslutt" />
  <bpmn:endEvent id="purreslutt" />
  <bpmn:sequenceFlow id="f3" sourceRef="rapport" targetRef="ut" />
  <bpmn:exclusiveGateway id="ut" default="igjen" />
  <bpmn:sequenceFlow id="ferdig" sourceRef="ut" targetRef="slutt">
    <bpmn:conditionExpression>ferdig</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="igjen" sourceRef="ut" targetRef="inn" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


def state_size(engine: ProcessEngine, instance_id: int) -> int:
    with engine.transaction(read_only=True):
        return len(engine.uow.session.get(ProcessInstance, instance_id).state)


def complete_report(engine: ProcessEngine, instance_id: int, **data: Any) -> None:
    with engine.transaction(read_only=True):
        (task,) = engine.tasks.open_tasks_of_instance(instance_id)
    engine.tasks.complete(task.id, "admin", {"ferdig": False, **data})


@pytest.fixture
def looping(engine: ProcessEngine) -> tuple[ProcessEngine, int]:
    # The demo organisation without the shipped processes, whose yearly start timers would
    # fire within the ten days the timer test moves the clock.
    from engine.demo import load_organisation

    load_organisation(engine)
    engine.repository.deploy([("rapportering.bpmn", LOOP.encode())])
    instance_id = engine.runtime.start("rapportering", "admin",
                                       {"ferdig": False, "purringer": 0}).instance_id
    return engine, instance_id


def test_state_stays_flat_over_500_loops(looping: tuple) -> None:
    engine, instance_id = looping
    sizes = {}
    for loop in range(1, 501):
        complete_report(engine, instance_id, runde=loop)
        if loop in (10, 500):
            sizes[loop] = state_size(engine, instance_id)

    assert sizes[500] < 10_000
    assert sizes[500] <= sizes[10] * 1.1
    assert engine.runtime.variables(instance_id)["runde"] == 500


def test_boundary_timer_still_fires_after_many_loops(looping: tuple, clock) -> None:
    engine, instance_id = looping
    for _loop in range(300):
        complete_report(engine, instance_id)

    clock.advance(days=10)
    assert engine.management.run_due().timers_fired == 1
    with engine.transaction(read_only=True):
        assert len(engine.tasks.open_tasks_of_instance(instance_id)) == 1

    complete_report(engine, instance_id, ferdig=True)
    with engine.transaction(read_only=True):
        assert engine.runtime.instance(instance_id).status == "completed"


def test_completed_instance_keeps_final_data_only(looping: tuple) -> None:
    engine, instance_id = looping
    for loop in range(20):
        complete_report(engine, instance_id, runde=loop)
    complete_report(engine, instance_id, ferdig=True, konklusjon="Ferdig rapportert.")

    assert engine.runtime.variables(instance_id)["konklusjon"] == "Ferdig rapportert."
    assert state_size(engine, instance_id) < 3_000


def test_ten_thousand_loops_complete(sandbox, clock) -> None:
    """10,000 passes through a task with a boundary timer, saved and restored every 500."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    from engine.runtime.compiler import compile_bpmn
    from engine.runtime.prune import prune
    from engine.runtime.script_engine import SandboxScriptEngine
    from engine.runtime.serializer import StateSerializer

    compiled = compile_bpmn(LOOP, "rapportering.bpmn", max_bytes=1_000_000,
                            check_expression=lambda source, mode: None)
    script_engine = SandboxScriptEngine(sandbox, clock)
    serializer = StateSerializer()
    workflow = BpmnWorkflow(compiled.spec, compiled.subprocess_specs,
                            script_engine=script_engine)
    workflow.task_tree.data.update({"ferdig": False, "purringer": 0})
    workflow.do_engine_steps()

    sizes = []
    for loop in range(1, 10_001):
        (task,) = workflow.get_tasks(state=TaskState.READY, manual=True)
        task.data["ferdig"] = loop == 10_000
        task.run()
        workflow.do_engine_steps()
        prune(workflow)
        if loop % 500 == 0:
            state = serializer.dumps(workflow)
            sizes.append(len(state))
            workflow = serializer.loads(state, compiled.spec, compiled.subprocess_specs,
                                        script_engine)

    assert workflow.completed
    assert max(sizes[:-1]) < 10_000
    assert max(sizes[:-1]) <= min(sizes[:-1]) * 1.1
