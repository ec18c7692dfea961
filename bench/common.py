"""What the benchmarks share: a fresh database, an engine on it, and small BPMN models."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, text

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from engine.schema import upgrade

PG_ADMIN_URL = os.environ.get("SLOYFE_BENCH_PG_URL",
                              "postgresql://postgres@127.0.0.1:5432/postgres")
START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')

# One user task in a loop that ends when the variable `ferdig` is true.
LOOP = HEADER + """<bpmn:process id="loop" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="inn" />
  <bpmn:exclusiveGateway id="inn" />
  <bpmn:sequenceFlow id="f2" sourceRef="inn" targetRef="rapport" />
  <bpmn:userTask id="rapport" name="Rapporter" camunda:candidateUsers="admin" />
  <bpmn:sequenceFlow id="f3" sourceRef="rapport" targetRef="ut" />
  <bpmn:exclusiveGateway id="ut" default="igjen" />
  <bpmn:sequenceFlow id="ferdig" sourceRef="ut" targetRef="slutt">
    <bpmn:conditionExpression>ferdig</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="igjen" sourceRef="ut" targetRef="inn" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

# The same loop with a non-interrupting reminder timer on the task.
LOOP_WITH_TIMER = LOOP.replace(
    '<bpmn:sequenceFlow id="f3" sourceRef="rapport" targetRef="ut" />',
    '<bpmn:boundaryEvent id="purring" attachedToRef="rapport" cancelActivity="false">'
    '<bpmn:timerEventDefinition><bpmn:timeDuration>P10D</bpmn:timeDuration>'
    '</bpmn:timerEventDefinition></bpmn:boundaryEvent>'
    '<bpmn:sequenceFlow id="f5" sourceRef="purring" targetRef="purret" />'
    '<bpmn:endEvent id="purret" />'
    '<bpmn:sequenceFlow id="f3" sourceRef="rapport" targetRef="ut" />')


@contextmanager
def database(backend: str) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a PostgreSQL database dropped after."""
    if backend == "sqlite":
        directory = tempfile.mkdtemp(prefix="sloyfe-bench-")
        url = f"sqlite:///{directory}/bench.db"
        upgrade(url)
        yield url
        return
    name = f"sloyfe_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def reset_sequences(engine: ProcessEngine) -> None:
    """Move each PostgreSQL id sequence past the largest id, after a bulk insert that gave
    its own ids; SQLite needs nothing, because it takes the next id from the table."""
    if engine.db.dialect.name != "postgresql":
        return
    from engine.models import Base

    with engine.db.begin() as connection:
        for table in Base.metadata.sorted_tables:
            column = table.columns.get("id")
            if column is None or not column.autoincrement or column.type.python_type is not int:
                continue
            connection.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"COALESCE((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)"))


def make_engine(url: str, **config: Any) -> ProcessEngine:
    return ProcessEngine({"DATABASE_URL": url, "SMTP_HOST": "", **config},
                         clock=FixedClock(START))


def timed(action: Callable[[], Any], repeat: int) -> list[float]:
    """Seconds taken by each of `repeat` calls."""
    durations = []
    for _index in range(repeat):
        started = time.perf_counter()
        action()
        durations.append(time.perf_counter() - started)
    return durations


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def median(values: list[float]) -> float:
    return statistics.median(values)
