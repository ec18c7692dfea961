"""Unfinished diagrams and forms that process owners save before they deploy them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JSONText, UTCDateTime


class ProcessDraft(Base):
    """A saved draft of one process and its forms. Several drafts may exist per process.

    `process_key` is None for a process that has never been deployed; `base_version` is the
    deployed version the draft began from. A deployed draft keeps the version it became.
    """

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str | None] = mapped_column(String(128), index=True)
    label: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    # form id -> form-js schema
    forms: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))
    base_version: Mapped[int | None] = mapped_column(Integer)
    deployed_version: Mapped[int | None] = mapped_column(Integer)
    deployed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
