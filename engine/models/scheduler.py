"""The scheduler's own rows: when each worker last polled, and when each daily task last ran."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class SchedulerHeartbeat(Base):
    """One row per worker, rewritten at most every SCHEDULER_HEARTBEAT_SECONDS."""

    __tablename__ = "scheduler_heartbeat"

    worker_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    polled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ScheduledRun(Base):
    """One row per daily scheduler task (such as retention): the local date of its last run,
    so that of several workers only the one whose conditional update wins runs it that day."""

    __tablename__ = "scheduled_run"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_run_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    worker_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
