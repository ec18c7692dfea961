"""Running state: process instances, the task-list projection, timers, jobs and incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, JSONText, UTCDateTime

INSTANCE_STATUSES = ("running", "completed", "terminated", "suspended")
BY_DUE = ("due_at", text("priority DESC"), "created_at", "id")
TASK_STATES = ("open", "completed", "cancelled")


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    # The instance counters of /metrics count by process and status.
    __table_args__ = (
        Index("ix_process_instance_key_status", "definition_key", "status"),
        Index("uq_process_instance_key_unique_key", "definition_key", "unique_key",
              unique=True),
        # The administrators' instance list pages by id within a status, an open incident
        # or a start date range (engine/web/admin_query.py).
        Index("ix_process_instance_status_id", "status", "id"),
        Index("ix_process_instance_incident_id", "has_incident", "id"),
        Index("ix_process_instance_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    definition_key: Mapped[str] = mapped_column(String(128), index=True)
    business_key: Mapped[str | None] = mapped_column(String(128), index=True)
    # The business key again when the process takes it from the start data
    # (businessKeyVariable), so the unique index above lets one case per process have it,
    # also under concurrent starts. NULL for other processes, and the index skips NULLs.
    unique_key: Mapped[str | None] = mapped_column(String(128))
    title: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    # The process's own status for users (Meldt, Under behandling ...), set by status properties.
    case_status: Mapped[str | None] = mapped_column(String(64))
    started_by: Mapped[str | None] = mapped_column(String(64), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    has_incident: Mapped[bool] = mapped_column(Boolean, default=False)
    # True whenever timer or job rows of the instance may exist (only the engine's sync creates
    # them and sets these), so a command on an instance without any skips looking them up.
    has_timers: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    has_jobs: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    has_subscriptions: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default=false())
    # The start form as the starter sent it; later steps may change the variables, not this.
    start_data: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    # Loaded only when the engine runs the instance, so task lists do not read it.
    state: Mapped[str] = mapped_column(Text, deferred=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}


class Task(Base):
    """One row per user task, open or finished: what the task list queries."""

    __tablename__ = "task"
    # The task lists filter open tasks on nothing, the assignee or the unit, and read them in
    # deadline or priority order (see engine/services/task_filters.py).
    __table_args__ = (
        Index("ix_task_open_due", "state", *BY_DUE),
        Index("ix_task_open_assignee_due", "state", "assignee", *BY_DUE),
        Index("ix_task_open_unit_due", "state", "unit_id", *BY_DUE),
        Index("ix_task_open_priority", "state", text("priority DESC"), "due_at", "created_at",
              "id"),
        # The task gauges of /metrics count open and overdue tasks by process.
        Index("ix_task_state_key_due", "state", "definition_key", "due_at"),
        # Whether an instance has an open user task, read from the index alone (the Waiting
        # status of engine/web/admin_query.py).
        Index("ix_task_instance_state", "instance_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    definition_key: Mapped[str] = mapped_column(String(128))
    element_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(300))
    documentation: Mapped[str | None] = mapped_column(Text)
    form_ref: Mapped[str | None] = mapped_column(String(128))
    form_definition_id: Mapped[int | None] = mapped_column(ForeignKey("form_definition.id"))
    assignee: Mapped[str | None] = mapped_column(String(64))
    candidate_groups: Mapped[list[str]] = mapped_column(JSONText, default=list)
    candidate_users: Mapped[list[str]] = mapped_column(JSONText, default=list)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    follow_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    priority: Mapped[int] = mapped_column(Integer, default=50)
    state: Mapped[str] = mapped_column(String(16), default="open")
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(64))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the user submitted; readable only by those who may see the case.
    submitted_data: Mapped[dict[str, Any] | None] = mapped_column(JSONText)

    instance: Mapped[ProcessInstance] = relationship()
    candidates: Mapped[list[TaskCandidate]] = relationship(
        cascade="all, delete-orphan", back_populates="task")


class TaskCandidate(Base):
    """A group key or user name that may take a task, indexed for the shared task lists."""

    __tablename__ = "task_candidate"
    __table_args__ = (Index("ix_task_candidate_lookup", "kind", "value", "task_id"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(128), primary_key=True)

    task: Mapped[Task] = relationship(back_populates="candidates")


class Timer(Base):
    """A timer due at `due_at`, which the scheduler claims and fires.

    Either a waiting timer event of an instance (`instance_id`, `task_id`), or a timer start
    event of a process version (`definition_id`), which starts a new instance each time it
    fires; `remaining` counts the firings left of a bounded cycle (-1 for unbounded).
    """

    __tablename__ = "timer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"),
                                                    index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"),
                                                      index=True)
    remaining: Mapped[int | None] = mapped_column(Integer)
    element_id: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Job(Base):
    """A service-task call waiting to run, with retries and backoff."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Incident(Base):
    """A failure that stops an instance until an administrator acts."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class MessageSubscription(Base):
    """A message a process waits for by name.

    Either a waiting catch event of an instance (`instance_id`, `task_id`), or a message start
    event of a process version (`definition_id`), which starts a new instance.
    """

    __tablename__ = "message_subscription"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_name: Mapped[str] = mapped_column(String(255), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"),
                                                    index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"),
                                                      index=True)
    element_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
