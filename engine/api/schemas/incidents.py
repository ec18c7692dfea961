"""Incidents: failed steps that wait for an administrator."""

from __future__ import annotations

from marshmallow import fields, validate

from engine.api.blueprint import MAX_ID
from engine.api.schemas.common import ApiSchema, timestamp


class IncidentQuerySchema(ApiSchema):
    instance_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID),
                                 metadata={
                                     "description": "Only the incidents of this instance."})


class IncidentSchema(ApiSchema):
    id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
    task_id = fields.String(allow_none=True, required=True)
    element_id = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True)
    message = fields.String(required=True)
    created_at = timestamp(required=True)


class IncidentListSchema(ApiSchema):
    items = fields.List(fields.Nested(IncidentSchema), required=True)


class RetryResultSchema(ApiSchema):
    incident_id = fields.Integer(required=True)
    instance_id = fields.Integer(required=True)
