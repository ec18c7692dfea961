"""The e-mail outbox: notifications that the scheduler sends after their command commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime

NOTIFICATION_KINDS = ("task_assigned", "task_reminder", "task_escalated")
NOTIFICATION_STATUSES = ("pending", "sent", "skipped", "failed")


class Notification(Base):
    """An e-mail to one user about one task, written in the transaction of the command that
    caused it, so it is sent only if that command commits.

    The row contains ids only. The scheduler composes the message when it sends it, from the
    task as it is then, and skips it when the task is closed or has another assignee.
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(64))
    # No foreign keys: a notification must not hold back deleting a case or a task, and
    # one whose task is gone is skipped.
    instance_id: Mapped[int] = mapped_column(Integer, index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
