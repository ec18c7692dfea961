"""The attachments of a case as the task and case pages list them, and the upload limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from engine.attachments import format_size
from engine.attachments.types import KNOWN_TYPES
from engine.engine import ProcessEngine
from engine.errors import TaskNotFound
from engine.models import ProcessInstance


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    instance_id: int
    filename: str
    type_label: str
    size: str
    uploaded_by_name: str
    uploaded_at: datetime
    step_name: str
    may_delete: bool


@dataclass(frozen=True)
class UploadLimits:
    """The allowed types and size that the upload form shows before a file is chosen."""

    allowed: str
    max_size: str
    accept: str  # the file input's accept attribute: the allowed extensions


def attachment_rows(engine: ProcessEngine, instance: ProcessInstance,
                    username: str) -> list[AttachmentRow]:
    """List the attachments of a case that `username` may read; call inside a transaction."""
    attachments = engine.attachments.visible(instance, username)
    if not attachments:
        return []
    names = engine.organisation.display_names(a.uploaded_by for a in attachments)
    step_names = _step_names(engine, {a.task_id for a in attachments if a.task_id})
    rows = []
    for attachment in attachments:
        media_type = attachment.content_type.split(";", 1)[0]
        file_type = KNOWN_TYPES.get(media_type)
        rows.append(AttachmentRow(
            id=attachment.id, instance_id=attachment.instance_id,
            filename=attachment.filename,
            type_label=_(file_type.label) if file_type else media_type,
            size=format_size(attachment.size),
            uploaded_by_name=names.get(attachment.uploaded_by, attachment.uploaded_by),
            uploaded_at=attachment.uploaded_at,
            step_name=step_names.get(attachment.task_id or "", ""),
            may_delete=engine.attachments.may_delete(attachment, username)))
    return rows


def upload_limits(engine: ProcessEngine) -> UploadLimits:
    service = engine.attachments
    return UploadLimits(allowed=service.allowed_labels(), max_size=service.size_limit(),
                        accept=",".join(service.allowed_extensions()))


def _step_names(engine: ProcessEngine, task_ids: set[str]) -> dict[str, str]:
    names = {}
    for task_id in task_ids:
        try:
            names[task_id] = engine.tasks.get(task_id).name
        except TaskNotFound:
            continue  # a task removed with its case's history; the step stays unnamed
    return names
