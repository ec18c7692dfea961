"""The demo history: a year of cases run through the services, consistent with the engine."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import create_engine, select, text

from engine.demo_history import load_demo
from engine.engine import ProcessEngine
from engine.models import AuditEvent, Incident, ProcessInstance, Task, Timer
from engine.models.base import Base
from engine.runtime.clock import FixedClock
from engine.runtime.specs import UserTask
from engine.services.execution import Execution

# Friday 5 March 2027, 10:00 in Oslo: a three-month window holds the budget year's start
# timer (1 January) and the conversation round's (5 January).
SHORT_NOW = datetime(2027, 3, 5, 9, 0, tzinfo=UTC)
# Saturday 4 December 2027, 11:00 in Oslo, for the full year.
YEAR_NOW = datetime(2027, 12, 4, 10, 0, tzinfo=UTC)
PROCESSES = ("avvik", "forbedringsforslag", "politisk-vedtak", "medarbeidersamtale",
             "medarbeidersamtale-planlegging", "risikovurdering", "budsjett")


def generate(engine: ProcessEngine, clock: FixedClock, now: datetime,
             months: int) -> dict[str, Any]:
    clock.set(now)
    return load_demo(engine, months=months)


def instances(engine: ProcessEngine) -> list[ProcessInstance]:
    with engine.transaction(read_only=True):
        return list(engine.uow.session.scalars(select(ProcessInstance)))


def fingerprint(engine: ProcessEngine) -> dict[str, Counter[Any]]:
    """Counts that describe the whole history without its ids."""
    with engine.transaction(read_only=True):
        session = engine.uow.session
        return {
            "instances": Counter(session.execute(select(
                ProcessInstance.definition_key, ProcessInstance.status,
                ProcessInstance.case_status)).all()),
            "tasks": Counter(session.execute(select(
                Task.element_id, Task.state, Task.completed_by, Task.escalated)).all()),
            "audit": Counter(session.scalars(select(AuditEvent.action))),
            "timers": Counter(session.scalars(select(Timer.due_at))),
        }


def check_consistent(engine: ProcessEngine) -> None:
    with engine.transaction(read_only=True):
        session = engine.uow.session
        assert list(session.scalars(select(Incident))) == []
        for instance in session.scalars(select(ProcessInstance)):
            open_rows = {row.id for row in session.scalars(select(Task).where(
                Task.instance_id == instance.id, Task.state == "open"))}
            if instance.status == "completed":
                assert open_rows == set(), instance.id
                assert instance.ended_at is not None, instance.id
                continue
            assert instance.status == "running", instance.id
            execution = Execution.load(engine, instance.id, None, lock=False)
            ready = {str(task.id) for task in execution.workflow.get_tasks(
                state=TaskState.READY, manual=True) if isinstance(task.task_spec, UserTask)}
            assert open_rows == ready, instance.id


def check_performers(engine: ProcessEngine) -> None:
    """Every completed task was done by someone it was offered to."""
    with engine.transaction(read_only=True):
        for task in engine.uow.session.scalars(select(Task).where(Task.state == "completed")):
            offered = {task.assignee, *task.candidate_users}
            for group in task.candidate_groups:
                offered |= {user.username for user in engine.organisation.members(group)}
            assert task.completed_by in offered, (task.element_id, task.completed_by)


def task_list(engine: ProcessEngine, username: str) -> list[Task]:
    with engine.transaction(read_only=True):
        return engine.tasks.list(username, "mine") + engine.tasks.list(username, "group")


def test_short_history_is_consistent(engine: ProcessEngine, clock: FixedClock) -> None:
    result = generate(engine, clock, SHORT_NOW, months=3)

    history = result["history"]
    assert history["failed_steps"] == []
    assert history["start"] == (SHORT_NOW - timedelta(days=91)).isoformat()
    assert clock.now() == SHORT_NOW
    assert engine.clock is clock
    assert result["users_created"] == 17
    check_consistent(engine)
    check_performers(engine)
    keys = {instance.definition_key for instance in instances(engine)}
    assert keys == set(PROCESSES)
    assert task_list(engine, "lise.leder") != []

    with engine.transaction(read_only=True):
        session = engine.uow.session
        fired = list(session.scalars(
            select(AuditEvent).where(AuditEvent.action == "timer_fired")))
        overdue = list(session.scalars(select(Task).where(
            Task.state == "open", Task.due_at < SHORT_NOW)))
    assert len(fired) > 10
    for event in fired:
        due = datetime.fromisoformat(event.details["due_at"])
        assert event.at == due, (event.element_id, event.at, due)
    assert overdue != []


def test_second_load_adds_nothing(engine: ProcessEngine, clock: FixedClock) -> None:
    generate(engine, clock, SHORT_NOW, months=2)
    before = fingerprint(engine)

    again = generate(engine, clock, SHORT_NOW + timedelta(hours=1), months=2)

    assert again["history"] is None
    assert again["users_created"] == 0
    assert not any(item["changed"] for item in again["deployed"])
    after = fingerprint(engine)
    assert after["instances"] == before["instances"]
    assert after["tasks"] == before["tasks"]


def second_database(template_database: str, database_url: str, tmp_path: Path) -> str:
    """Return the URL of another fresh database: a copy of the migrated SQLite template, or
    the PostgreSQL test database emptied with its ids restarted."""
    if database_url.startswith("sqlite"):
        target = tmp_path / "second.db"
        shutil.copyfile(template_database, target)
        return f"sqlite:///{target}"
    database = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with database.begin() as connection:
        names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    database.dispose()
    return database_url


def test_generation_is_deterministic(make_engine: Callable[..., ProcessEngine],
                                     clock: FixedClock, template_database: str,
                                     database_url: str, tmp_path: Path) -> None:
    first = make_engine()
    generate(first, clock, SHORT_NOW, months=2)
    counts = fingerprint(first)
    first.close()

    second = make_engine(DATABASE_URL=second_database(template_database, database_url,
                                                      tmp_path))
    generate(second, clock, SHORT_NOW, months=2)

    assert fingerprint(second) == counts


def test_no_history_when_months_zero(engine: ProcessEngine, clock: FixedClock) -> None:
    result = generate(engine, clock, SHORT_NOW, months=0)

    assert result["history"] is None
    assert result["users_created"] == 17
    assert instances(engine) == []


def test_cli_loads_history_once(database_url: str) -> None:
    from engine.cli import main

    runner = CliRunner()
    env = {"SLOYFE_DATABASE_URL": database_url, "SLOYFE_SMTP_HOST": "",
           "SLOYFE_NOW": "2027-03-05T10:00"}
    first = runner.invoke(main, ["load-demo", "--history-months", "2"], env=env)
    second = runner.invoke(main, ["load-demo", "--history-months", "2", "--json"], env=env)

    assert first.exit_code == 0, first.output
    assert len(first.output.splitlines()) == 2  # the load, then the history
    assert second.exit_code == 0, second.output
    assert json.loads(second.output)["history"] is None


def test_full_year_has_every_state(engine: ProcessEngine, clock: FixedClock) -> None:
    result = generate(engine, clock, YEAR_NOW, months=12)

    assert result["history"]["failed_steps"] == []
    check_consistent(engine)
    check_performers(engine)
    by_status: dict[str, Counter[str]] = {key: Counter() for key in PROCESSES}
    case_statuses: dict[str, set[str]] = {key: set() for key in PROCESSES}
    for instance in instances(engine):
        by_status[instance.definition_key][instance.status] += 1
        case_statuses[instance.definition_key].add(instance.case_status or "")
    for key in ("avvik", "forbedringsforslag", "politisk-vedtak", "medarbeidersamtale"):
        assert by_status[key]["completed"] > 0, key
        assert by_status[key]["running"] > 0, key
    assert {"Lukket", "Avvist", "Tiltak pågår", "Meldt"} <= case_statuses["avvik"]
    # A risk review waits for its next round after approval, so it never completes.
    assert {"Godkjent", "Pågår"} <= case_statuses["risikovurdering"]
    assert by_status["budsjett"]["running"] == 1
    assert by_status["avvik"]["completed"] + by_status["avvik"]["running"] >= 40

    with engine.transaction(read_only=True):
        session = engine.uow.session
        kinds = {instance.start_data.get("kategori") for instance in session.scalars(
            select(ProcessInstance).where(ProcessInstance.definition_key == "avvik"))}
        escalated = session.scalars(select(Task).where(Task.state == "open",
                                                       Task.escalated.is_(True))).all()
    assert kinds == {"hms", "tjeneste", "informasjonssikkerhet", "bygg"}
    assert escalated != []
    assert task_list(engine, "lise.leder") != []
    assert task_list(engine, "ola.ansatt") != []


@pytest.mark.parametrize("months", [1])
def test_short_window_without_january(engine: ProcessEngine, clock: FixedClock,
                                      months: int) -> None:
    """Without 1 January in the window the budget year starts by hand and nothing fails."""
    result = generate(engine, clock, datetime(2027, 6, 15, 8, 0, tzinfo=UTC), months=months)

    assert result["history"]["failed_steps"] == []
    assert result["history"]["started"]["budsjett"] == 1
    check_consistent(engine)
