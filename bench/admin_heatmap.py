"""The administrators' heatmap of the deviation process with 20,000 completed cases.

    .venv/bin/python -m bench.admin_heatmap [--backend sqlite|postgresql]
        [--instances 20000] [--running 500] [--repeat 30]

The shipped process avvik is deployed with its forms, and its cases are bulk-inserted with
SQLAlchemy Core. Each of the `--instances` completed cases has one completed task for each
user task on the main path: assess, immediate measures, analysis, one to three measures,
evaluation and closing. A tenth of them have the Datatilsynet task too. The `--running`
running cases have an open assessment task and a reminder timer. Task durations are drawn
from a log-normal spread between minutes and weeks.

Measured: engine/web/admin_instance.process_marks inside a read-only transaction, and
GET /admin/prosesser/avvik/varmekart and its marker JSON through the Flask test client with a
signed-in administrator, p50 and p95 over `--repeat` runs. Peak memory is the tracemalloc
peak of one more run of each (tracing slows it, so those runs are not timed), and the
process's maximum resident set size at the end.
"""

from __future__ import annotations

import argparse
import random
import resource
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select

from bench.common import START, database, make_engine, percentile, reset_sequences, timed
from bench.task_list import _set_passwords
from engine.engine import ProcessEngine
from engine.models import ProcessDefinition, ProcessInstance, Task, Timer
from engine.web.admin_instance import process_marks

KEY = "avvik"
ADMIN = "bench.admin"
BATCH = 5_000
# The user tasks every completed case passed, in order, with a typical median duration in
# hours. GjennomforTiltak repeats once per measure.
PATH = (("VurderAvvik", "Vurder avvik", 20.0), ("Strakstiltak", "Gjennomfør strakstiltak", 4.0),
        ("AnalyserAarsak", "Analyser årsak", 70.0),
        ("GjennomforTiltak", "Gjennomfør tiltak", 200.0),
        ("EvaluerTiltak", "Evaluer tiltak", 300.0), ("LukkAvvik", "Lukk avvik", 24.0))
PRIVACY = ("VurderDatatilsynet", "Vurder melding til Datatilsynet", 30.0)


def load(engine: ProcessEngine, completed: int, running: int, seed: int = 11) -> int:
    """Deploy the shipped processes, bulk-insert the cases and return the number of tasks."""
    from engine.demo import load_organisation, load_processes

    rng = random.Random(seed)
    load_organisation(engine)
    load_processes(engine)
    with engine.db.begin() as connection:
        definition_id = connection.execute(
            select(ProcessDefinition.id).where(ProcessDefinition.key == KEY)
            .order_by(ProcessDefinition.version.desc()).limit(1)).scalar_one()
        instances: list[dict[str, Any]] = []
        tasks: list[dict[str, Any]] = []
        timers: list[dict[str, Any]] = []
        for number in range(1, completed + running + 1):
            started = START - timedelta(minutes=rng.randint(60, 60 * 24 * 700))
            done = number <= completed
            instances.append({
                "id": number, "definition_id": definition_id, "definition_key": KEY,
                "business_key": f"AVVIK-{number}", "title": f"Avvik {number}",
                "status": "completed" if done else "running", "started_by": "ola.ansatt",
                "started_at": started, "ended_at": None, "state": "{}", "version": 1})
            if done:
                instances[-1]["ended_at"] = _add_path(rng, tasks, number, started)
            else:
                tasks.append(_task(rng, number, PATH[0], started, completed=False))
                timers.append({"instance_id": number, "element_id": "PaaminnelseVurdering",
                               "kind": "boundary", "due_at": started + timedelta(days=2),
                               "created_at": started})
        for table, rows in ((ProcessInstance, instances), (Task, tasks), (Timer, timers)):
            for batch in _batches(rows):
                connection.execute(insert(table), batch)
    return len(tasks)


def _add_path(rng: random.Random, tasks: list[dict[str, Any]], instance_id: int,
              started: Any) -> Any:
    steps = list(PATH[:3]) + [PATH[3]] * rng.randint(1, 3) + list(PATH[4:])
    if rng.random() < 0.1:
        tasks.append(_task(rng, instance_id, PRIVACY, started, completed=True))
    moment = started
    for step in steps:
        task = _task(rng, instance_id, step, moment, completed=True)
        tasks.append(task)
        moment = task["completed_at"]
    return moment


def _task(rng: random.Random, instance_id: int, step: tuple[str, str, float], created: Any,
          completed: bool) -> dict[str, Any]:
    element_id, name, median_hours = step
    hours = median_hours * rng.lognormvariate(0, 1.0)
    return {"id": str(uuid.UUID(int=rng.getrandbits(128))), "instance_id": instance_id,
            "definition_key": KEY, "element_id": element_id, "name": name,
            "assignee": "lise.leder", "candidate_groups": ["behandler@sykehjem"],
            "candidate_users": [], "state": "completed" if completed else "open",
            "escalated": False, "priority": 50, "created_at": created,
            "completed_by": "lise.leder" if completed else None,
            "completed_at": created + timedelta(hours=hours) if completed else None}


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def peak_kib(action: Callable[[], Any]) -> float:
    """Return the tracemalloc peak of one call of `action`, in KiB."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def _ms(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, share) * 1000:8.1f}" for share in (0.5, 0.95))


def run(backend: str, completed: int, running: int, repeat: int,
        report: Callable[[str], None] = print) -> None:
    from engine.app import create_app

    with database(backend) as url:
        engine = make_engine(url)
        try:
            tasks = load(engine, completed, running)
            reset_sequences(engine)
            engine.organisation.create_user(ADMIN, "Bench Admin")
            engine.organisation.grant_role(ADMIN, "administrator")
            _set_passwords(engine, {ADMIN})
            command = "VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE"
            with engine.db.connect().execution_options(isolation_level="AUTOCOMMIT") \
                    as connection:
                connection.exec_driver_sql(command)

            def marks() -> None:
                with engine.transaction(read_only=True):
                    process_marks(engine, KEY)

            app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True,
                              "WTF_CSRF_ENABLED": False}, engine=engine)
            client = app.test_client()
            response = client.post("/logg-inn", data={"brukernavn": ADMIN, "passord": "bench"})
            assert response.status_code == 302, response.status_code

            def getter(path: str) -> Callable[[], None]:
                def get() -> None:
                    assert client.get(path).status_code == 200
                return get

            report(f"{backend}: {completed} completed and {running} running cases of {KEY}, "
                   f"{tasks} tasks")
            report("p50 / p95 ms, tracemalloc peak KiB of one untimed run")
            for name, action in (
                    ("process_marks", marks),
                    (f"GET /admin/prosesser/{KEY}/varmekart", getter(
                        f"/admin/prosesser/{KEY}/varmekart")),
                    (f"GET /admin/prosesser/{KEY}/varmekart.json", getter(
                        f"/admin/prosesser/{KEY}/varmekart.json"))):
                action()
                timings = timed(action, repeat)
                report(f"  {name:<40} {_ms(timings)}   peak {peak_kib(action):9.0f} KiB")
            max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            report(f"  max resident set size of the process: {max_rss:.0f} MiB")
        finally:
            engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--instances", type=int, default=20_000,
                        help="completed cases of the process (default 20000)")
    parser.add_argument("--running", type=int, default=500,
                        help="running cases with an open task (default 500)")
    parser.add_argument("--repeat", type=int, default=30,
                        help="timed runs of each case (default 30)")
    options = parser.parse_args()
    run(options.backend, options.instances, options.running, options.repeat)


if __name__ == "__main__":
    main()
