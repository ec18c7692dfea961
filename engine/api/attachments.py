"""/api/v1/instances/<id>/attachments and /api/v1/tasks/<id>/attachments: the files of a
case.

A signed-in user lists and downloads the attachments that `AttachmentService.visible`
allows: all of them for those who read the case's record, their own for the starter. A
token with instances:read reads every attachment of a case, and those of confidential
processes only with confidential:read as well. Uploading and deleting act as a user: the
signed-in one, or the user a token with tasks:write acts as, who must be allowed to
complete the task (upload) or have added the file (delete).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.access import CASE_VIEWER, TASK_VIEWER, access, any_of, case_scope
from engine.api.auth import acting_user, signed_in_user
from engine.api.blueprint import MAX_ID, MULTIPART, Blueprint
from engine.api.context import api_engine
from engine.api.schemas.attachments import (
    AttachmentListSchema,
    AttachmentSchema,
    UploadRequestSchema,
)
from engine.attachments.download import attachment_response
from engine.attachments.errors import AttachmentTooLarge
from engine.attachments.types import KNOWN_TYPES
from engine.request_limits import upload_limit

blp = Blueprint("api_attachments", __name__, url_prefix="/api/v1",
                description="Attachments: files added to cases at their tasks.")

ATTACHMENTS = f"/instances/<int(max={MAX_ID}):instance_id>/attachments"
ATTACHMENT = ATTACHMENTS + f"/<int(max={MAX_ID}):attachment_id>"

READ = any_of(CASE_VIEWER, case_scope("instances:read"))
UPLOAD = any_of(TASK_VIEWER, case_scope("tasks:write"))
DELETE = any_of(CASE_VIEWER, case_scope("tasks:write"))

FILE_RESPONSE = {
    "description": "The file, with the content type found when it was uploaded.",
    "content": {media_type: {"schema": {"type": "string", "format": "binary"}}
                for media_type in KNOWN_TYPES},
}


@blp.route(ATTACHMENTS, methods=["GET"], endpoint="list")
@access(READ)
@blp.response(200, AttachmentListSchema)
@blp.alt_response(404, response="NOT_FOUND")
def list_attachments(instance_id: int) -> dict[str, Any]:
    """List the attachments of a case, oldest first."""
    engine = api_engine()
    username = signed_in_user()
    with engine.transaction(read_only=True):
        instance = engine.runtime.instance(instance_id)
        if username is None:
            return {"items": engine.attachments.of_case(instance_id)}
        return {"items": engine.attachments.visible(instance, username)}


@blp.route(ATTACHMENT, methods=["GET"], endpoint="get")
@access(READ)
@blp.doc(responses={"200": FILE_RESPONSE})
@blp.alt_response(404, response="NOT_FOUND")
def download_attachment(instance_id: int, attachment_id: int) -> Response:
    """Download an attachment, as a file to save (Content-Disposition: attachment)."""
    found = api_engine().attachments.download(instance_id, attachment_id, acting_user(),
                                              reader=signed_in_user())
    return attachment_response(found.path, found.attachment.content_type,
                               found.attachment.filename)


@blp.route(ATTACHMENT, methods=["DELETE"], endpoint="delete")
@access(DELETE)
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN", description=(
    "Only the user who added the attachment may delete it, while its task is open."))
@blp.alt_response(404, response="NOT_FOUND")
def delete_attachment(instance_id: int, attachment_id: int) -> None:
    """Delete an attachment that the acting user added, while its task is open."""
    api_engine().attachments.delete(instance_id, attachment_id, acting_user())


@blp.route("/tasks/<task_id>/attachments", methods=["POST"], endpoint="upload")
@access(UPLOAD)
@upload_limit("ATTACHMENT_MAX_BYTES", AttachmentTooLarge)
@blp.arguments(UploadRequestSchema, location=MULTIPART)
@blp.response(201, AttachmentSchema)
@blp.alt_response(403, response="FORBIDDEN", description=(
    "The acting user may not complete the task."))
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description=(
    "The task is no longer open, or the case has as many attachments as it may have."))
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description=(
    "The file is larger than ATTACHMENT_MAX_BYTES."))
@blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE", description=(
    "The content is not of an allowed type; the detail lists the allowed types."))
def upload_attachment(body: dict[str, Any], task_id: str) -> Any:
    """Add a file to the task's case, as the acting user.

    The type is found from the content; the type the client declares is ignored. An empty
    file gives 422.
    """
    sent = body["file"]
    return api_engine().attachments.add(task_id, acting_user(), sent.filename, sent.stream)
