"""Building blocks shared by the API's schemas: timestamps, paging and problem details."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, validate

from engine.services.queries import MAX_PAGE_SIZE


class ApiSchema(Schema):
    """Base of every API schema: unknown fields in a request are rejected, not dropped."""


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
    cursor = fields.String(load_default=None, validate=validate.Length(max=40), metadata={
        "description": "The next_cursor of the previous page; leave out for the first page."})


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
