"""What operators watch: the health check, the counts behind /metrics, the scheduler heartbeat.

The health check opens its own connection, with a short timeout, instead of borrowing one
from the engine's pool, because a database that stopped responding must give a quick 503,
not a request that hangs until the pool's own timeout.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from alembic.script import ScriptDirectory
from sqlalchemy import case, create_engine, delete, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from engine.models import Incident, ProcessInstance, SchedulerHeartbeat, Task, Timer
from engine.schema import alembic_config
from engine.services.base import Service

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

log = logging.getLogger(__name__)


@dataclass
class Health:
    """The result of one health check. `reasons` is empty when the web process is healthy."""

    reasons: list[str] = field(default_factory=list)
    revision: str | None = None
    expected_revision: str | None = None
    scheduler_polled_at: datetime | None = None
    scheduler_recent: bool | None = None

    @property
    def healthy(self) -> bool:
        return not self.reasons


@dataclass
class MetricsSnapshot:
    """The database counts of one /metrics scrape, each by process key."""

    instances_started: dict[str, int]
    instances_completed: dict[str, int]
    tasks_open: dict[str, int]
    tasks_overdue: dict[str, int]
    incidents_open: dict[str, int]
    timers_due: int
    timers_late: int
    scheduler_polled_at: datetime | None


class OperationsService(Service):

    def __init__(self, engine: ProcessEngine) -> None:
        super().__init__(engine)
        self._health_engine: Engine | None = None
        self._expected_revision: str | None = None
        # When this process last wrote each worker's heartbeat row.
        self._heartbeats: dict[str, datetime] = {}

    # --- health ----------------------------------------------------------------------------

    def health(self) -> Health:
        """Check that the database answers and has the newest schema, and when the scheduler
        last polled. The scheduler's state is reported, never a reason for failing."""
        result = Health(expected_revision=self.expected_revision())
        try:
            with self._health_connection().connect() as connection:
                connection.execute(text("SELECT 1"))
                result.revision = _revision(connection)
                if result.revision == result.expected_revision:
                    result.scheduler_polled_at = connection.execute(
                        select(func.max(SchedulerHeartbeat.polled_at))).scalar()
        except (SQLAlchemyError, sqlite3.Error, OSError) as error:
            log.warning("health check failed reason=database_unreachable error=%s",
                        type(error).__name__)
            result.reasons.append("database_unreachable")
            return result

        if result.revision != result.expected_revision:
            log.warning("health check failed reason=migrations_pending revision=%s "
                        "expected=%s", result.revision, result.expected_revision)
            result.reasons.append("migrations_pending")
            return result
        result.scheduler_recent = self._is_recent(result.scheduler_polled_at)
        return result

    def expected_revision(self) -> str | None:
        """Return the newest migration's revision id, read once from migrations/."""
        if self._expected_revision is None:
            script = ScriptDirectory.from_config(
                alembic_config(self.engine.config["DATABASE_URL"]))
            self._expected_revision = script.get_current_head()
        return self._expected_revision

    def _is_recent(self, polled_at: datetime | None) -> bool:
        if polled_at is None:
            return False
        idle = timedelta(seconds=float(self.engine.config["SCHEDULER_IDLE_SECONDS"]))
        return self.engine.clock.now() - polled_at <= idle

    def _health_connection(self) -> Engine:
        if self._health_engine is None:
            self._health_engine = _health_engine(
                self.engine.config["DATABASE_URL"],
                float(self.engine.config["HEALTH_TIMEOUT_SECONDS"]))
        return self._health_engine

    def close(self) -> None:
        if self._health_engine is not None:
            self._health_engine.dispose()
            self._health_engine = None

    # --- heartbeat -------------------------------------------------------------------------

    def record_heartbeat(self, worker_id: str) -> bool:
        """Store that `worker_id` polled now, unless it did so less than
        SCHEDULER_HEARTBEAT_SECONDS ago; returns whether a row was written.

        Rows of workers silent for a day are dropped, so stopped workers do not pile up.
        """
        now = self.engine.clock.now()
        interval = timedelta(seconds=float(self.engine.config["SCHEDULER_HEARTBEAT_SECONDS"]))
        last = self._heartbeats.get(worker_id)
        if last is not None and now - last < interval:
            return False

        with self.transaction():
            row = self.session.get(SchedulerHeartbeat, worker_id)
            if row is None:
                self.session.add(SchedulerHeartbeat(worker_id=worker_id, polled_at=now))
            else:
                row.polled_at = now
            self.session.execute(delete(SchedulerHeartbeat).where(
                SchedulerHeartbeat.polled_at < now - timedelta(days=1)))
        self._heartbeats[worker_id] = now
        return True

    # --- metrics ---------------------------------------------------------------------------

    def metrics(self) -> MetricsSnapshot:
        """Count what /metrics reports, in five queries that each read one index.

        NOTE: the instance and open-task counts read every entry of their index, so a scrape
        costs time in proportion to all instances ever started (about 33 ms per 200,000 on
        PostgreSQL, see docs/benchmarks.md). Past a few million instances the counters need
        a running total kept elsewhere.
        """
        now = self.engine.clock.now()
        late = now - timedelta(seconds=float(self.engine.config["METRICS_TIMER_LATE_SECONDS"]))
        with self.transaction(read_only=True) as session:
            started: dict[str, int] = {}
            completed: dict[str, int] = {}
            for key, status, count in session.execute(
                    select(ProcessInstance.definition_key, ProcessInstance.status, func.count())
                    .group_by(ProcessInstance.definition_key, ProcessInstance.status)):
                started[key] = started.get(key, 0) + count
                if status == "completed":
                    completed[key] = count

            open_tasks: dict[str, int] = {}
            overdue: dict[str, int] = {}
            for key, count, overdue_count in session.execute(
                    select(Task.definition_key, func.count(),
                           func.count(case((Task.due_at < now, 1))))
                    .where(Task.state == "open").group_by(Task.definition_key)):
                open_tasks[key] = count
                overdue[key] = overdue_count

            incidents = {key: count for key, count in session.execute(
                select(ProcessInstance.definition_key, func.count(Incident.id))
                .join(ProcessInstance, ProcessInstance.id == Incident.instance_id)
                .where(Incident.resolved_at.is_(None))
                .group_by(ProcessInstance.definition_key))}

            timers_due, timers_late = session.execute(
                select(func.count(), func.count(case((Timer.due_at <= late, 1))))
                .where(Timer.due_at <= now)).one()
            polled_at = session.scalar(select(func.max(SchedulerHeartbeat.polled_at)))

        return MetricsSnapshot(
            instances_started=started, instances_completed=completed, tasks_open=open_tasks,
            tasks_overdue=overdue, incidents_open=incidents, timers_due=int(timers_due),
            timers_late=int(timers_late), scheduler_polled_at=polled_at)


def _revision(connection: Connection) -> str | None:
    """Return the schema's migration revision, or None when no migration has run."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _health_engine(url: str, timeout: float) -> Engine:
    """Build an engine without a pool whose connections give up after `timeout` seconds."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]

        def connect() -> sqlite3.Connection:
            # Read-only mode fails on a missing file, where a plain connect would create an
            # empty database and report it as unmigrated.
            return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                                   timeout=timeout, check_same_thread=False)

        return create_engine("sqlite://", creator=connect, poolclass=NullPool)

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    milliseconds = max(1, int(timeout * 1000))
    return create_engine(url, poolclass=NullPool, connect_args={
        "connect_timeout": max(1, round(timeout)),
        "options": f"-c statement_timeout={milliseconds}"})

