"""Building blocks shared by the API's schemas: timestamps, paging and problem details."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, pre_load, validate
from werkzeug.datastructures import FileStorage

from engine.api.validation import NUL_MESSAGE
from engine.services.queries import MAX_PAGE_SIZE


class ApiSchema(Schema):
    """Base of every API schema: unknown fields in a request are rejected, not dropped, and
    so is text with NUL characters, which PostgreSQL cannot store."""

    @pre_load
    def reject_nul_characters(self, data: Any, **_kwargs: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        invalid = sorted(str(name) for name in data if _contains_nul(data[name]))
        if invalid:
            raise ValidationError({name: [NUL_MESSAGE] for name in invalid})
        return data


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, FileStorage):
        return "\x00" in (value.filename or "")
    if isinstance(value, Mapping):
        return any(_contains_nul(key) or _contains_nul(inner) for key, inner in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


class FileUpload(Upload):
    """A file part of a multipart/form-data body. A plain form field of the same name is
    invalid, so views always get a FileStorage with a stream and a filename."""

    default_error_messages = {"invalid": "Invalid type."}

    def _deserialize(self, value: Any, attr: str | None, data: Any,
                     **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return value


class Timestamp(fields.String):
    """An ISO 8601 date and time with offset; accepts a datetime or the services' text."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if isinstance(value, datetime):
            return value.isoformat()
        return super()._serialize(value, attr, obj, **kwargs)


def timestamp(**kwargs: Any) -> Timestamp:
    return Timestamp(metadata={"format": "date-time", **kwargs.pop("metadata", {})}, **kwargs)


def nullable_timestamp(description: str) -> Timestamp:
    return timestamp(allow_none=True, metadata={"description": description})


class PageQuerySchema(ApiSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
                           metadata={"description": "Items per page."})
    cursor = fields.String(load_default=None, validate=validate.Regexp(r"^[0-9]{1,9}$"),
                           metadata={"description": "The next_cursor of the previous page; "
                                     "leave out for the first page."})


class PageSchema(ApiSchema):
    next_cursor = fields.String(allow_none=True, required=True, metadata={
        "description": "Pass as cursor to fetch the next page; null on the last page."})


class DefinitionProblemSchema(ApiSchema):
    file = fields.String(required=True)
    line = fields.Integer(allow_none=True, required=True)
    element_id = fields.String(allow_none=True, required=True)
    message = fields.String(required=True)


class ProblemSchema(ApiSchema):
    """An error as RFC 9457 problem details."""

    type = fields.String(required=True, metadata={
        "format": "uri", "description": "https://sloyfe.no/problems/<code>"})
    title = fields.String(required=True, metadata={
        "description": "Short summary of the status, in the caller's locale."})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={
        "description": "What went wrong this time and what to do, in the caller's locale."})
    instance = fields.String(required=True, metadata={"description": "The request path."})
    code = fields.String(required=True, metadata={"description": "Stable error code."})
    request_id = fields.String(allow_none=True, metadata={
        "description": "The id under which the server logged the request."})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "Invalid fields: field name to messages."})
    problems = fields.List(fields.Nested(DefinitionProblemSchema), metadata={
        "description": "Why a deployment failed: each problem with file, line and element."})
