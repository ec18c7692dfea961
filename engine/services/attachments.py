"""Attachments: files added to a case at its tasks, kept in the file store.

Who may read an attachment follows who may read the case (RuntimeService): those who read
the case's record read every attachment of it, and the starter, who sees the case but not
the record, reads the attachments they added themselves. Confidential processes are
respected through the same rules.

Only those who may complete an open task add files at it: its assignee, or, while nobody
has it, those who may take it. The uploader deletes an attachment while its task is open.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select

from engine.attachments import format_size
from engine.attachments.errors import (
    AttachmentEmpty,
    AttachmentNotAllowed,
    AttachmentNotDeletable,
    AttachmentNotFound,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    TooManyAttachments,
)
from engine.attachments.store import FileStore, StagedFile
from engine.attachments.types import KNOWN_TYPES, Detected, FileType, detect
from engine.errors import NotAssignee, TaskAlreadyCompleted, TaskNotFound, TaskNotOpen
from engine.i18n import gettext
from engine.models import Attachment, ProcessInstance, Task
from engine.services.base import Service

log = logging.getLogger(__name__)

# The name of a file sent without one, before its extension.
DEFAULT_STEM = "vedlegg"
# Longest stored file name in characters (the column allows 255).
MAX_FILENAME_CHARACTERS = 200


@dataclass(frozen=True)
class Download:
    attachment: Attachment
    path: Path


def allowed_types(media_types: Iterable[str]) -> tuple[FileType, ...]:
    """Return the file types of the configured media types; an unknown one raises
    ValueError naming those that are known."""
    unknown = [media_type for media_type in media_types if media_type not in KNOWN_TYPES]
    if unknown:
        raise ValueError(f"ATTACHMENT_TYPES names {', '.join(unknown)}, which attachments "
                         f"cannot be recognised as; known types: {', '.join(KNOWN_TYPES)}")
    return tuple(KNOWN_TYPES[media_type] for media_type in media_types)


def clean_filename(raw: str | None, file_type: FileType) -> str:
    """Return the last part of a sent file name without control or formatting characters
    (which can disguise an extension) and leading dots, ending in an extension of the type
    found in the file."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = name.strip().lstrip(".").strip()
    stem, extension = os.path.splitext(name)
    if extension.lower() not in file_type.extensions:
        stem, extension = name, file_type.extensions[0]
    stem = stem[:MAX_FILENAME_CHARACTERS - len(extension)].rstrip() or DEFAULT_STEM
    return stem + extension


class AttachmentService(Service):
    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        config = engine.config
        self.store = FileStore(config["ATTACHMENT_DIR"])
        self.max_bytes = int(config["ATTACHMENT_MAX_BYTES"])
        self.max_per_case = int(config["ATTACHMENT_MAX_PER_CASE"])
        self.allowed = allowed_types(config["ATTACHMENT_TYPES"])

    # --- limits, for the pages and messages ----------------------------------------------

    def allowed_labels(self) -> str:
        """Name the allowed types in the current locale, for messages and help text."""
        return ", ".join(gettext(file_type.label) for file_type in self.allowed)

    def allowed_extensions(self) -> list[str]:
        return [extension for file_type in self.allowed for extension in file_type.extensions]

    def size_limit(self) -> str:
        return format_size(self.max_bytes)

    # --- adding --------------------------------------------------------------------------

    def add(self, task_id: str, username: str, filename: str | None,
            stream: IO[bytes]) -> Attachment:
        """Store the file in `stream` as an attachment of the task's case.

        The checks run before the bytes are read and again, with the case locked, before
        the row is written. A file whose content is not an allowed type, that is empty or
        larger than ATTACHMENT_MAX_BYTES, or that would take the case past
        ATTACHMENT_MAX_PER_CASE, is rejected and nothing is kept. A user who may not see the
        task gets TaskNotFound.
        """
        with self.transaction(read_only=True):
            self._open_task_for(task_id, username)

        staged = self.store.receive(stream, self.max_bytes)
        key: str | None = None
        try:
            detected = self._checked(staged, filename)
            with self.transaction():
                task = self._open_task_for(task_id, username)
                self._check_room(task.instance_id)
                # NOTE: a crash between this rename and the commit leaves a file that no row
                # names; nothing removes such files from the store yet.
                key = self.store.keep(staged)
                attachment = Attachment(
                    instance_id=task.instance_id, task_id=task.id, element_id=task.element_id,
                    filename=clean_filename(filename, detected.file_type),
                    content_type=detected.content_type, size=staged.size,
                    sha256=staged.sha256, storage_key=key, uploaded_by=username,
                    uploaded_at=self.engine.clock.now())
                self.session.add(attachment)
                self.session.flush()
                self.engine.history.record(
                    "attachment_added", username, instance_id=task.instance_id,
                    task_id=task.id, element_id=task.element_id,
                    attachment_id=attachment.id, content_type=detected.file_type.media_type,
                    size=staged.size)
        except BaseException:
            self.store.discard(staged)
            if key is not None:
                self.store.delete(key)
            raise
        log.info("attachment added attachment_id=%s instance_id=%s task_id=%s size=%s",
                 attachment.id, attachment.instance_id, task_id, attachment.size)
        return attachment

    def _checked(self, staged: StagedFile, filename: str | None) -> Detected:
        display_name = filename or DEFAULT_STEM
        if staged.too_large:
            raise AttachmentTooLarge(self.size_limit())
        if staged.size == 0:
            raise AttachmentEmpty(display_name)
        detected = detect(staged.path)
        if detected is None or detected.file_type not in self.allowed:
            raise AttachmentTypeNotAllowed(display_name, self.allowed_labels())
        return detected

    def _open_task_for(self, task_id: str, username: str) -> Task:
        """Return the open task if `username` may add files at it."""
        tasks = self.engine.tasks
        task = tasks.get(task_id)
        if not tasks.may_see(task, username):
            raise TaskNotFound(task_id)
        if task.state == "completed":
            raise TaskAlreadyCompleted(task.id, self._display(task.completed_by))
        if task.state != "open":
            raise TaskNotOpen(task.id, task.state)
        if task.assignee and task.assignee != username:
            raise NotAssignee(task.id, self._display(task.assignee))
        if not task.assignee and not self._may_take(task, username):
            raise AttachmentNotAllowed(task.id)
        self.engine.runtime.require_running(task.instance)
        return task

    def _may_take(self, task: Task, username: str) -> bool:
        return self.engine.tasks.is_candidate(task, username) or \
            self.engine.organisation.has_role(username, "administrator")

    def _check_room(self, instance_id: int) -> None:
        """Reject one more attachment when the case has ATTACHMENT_MAX_PER_CASE. On
        PostgreSQL the case's row is locked first, so two uploads cannot both take the last
        place; SQLite lets one writer in at a time anyway."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(ProcessInstance.id)
                                 .where(ProcessInstance.id == instance_id).with_for_update())
        count = self.session.scalar(select(func.count(Attachment.id))
                                    .where(Attachment.instance_id == instance_id))
        if (count or 0) >= self.max_per_case:
            raise TooManyAttachments(self.max_per_case)

    # --- reading -------------------------------------------------------------------------

    def of_case(self, instance_id: int) -> list[Attachment]:
        """Return every attachment of a case, oldest first; callers check who may read them."""
        return list(self.session.scalars(
            select(Attachment).where(Attachment.instance_id == instance_id)
            .order_by(Attachment.uploaded_at, Attachment.id)))

    def visible(self, instance: ProcessInstance, username: str) -> list[Attachment]:
        """Return the attachments of a case that `username` may read."""
        attachments = self.of_case(instance.id)
        if not attachments:
            return []
        if self.engine.runtime.reads_record(instance, username):
            return attachments
        if not self.engine.runtime.may_see(instance, username):
            return []
        return [attachment for attachment in attachments
                if attachment.uploaded_by == username]

    def may_read(self, attachment: Attachment, instance: ProcessInstance,
                 username: str) -> bool:
        """Return whether `username` reads the case's record, or added the file to a case they
        see."""
        if self.engine.runtime.reads_record(instance, username):
            return True
        return attachment.uploaded_by == username and \
            self.engine.runtime.may_see(instance, username)

    def may_delete(self, attachment: Attachment, username: str) -> bool:
        """Return whether `username` added the file and its task is still open."""
        if attachment.uploaded_by != username or attachment.task_id is None:
            return False
        task = self.session.get(Task, attachment.task_id)
        return task is not None and task.state == "open" and \
            task.instance.status == "running"

    def get(self, instance_id: int, attachment_id: int) -> Attachment:
        attachment = self.session.get(Attachment, attachment_id)
        if attachment is None or attachment.instance_id != instance_id:
            raise AttachmentNotFound(attachment_id)
        return attachment

    def download(self, instance_id: int, attachment_id: int, actor: str, *,
                 reader: str | None) -> Download:
        """Return an attachment and its file, and record the download in the audit trail.

        `reader` is the user whose right to read it is checked; None skips the check, for a
        caller whose access rule already allowed every attachment of the case (an API
        token). `actor` is who the audit trail names. A reader who may not read it, and a
        file missing from the store, give AttachmentNotFound.
        """
        with self.transaction():
            attachment = self.get(instance_id, attachment_id)
            if reader is not None:
                instance = self.engine.runtime.instance(instance_id)
                if not self.may_read(attachment, instance, reader):
                    raise AttachmentNotFound(attachment_id)
            path = self.store.path(attachment.storage_key)
            if not path.is_file():
                log.error("attachment file missing from the store attachment_id=%s key=%s",
                          attachment.id, attachment.storage_key)
                raise AttachmentNotFound(attachment_id)
            self.engine.history.record(
                "attachment_downloaded", actor, instance_id=instance_id,
                task_id=attachment.task_id, element_id=attachment.element_id,
                attachment_id=attachment.id)
            return Download(attachment, path)

    # --- deleting ------------------------------------------------------------------------

    def delete(self, instance_id: int, attachment_id: int, username: str) -> Attachment:
        """Delete an attachment that `username` added, while its task is open."""
        with self.transaction():
            attachment = self.get(instance_id, attachment_id)
            instance = self.engine.runtime.instance(instance_id)
            if not self.may_read(attachment, instance, username):
                raise AttachmentNotFound(attachment_id)
            if not self.may_delete(attachment, username):
                raise AttachmentNotDeletable(attachment_id)
            self.session.delete(attachment)
            self.engine.history.record(
                "attachment_deleted", username, instance_id=instance_id,
                task_id=attachment.task_id, element_id=attachment.element_id,
                attachment_id=attachment.id)
        self.store.delete(attachment.storage_key)
        log.info("attachment deleted attachment_id=%s instance_id=%s", attachment_id,
                 instance_id)
        return attachment

    def delete_case(self, instance_id: int, actor: str | None) -> int:
        """Delete every attachment of a case, rows and files, and return how many there
        were: for a case whose retention time has run out, or that was terminated and must
        not keep its files."""
        with self.transaction():
            attachments = self.of_case(instance_id)
            for attachment in attachments:
                self.session.delete(attachment)
            if attachments:
                self.engine.history.record("attachments_deleted", actor,
                                           instance_id=instance_id, count=len(attachments))
        for attachment in attachments:
            self.store.delete(attachment.storage_key)
        log.info("case attachments deleted instance_id=%s count=%s", instance_id,
                 len(attachments))
        return len(attachments)

    def _display(self, username: str | None) -> str:
        if not username:
            return ""
        return self.engine.organisation.display_names([username]).get(username, username)
