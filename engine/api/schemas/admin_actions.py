"""Administrator actions on cases: requests with a reason, and their results."""

from __future__ import annotations

from marshmallow import fields, validate

from engine.api.blueprint import MAX_ID
from engine.api.schemas.common import ApiSchema
from engine.api.schemas.tasks import HandOverRequestSchema
from engine.models.runtime import INSTANCE_STATUSES
from engine.services.admin_actions import BATCH_ACTIONS

REASON = fields.String(required=True, validate=validate.Length(max=1000), metadata={
    "description": "Why the administrator makes the change; kept in the case history. "
                   "Blank text gives 422 (reason_required)."})


class ReasonSchema(ApiSchema):
    reason = REASON


class VariableRequestSchema(ApiSchema):
    reason = REASON
    value = fields.Raw(required=True, allow_none=True, metadata={
        "description": "The new value, any JSON value."})


class MoveRequestSchema(ApiSchema):
    reason = REASON
    element_id = fields.String(required=True, validate=validate.Length(min=1, max=255),
                               metadata={"description": "The earlier user task to go back to."})


class MigrateRequestSchema(ApiSchema):
    reason = REASON
    definition_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID),
                                   metadata={"description": "The process version to move to."})


class RetryRequestSchema(ApiSchema):
    reason = REASON
    force = fields.Boolean(load_default=False, metadata={
        "description": "Retry even when nothing has changed since the failure, for causes "
                       "that pass by themselves (a mail server that was down)."})


class BatchRequestSchema(ApiSchema):
    reason = REASON
    action = fields.String(required=True, validate=validate.OneOf(BATCH_ACTIONS))
    instance_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
                               required=True, validate=validate.Length(min=1, max=500))
    definition_id = fields.Integer(load_default=None,
                                   validate=validate.Range(min=1, max=MAX_ID), metadata={
                                       "description": "For migrate: the version to move to."})
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=255),
                         metadata={"description": "For set_variable: the variable."})
    value = fields.Raw(load_default=None, allow_none=True, metadata={
        "description": "For set_variable: the new value, any JSON value."})


class ActionResultSchema(ApiSchema):
    instance_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(INSTANCE_STATUSES))
    case_status = fields.String(allow_none=True, required=True)
    definition_id = fields.Integer()
    version = fields.Integer()


class VariableResultSchema(ApiSchema):
    instance_id = fields.Integer(required=True)
    name = fields.String(required=True)


class BatchItemSchema(ApiSchema):
    instance_id = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    code = fields.String(metadata={"description": "The error code when ok is false."})
    message = fields.String(metadata={"description": "The error message when ok is false."})


class BatchResultSchema(ApiSchema):
    items = fields.List(fields.Nested(BatchItemSchema), required=True)


class ReassignRequestSchema(HandOverRequestSchema):
    reason = fields.String(load_default=None, validate=validate.Length(max=1000), metadata={
        "description": "With a reason, an administrator reassigns as a repair, and the "
                       "reason is kept in the case history."})
