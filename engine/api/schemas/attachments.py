"""Attachments of cases: listing and uploading."""

from __future__ import annotations

from marshmallow import fields

from engine.api.schemas.common import ApiSchema, FileUpload, timestamp


class AttachmentSchema(ApiSchema):
    id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    task_id = fields.String(allow_none=True, required=True, metadata={
        "description": "The task it was added at."})
    element_id = fields.String(allow_none=True, required=True, metadata={
        "description": "The BPMN element of that task."})
    filename = fields.String(required=True, metadata={
        "description": "The sender's file name without directories or control characters, "
                       "ending in an extension of its content type."})
    content_type = fields.String(required=True, metadata={
        "description": "Found from the content, with charset for plain text."})
    size = fields.Integer(required=True, metadata={"description": "In bytes."})
    sha256 = fields.String(required=True, metadata={
        "description": "SHA-256 of the content, hexadecimal."})
    uploaded_by = fields.String(required=True)
    uploaded_at = timestamp(required=True)


class AttachmentListSchema(ApiSchema):
    items = fields.List(fields.Nested(AttachmentSchema), required=True)


class UploadRequestSchema(ApiSchema):
    file = FileUpload(required=True, metadata={
        "description": "The file. Its type is found from its content, and must be one of the "
                       "allowed types (ATTACHMENT_TYPES)."})
