"""Deployed, versioned process and form definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, JSONText, UTCDateTime


class ProcessDefinition(Base):
    """One deployed version of a BPMN process. Running instances keep the version they began on."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(255))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    start_form_ref: Mapped[str | None] = mapped_column(String(128))
    # form id -> form_definition.id of the form versions this process version runs with
    form_versions: Mapped[dict[str, Any]] = mapped_column(JSONText, default=dict)
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    change_note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Who may read the cases (the process properties confidential and readerGroups). The
    # newest version of a key decides for every case of that key.
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reader_groups: Mapped[list[str]] = mapped_column(JSONText, default=list,
                                                     server_default="[]")


class FormDefinition(Base):
    """One deployed version of a form-js form, found by the id that camunda:formRef names."""

    __tablename__ = "form_definition"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255))
    schema: Mapped[dict[str, Any]] = mapped_column(JSONText)
    # The .form file as deployed, so a download gives back the same bytes (None before 0018).
    source: Mapped[str | None] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    deployed_by: Mapped[str | None] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    process_definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definition.id"))


class Setting(Base):
    """A configuration value that process owners may change without a deploy (deadlines, kinds)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONText)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(64))
