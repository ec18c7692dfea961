"""A timer fires on time with the real clock: the scheduler polls often enough."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from engine.demo import load_organisation
from engine.engine import ProcessEngine
from engine.models import AuditEvent
from engine.runtime.clock import SystemClock
from scheduler.worker import start_background

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')
WAIT = HEADER + """<bpmn:process id="vent" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause" />
  <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition>
    <bpmn:timeDuration>PT5S</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="etter" />
  <bpmn:userTask id="etter" name="Etter pausen" camunda:candidateUsers="admin" />
</bpmn:process></bpmn:definitions>"""


def test_timer_due_in_five_seconds_fires_within_two(make_engine: Callable[..., ProcessEngine]
                                                     ) -> None:
    engine = make_engine(SCHEDULER_INTERVAL_SECONDS=1.0)
    engine.set_clock(SystemClock())
    load_organisation(engine)
    engine.repository.deploy([("vent.bpmn", WAIT.encode())])
    scheduler = start_background(engine)
    try:
        instance_id = engine.runtime.start("vent", "admin", {}).instance_id
        with engine.transaction(read_only=True):
            (timer,) = engine.management.timers(instance_id)
            due_at = timer.due_at

        fired_at = None
        deadline = time.monotonic() + 15
        while fired_at is None and time.monotonic() < deadline:
            time.sleep(0.1)  # waiting for the real scheduler thread, not for a timer
            with engine.transaction(read_only=True):
                fired_at = engine.uow.session.scalar(select(AuditEvent.at).where(
                    AuditEvent.instance_id == instance_id,
                    AuditEvent.action == "timer_fired"))
    finally:
        scheduler.shutdown(wait=True)

    assert fired_at is not None
    assert fired_at >= due_at
    assert fired_at - due_at <= timedelta(seconds=2)
