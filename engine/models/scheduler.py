"""The scheduler's heartbeat: when each worker last polled for due timers and jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class SchedulerHeartbeat(Base):
    """One row per worker, rewritten at most every SCHEDULER_HEARTBEAT_SECONDS."""

    __tablename__ = "scheduler_heartbeat"

    worker_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    polled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
