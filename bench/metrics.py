"""The database cost of one /metrics scrape and one /healthz check with 100,000 open tasks.

    .venv/bin/python -m bench.metrics [--backend sqlite|postgresql] [--tasks 100000]
        [--timers 2000] [--incidents 500] [--repeat 50]

The tasks come from bench/task_list.py's loader (as many completed tasks as open ones, one
instance per task, five processes). On top of it come `--timers` timer rows of running
instances, a quarter of them due and half of those late by more than
METRICS_TIMER_LATE_SECONDS, and `--incidents` open incidents. The figures are
OperationsService.metrics() (the five counting queries in one read-only transaction), the
whole GET /metrics through the Flask test client, and OperationsService.health().
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import insert, select

from bench.common import START, database, make_engine, percentile, timed
from bench.task_list import load
from engine.engine import ProcessEngine
from engine.models import Incident, ProcessInstance, Timer

TARGET_MS = 100.0
SCRAPER_TOKEN = "bench-scraper-token-0123456789"


def add_timers_and_incidents(engine: ProcessEngine, timers: int, incidents: int) -> None:
    late_seconds = int(engine.config["METRICS_TIMER_LATE_SECONDS"])
    with engine.db.begin() as connection:
        instance_ids = list(connection.scalars(
            select(ProcessInstance.id).order_by(ProcessInstance.id).limit(timers + incidents)))
        rows = []
        for index, instance_id in enumerate(instance_ids[:timers]):
            if index % 8 == 0:
                due = START - timedelta(seconds=late_seconds * 2)  # late
            elif index % 8 == 1:
                due = START - timedelta(seconds=10)  # due, not yet late
            else:
                due = START + timedelta(hours=index)
            rows.append({"instance_id": instance_id, "task_id": f"t{index}",
                         "element_id": "purring", "kind": "boundary", "due_at": due,
                         "attempts": 0, "created_at": START})
        if rows:
            connection.execute(insert(Timer), rows)
        incident_rows = [{"instance_id": instance_id, "kind": "handler",
                          "message": "bench", "created_at": START}
                         for instance_id in instance_ids[timers:timers + incidents]]
        if incident_rows:
            connection.execute(insert(Incident), incident_rows)


def scrape_timings(engine: ProcessEngine, url: str, repeat: int) -> list[float]:
    from engine.app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                      "METRICS_BEARER_TOKEN": SCRAPER_TOKEN}, engine=engine)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {SCRAPER_TOKEN}"}

    def get() -> None:
        assert client.get("/metrics", headers=headers).status_code == 200

    get()
    return timed(get, repeat)


def _ms(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, share) * 1000:7.2f}" for share in (0.5, 0.95, 0.99))


def run(backend: str, tasks: int, timers: int, incidents: int, repeat: int,
        report: Callable[[str], None] = print) -> None:
    with database(backend) as url:
        engine = make_engine(url)
        try:
            load(engine, tasks, users=2_000)
            add_timers_and_incidents(engine, timers, incidents)
            command = "VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE"
            with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") \
                    as connection:
                connection.exec_driver_sql(command)

            snapshot = engine.operations.metrics()
            report(f"{backend}: {tasks} open and {tasks} completed tasks, "
                   f"{sum(snapshot.instances_started.values())} instances, {timers} timers "
                   f"({snapshot.timers_due} due, {snapshot.timers_late} late), "
                   f"{sum(snapshot.incidents_open.values())} open incidents")
            report("p50 / p95 / p99 ms")
            counts = timed(engine.operations.metrics, repeat)
            report(f"  OperationsService.metrics()  {_ms(counts)}")
            report(f"  GET /metrics                 {_ms(scrape_timings(engine, url, repeat))}")
            report(f"  OperationsService.health()   {_ms(timed(engine.operations.health, repeat))}")
            report(f"metrics() p95: {percentile(counts, 0.95) * 1000:.2f} ms "
                   f"(target < {TARGET_MS:.0f} ms)")
        finally:
            engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--tasks", type=int, default=100_000,
                        help="open tasks; as many completed tasks are added (default 100000)")
    parser.add_argument("--timers", type=int, default=2_000, help="timer rows (default 2000)")
    parser.add_argument("--incidents", type=int, default=500,
                        help="open incidents (default 500)")
    parser.add_argument("--repeat", type=int, default=50,
                        help="timed runs of each measurement (default 50)")
    options = parser.parse_args()
    run(options.backend, options.tasks, options.timers, options.incidents, options.repeat)


if __name__ == "__main__":
    main()
