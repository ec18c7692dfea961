"""Why an attachment was rejected or not found, as engine errors with bokmål messages."""

from __future__ import annotations

from engine.errors import EngineError, NotFound, PermissionDenied
from engine.i18n import N_


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"
    message = N_("No attachment with id %(attachment_id)s exists in this case.")

    def __init__(self, attachment_id: int) -> None:
        super().__init__(attachment_id=attachment_id)


class AttachmentRejected(EngineError):
    """Root of the reasons an uploaded file is not stored."""

    code = "attachment_rejected"


class NoFileChosen(AttachmentRejected):
    code = "attachment_missing"
    message = N_("Choose a file to upload.")


class AttachmentEmpty(AttachmentRejected):
    code = "attachment_empty"
    http_status = 422
    message = N_("The file %(filename)s is empty. Choose another file.")

    def __init__(self, filename: str) -> None:
        super().__init__(filename=filename)


class AttachmentTooLarge(AttachmentRejected):
    code = "attachment_too_large"
    http_status = 413
    message = N_("The file is too large. A file can be at most %(limit)s. Choose a smaller "
                 "file, or split it into several.")

    def __init__(self, limit: str) -> None:
        super().__init__(limit=limit)


class AttachmentTypeNotAllowed(AttachmentRejected):
    code = "attachment_type_not_allowed"
    http_status = 415
    message = N_("The file %(filename)s cannot be attached, because its content is not of an "
                 "allowed type. Allowed types: %(allowed)s.")

    def __init__(self, filename: str, allowed: str) -> None:
        super().__init__(filename=filename, allowed=allowed)


class TooManyAttachments(AttachmentRejected):
    code = "too_many_attachments"
    http_status = 409
    message = N_("The case already has %(limit)s attachments, which is the limit. Delete one "
                 "that is no longer needed, or ask an administrator to raise the limit.")

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit)


class AttachmentNotDeletable(PermissionDenied):
    code = "attachment_not_deletable"
    message = N_("Only the person who added an attachment may delete it, and only while its "
                 "task is open.")

    def __init__(self, attachment_id: int) -> None:
        super().__init__(attachment_id=attachment_id)


class AttachmentNotAllowed(PermissionDenied):
    code = "attachment_not_allowed"
    message = N_("Only those who may complete the task can attach files to it. Ask the unit "
                 "leader or an administrator to assign the task to you.")

    def __init__(self, task_id: str) -> None:
        super().__init__(task_id=task_id)
