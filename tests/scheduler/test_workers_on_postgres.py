"""Real `sloyfe worker` processes on PostgreSQL: every due timer fires exactly once, also when
one worker is killed with SIGKILL in the middle of a batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.demo import load_organisation
from engine.engine import ProcessEngine
from engine.models import AuditEvent, Task, Timer
from engine.runtime.clock import SystemClock
from tests.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql",
                                reason="SKIP LOCKED claims need PostgreSQL")

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')
WAIT = HEADER + """<bpmn:process id="vent" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause" />
  <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition>
    <bpmn:timeDuration>PT2S</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="etter" />
  <bpmn:userTask id="etter" name="Etter pausen" camunda:candidateUsers="admin" />
</bpmn:process></bpmn:definitions>"""
INSTANCES = 150
SLOYFE = Path(sys.executable).with_name("sloyfe")


def start_worker(database_url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SLOYFE_DATABASE_URL": database_url,
           "SLOYFE_SCHEDULER_INTERVAL_SECONDS": "0.2", "SLOYFE_CLAIM_TIMEOUT_SECONDS": "3",
           "SLOYFE_SMTP_HOST": ""}
    env.pop("SLOYFE_NOW", None)
    return subprocess.Popen([str(SLOYFE), "worker"], env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def counts(engine: ProcessEngine) -> tuple[int, int, int]:
    with engine.transaction(read_only=True):
        session = engine.uow.session
        fired = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "timer_fired"))
        tasks = session.scalar(select(func.count()).select_from(Task).where(
            Task.element_id == "etter"))
        waiting = session.scalar(select(func.count()).select_from(Timer))
        return fired, tasks, waiting


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def waiting_instances(make_engine: Callable[..., ProcessEngine]) -> ProcessEngine:
    engine = make_engine()
    engine.set_clock(SystemClock())
    load_organisation(engine)
    engine.repository.deploy([("vent.bpmn", WAIT.encode())])
    for _number in range(INSTANCES):
        engine.runtime.start("vent", "admin", {})
    return engine


def test_two_workers_fire_each_timer_once(waiting_instances: ProcessEngine,
                                          database_url: str, tmp_path: Path) -> None:
    workers = [start_worker(database_url, tmp_path / f"worker-{n}.log") for n in range(2)]
    try:
        assert wait_until(lambda: counts(waiting_instances)[2] == 0, 60)
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)

    fired, tasks, waiting = counts(waiting_instances)
    assert fired == INSTANCES
    assert tasks == INSTANCES
    assert waiting == 0


def test_killed_worker_loses_nothing(waiting_instances: ProcessEngine, database_url: str,
                                     tmp_path: Path) -> None:
    first = start_worker(database_url, tmp_path / "first.log")
    try:
        assert wait_until(lambda: counts(waiting_instances)[0] >= 10, 60)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    assert counts(waiting_instances)[2] > 0  # killed before it finished

    second = start_worker(database_url, tmp_path / "second.log")
    try:
        assert wait_until(lambda: counts(waiting_instances)[2] == 0, 60)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)

    fired, tasks, waiting = counts(waiting_instances)
    assert fired == INSTANCES
    assert tasks == INSTANCES
    assert waiting == 0
