"""Attachments on the task and case pages: upload at a task, download and delete.

On a task with a form, the upload button posts the task's form (multipart) to the upload
route, so the values typed so far come along. The upload stores only the file and never
completes the task; the task page is shown again with the typed values in the form. On a
task without a form the upload is a form of its own. Both work without JavaScript.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from engine.access import CASE_VIEWER, TASK_VIEWER, access
from engine.attachments.download import attachment_response
from engine.attachments.errors import (
    AttachmentNotDeletable,
    AttachmentNotFound,
    AttachmentRejected,
    AttachmentTooLarge,
    NoFileChosen,
)
from engine.errors import (
    InstanceNotRunning,
    PermissionDenied,
    TaskAlreadyCompleted,
    TaskNotFound,
    TaskNotOpen,
)
from engine.request_limits import upload_limit
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine
from engine.web.tasks import task_page_response

log = logging.getLogger(__name__)

bp = Blueprint("attachments", __name__)

FILE_FIELD = "fil"
# Ids are 32-bit integer columns; PostgreSQL fails on a larger number instead of finding none.
MAX_ID = 2**31 - 1
ATTACHMENT = f"/saker/<int(max={MAX_ID}):instance_id>/vedlegg/<int(max={MAX_ID}):attachment_id>"

# Reasons an upload is not stored. The task page shows the reason, and the file is not kept.
UPLOAD_REJECTIONS = (AttachmentRejected, PermissionDenied, TaskAlreadyCompleted, TaskNotOpen,
                     InstanceNotRunning)


@bp.route("/oppgaver/<task_id>/vedlegg", methods=["POST"])
@access(TASK_VIEWER)
@upload_limit("ATTACHMENT_MAX_BYTES", AttachmentTooLarge)
def upload(task_id: str) -> Response | tuple[str, int]:
    user = current_user()
    engine = sloyfe_engine()
    sent = request.files.get(FILE_FIELD)
    posted = request.form if set(request.form) - {"csrf_token"} else None
    try:
        if sent is None or not sent.filename:
            raise NoFileChosen()
        attachment = engine.attachments.add(task_id, user.username, sent.filename,
                                            sent.stream)
    except TaskNotFound:
        abort(404)
    except UPLOAD_REJECTIONS as rejected:
        log.info("attachment rejected task_id=%s code=%s", task_id, rejected.code)
        flash(str(rejected), "error")
        return task_page_response(task_id, user.username, rejected.http_status, posted)

    flash(_("%(filename)s is attached to the case.", filename=attachment.filename), "success")
    if posted is not None:
        # NOTE: the page is the response to the post, so reloading it asks to send the file
        # again. A redirect would lose the typed values, which only the post carries.
        return task_page_response(task_id, user.username, 200, posted)
    return redirect(url_for("tasks.task_page", task_id=task_id, _anchor="vedlegg"))


@bp.route(ATTACHMENT)
@access(CASE_VIEWER)
def download(instance_id: int, attachment_id: int) -> Response:
    user = current_user()
    try:
        found = sloyfe_engine().attachments.download(instance_id, attachment_id,
                                                     user.username, reader=user.username)
    except AttachmentNotFound:
        abort(404)
    return attachment_response(found.path, found.attachment.content_type,
                               found.attachment.filename)


@bp.route(ATTACHMENT + "/slett", methods=["POST"])
@access(CASE_VIEWER)
def delete(instance_id: int, attachment_id: int) -> Response:
    user = current_user()
    engine = sloyfe_engine()
    try:
        attachment = engine.attachments.delete(instance_id, attachment_id, user.username)
    except AttachmentNotFound:
        abort(404)
    except AttachmentNotDeletable as rejected:
        flash(str(rejected), "error")
        return redirect(url_for("cases.case", instance_id=instance_id))

    flash(_("%(filename)s is deleted.", filename=attachment.filename), "success")
    if attachment.task_id:
        return redirect(url_for("tasks.task_page", task_id=attachment.task_id,
                                _anchor="vedlegg"))
    return redirect(url_for("cases.case", instance_id=instance_id))
