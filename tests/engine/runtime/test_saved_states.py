"""Saved states of every released format load in this release and run on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.runtime.clock import FixedClock
from engine.runtime.compiler import compile_bpmn
from engine.runtime.sandbox import Sandbox
from engine.runtime.script_engine import SandboxScriptEngine
from engine.runtime.serializer import StateSerializer
from engine.runtime.specs import UserTask, timer_due_at

STATES = Path(__file__).resolve().parents[2] / "data" / "states"


@pytest.mark.parametrize("path", sorted(STATES.glob("*.json")), ids=lambda p: p.name)
def test_saved_state_loads_and_runs_on(path: Path, sandbox: Sandbox) -> None:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    compiled = compile_bpmn(fixture["bpmn"], fixture["bpmn_file"], max_bytes=10_000_000,
                            check_expression=lambda source, mode: None)
    clock = FixedClock(datetime(2027, 1, 4, 9, tzinfo=UTC))
    workflow = StateSerializer().loads(json.dumps(fixture["state"]), compiled.spec,
                                       compiled.subprocess_specs,
                                       SandboxScriptEngine(sandbox, clock))

    (task,) = [t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
               if isinstance(t.task_spec, UserTask)]
    assert task.task_spec.bpmn_id == "VurderAvvik"
    assert task.data["enhet"] == "sykehjem"
    assert sorted(timer_due_at(t).isoformat()
                  for t in workflow.get_tasks(state=TaskState.WAITING)
                  if timer_due_at(t)) == ["2027-01-06T08:00:00+00:00",
                                          "2027-01-09T08:00:00+00:00"]

    task.data.update({"beslutning": "godta", "alvorlighetsgrad": "Lav"})
    task.run()
    workflow.do_engine_steps()
    started = [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.STARTED)]
    assert started == ["PlanleggBehandling"]
