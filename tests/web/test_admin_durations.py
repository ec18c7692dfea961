"""The heatmap's task durations picked in SQL match the median and nearest-rank 90th percentile
computed in Python from every completed task."""

from __future__ import annotations

import random
import statistics
import uuid
from datetime import UTC, datetime, timedelta

from engine.engine import ProcessEngine
from engine.models import ProcessInstance, Task
from engine.web.admin_durations import nearest_rank, seconds_between, task_durations
from tests.web.operations_helpers import ONE_TASK

START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
# Completed tasks per element: odd and even counts, one, and a large one.
COUNTS = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 10, "f": 11, "g": 137}


def add_completed_tasks(engine: ProcessEngine, seed: int = 5) -> dict[str, list[float]]:
    """Insert completed tasks of the process enkel and return their durations per element."""
    rng = random.Random(seed)
    engine.repository.deploy([("enkel.bpmn", ONE_TASK.encode())], actor="admin")
    durations: dict[str, list[float]] = {}
    with engine.transaction() as session:
        definition = engine.repository.latest("enkel")
        instance = ProcessInstance(definition_id=definition.id, definition_key="enkel",
                                   status="completed", started_at=START, state="{}",
                                   version=1)
        session.add(instance)
        session.flush()
        for element_id, count in COUNTS.items():
            for index in range(count):
                created = START + timedelta(seconds=rng.randint(0, 10**6))
                took = timedelta(seconds=rng.randint(1, 10**7), milliseconds=rng.randint(0, 999))
                if index % 9 == 4:
                    took = timedelta(hours=3)  # a tie
                if index % 13 == 6:
                    took = -timedelta(minutes=5)  # completed before it was created
                session.add(Task(id=str(uuid.UUID(int=rng.getrandbits(128))),
                                 instance_id=instance.id, definition_key="enkel",
                                 element_id=element_id, name=element_id, state="completed",
                                 created_at=created, completed_at=created + took))
                durations.setdefault(element_id, []).append(
                    seconds_between(created, created + took))
        session.add(Task(id=str(uuid.uuid4()), instance_id=instance.id,
                         definition_key="enkel", element_id="a", name="a", state="open",
                         created_at=START))
    return durations


def test_sql_durations_match_python(engine: ProcessEngine) -> None:
    expected = add_completed_tasks(engine)

    with engine.transaction(read_only=True):
        found = task_durations(engine, "enkel")

    assert sorted(found) == sorted(expected)
    for element_id, values in expected.items():
        assert found[element_id].samples == len(values), element_id
        assert found[element_id].median_seconds == statistics.median(values), element_id
        assert found[element_id].p90_seconds == nearest_rank(values, 90), element_id


def test_durations_of_other_process_ignored(engine: ProcessEngine) -> None:
    add_completed_tasks(engine)

    with engine.transaction(read_only=True):
        assert task_durations(engine, "annen") == {}
