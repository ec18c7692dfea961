"""Process instances (cases): listing, details, starting, variables and history."""

from __future__ import annotations

from marshmallow import fields, validate

from engine.api.schemas.common import (
    ApiSchema,
    PageQuerySchema,
    PageSchema,
    nullable_timestamp,
    timestamp,
)
from engine.api.schemas.tasks import TaskSchema
from engine.models.runtime import INSTANCE_STATUSES

VARIABLES_DESCRIPTION = ("Process variables by name. With a start form, the form's rules "
                         "check them; other names are dropped.")


class InstanceQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(INSTANCE_STATUSES))
    process = fields.String(load_default=None, validate=validate.Length(max=128), metadata={
        "description": "Process key."})
    business_key = fields.String(load_default=None, validate=validate.Length(max=128),
                                 metadata={"description": "Case number."})


class InstanceSchema(ApiSchema):
    id = fields.Integer(required=True)
    business_key = fields.String(allow_none=True, required=True, metadata={
        "description": "Case number."})
    title = fields.String(allow_none=True, required=True)
    process = fields.String(required=True, metadata={"description": "Process key."})
    status = fields.String(required=True, validate=validate.OneOf(INSTANCE_STATUSES))
    case_status = fields.String(allow_none=True, required=True, metadata={
        "description": "The process's own status word for users."})
    started_by = fields.String(allow_none=True, required=True)
    started_at = timestamp(required=True)
    ended_at = nullable_timestamp("When the case ended; null while it runs.")
    unit = fields.String(allow_none=True, required=True, metadata={"description": "Unit code."})
    has_incident = fields.Boolean(required=True)


class InstancePageSchema(PageSchema):
    items = fields.List(fields.Nested(InstanceSchema), required=True)


class InstanceIncidentSchema(ApiSchema):
    id = fields.Integer(required=True)
    element_id = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True)
    message = fields.String(required=True)
    created_at = timestamp(required=True)


class TimerSchema(ApiSchema):
    element_id = fields.String(required=True)
    due_at = timestamp(required=True)


class AuditEventSchema(ApiSchema):
    at = timestamp(required=True)
    actor = fields.String(allow_none=True, required=True)
    action = fields.String(required=True)
    instance_id = fields.Integer(allow_none=True, required=True)
    task_id = fields.String(allow_none=True, required=True)
    element_id = fields.String(allow_none=True, required=True)
    details = fields.Dict(required=True, metadata={
        "description": "Ids and codes of the event; never form values."})


class InstanceDetailsSchema(InstanceSchema):
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)
    incidents = fields.List(fields.Nested(InstanceIncidentSchema), required=True)
    timers = fields.List(fields.Nested(TimerSchema), required=True)
    audit = fields.List(fields.Nested(AuditEventSchema), required=True)


class StartRequestSchema(ApiSchema):
    process = fields.String(required=True, validate=validate.Length(min=1, max=128), metadata={
        "description": "Key of the process to start; its newest version runs."})
    business_key = fields.String(load_default=None, validate=validate.Length(min=1, max=128),
                                 metadata={"description": "Case number; a new one when left "
                                           "out."})
    variables = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": VARIABLES_DESCRIPTION})


class StartResultSchema(ApiSchema):
    instance_id = fields.Integer(required=True)
    business_key = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, validate=validate.OneOf(INSTANCE_STATUSES))
    case_status = fields.String(allow_none=True, required=True)
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)


class VariablesSchema(ApiSchema):
    variables = fields.Dict(keys=fields.String(), required=True, metadata={
        "description": "The current process variables (personal data: store with care)."})
    hidden = fields.List(fields.String(), required=True, metadata={
        "description": "The variables with personal data whose value the caller may not "
                       "read; their value in `variables` is \"***\"."})


class HistorySchema(ApiSchema):
    items = fields.List(fields.Nested(AuditEventSchema), required=True)
