"""Timers: 10,000 due at once, fired by two `sloyfe worker` processes on PostgreSQL.

    .venv/bin/python -m bench.timers [--timers 10000] [--workers 2]

One instance waiting on a timer is created through the engine and then copied in SQL, so
setting up does not take longer than the firing. The figure is the time from starting the
workers until no timer is left, and the check that each timer fired exactly once.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

from bench.common import HEADER, database, make_engine
from engine.demo import load_organisation
from engine.models import AuditEvent, ProcessInstance, Timer
from engine.runtime.clock import FixedClock, SystemClock

WAIT = HEADER + """<bpmn:process id="vent" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause" />
  <bpmn:intermediateCatchEvent id="pause"><bpmn:timerEventDefinition>
    <bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


def copy_waiting_instance(engine, count: int) -> None:
    """Copy instance 1 and its timer `count - 1` times, all due now."""
    with engine.db.begin() as connection:
        connection.execute(text(
            "INSERT INTO process_instance (definition_id, definition_key, business_key, title, "
            "status, case_status, started_by, unit_id, started_at, has_incident, has_timers, "
            "has_jobs, start_data, state, version) SELECT definition_id, definition_key, "
            "business_key, title, status, case_status, started_by, unit_id, started_at, "
            "has_incident, has_timers, has_jobs, start_data, state, 1 "
            "FROM process_instance, generate_series(2, :count) WHERE id = 1"),
            {"count": count})
        connection.execute(text(
            "INSERT INTO timer (instance_id, task_id, element_id, kind, due_at, attempts, "
            "created_at) SELECT p.id, t.task_id, t.element_id, t.kind, t.due_at, 0, now() "
            "FROM process_instance p, timer t WHERE t.instance_id = 1 AND p.id > 1"))


def start_worker(url: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SLOYFE_DATABASE_URL": url, "SLOYFE_SMTP_HOST": "",
           "SLOYFE_SCHEDULER_INTERVAL_SECONDS": "0.5"}
    env.pop("SLOYFE_NOW", None)
    sloyfe = Path(sys.executable).with_name("sloyfe")
    return subprocess.Popen([str(sloyfe), "worker"], env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def run(count: int, workers: int) -> float:
    with database("postgresql") as url:
        engine = make_engine(url)
        try:
            # The template instance starts two hours ago, so its one-hour timer is due now.
            engine.set_clock(FixedClock(datetime.now(UTC) - timedelta(hours=2)))
            load_organisation(engine)
            engine.repository.deploy([("vent.bpmn", WAIT.encode())])
            engine.runtime.start("vent", "admin", {})
            engine.set_clock(SystemClock())
            copy_waiting_instance(engine, count)
            logs = Path(tempfile.mkdtemp(prefix="sloyfe-bench-workers-"))
            started = time.perf_counter()
            processes = [start_worker(url, logs / f"worker-{n}.log") for n in range(workers)]
            try:
                while True:
                    with engine.transaction(read_only=True):
                        left = engine.uow.session.scalar(
                            select(func.count()).select_from(Timer))
                    if left == 0 or time.perf_counter() - started > 600:
                        break
                    time.sleep(0.2)
                elapsed = time.perf_counter() - started
            finally:
                for process in processes:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=60)
            with engine.transaction(read_only=True):
                session = engine.uow.session
                fired = session.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.action == "timer_fired"))
                done = session.scalar(select(func.count()).select_from(ProcessInstance).where(
                    ProcessInstance.status == "completed"))
                duplicates = session.scalar(text(
                    "SELECT count(*) FROM (SELECT instance_id FROM audit_event WHERE action = "
                    "'timer_fired' GROUP BY instance_id HAVING count(*) > 1) d"))
        finally:
            engine.close()
    print(f"{count} timers, {workers} workers: {elapsed:.1f} s ({count / elapsed:.0f} per "
          f"second; target: all within 30 s)")
    print(f"fired {fired}, instances completed {done}, fired more than once {duplicates}")
    return elapsed


def main() -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    return run(arguments.timers, arguments.workers)


if __name__ == "__main__":
    main()
