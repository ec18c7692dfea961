"""Two people completing the same task at the same moment: exactly one wins."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.demo import load_organisation, load_processes
from engine.engine import ProcessEngine
from engine.errors import ConcurrentModification, NotAssignee, TaskAlreadyCompleted
from engine.models import AuditEvent, Task

REPORT: dict[str, Any] = {
    "tittel": "Dør låser seg ikke", "hva_skjedde": "Ytterdøren går ikke i lås.",
    "tidspunkt": "2027-01-04T08:30:00+01:00", "sted": "Inngang", "enhet": "sykehjem",
    "kategori": "bygg", "alvorlighetsgrad": "Middels",
}
ACCEPT = {"beslutning": "godta", "alvorlighetsgrad": "Middels"}
LOSERS = (TaskAlreadyCompleted, ConcurrentModification, NotAssignee)


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # the losing call's error is the result under test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("round_number", range(3))
def test_same_task_completed_twice_one_wins(make_engine: Callable[..., ProcessEngine],
                                            round_number: int) -> None:
    setup = make_engine()
    load_organisation(setup)
    load_processes(setup)
    instance_id = setup.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    with setup.transaction(read_only=True):
        (task,) = setup.tasks.open_tasks_of_instance(instance_id, "VurderAvvik")

    first, second = make_engine(), make_engine()
    results = race([lambda: first.tasks.complete(task.id, "lise.leder", ACCEPT),
                    lambda: second.tasks.complete(task.id, "fatima.ansatt", ACCEPT)])

    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, LOSERS)]
    assert len(wins) == 1, results
    assert len(losses) == 1, results
    with setup.transaction(read_only=True):
        session = setup.uow.session
        completions = session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "task_completed", AuditEvent.task_id == task.id))
        next_steps = session.scalar(select(func.count()).select_from(Task).where(
            Task.instance_id == instance_id, Task.element_id == "Strakstiltak"))
    assert completions == 1
    assert next_steps == 1
