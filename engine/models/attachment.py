"""Attachments of cases: what each file is and where the file store keeps it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class Attachment(Base):
    """A file added to a case at one of its tasks. The bytes are in the file store under
    `storage_key`, never in this row or in the workflow state."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    # The task it was added at; None for a file added to the case outside a task.
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(255))
    # The sender's file name, cleaned of directories and control characters, for display
    # and as the name of the download.
    filename: Mapped[str] = mapped_column(String(255))
    # Found from the bytes (engine.attachments.types), with charset for plain text.
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
