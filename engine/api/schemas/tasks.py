"""User tasks: task lists, one task, claiming and completing."""

from __future__ import annotations

from marshmallow import fields, validate

from engine.api.schemas.common import (
    ApiSchema,
    PageQuerySchema,
    PageSchema,
    nullable_timestamp,
    timestamp,
)
from engine.models.runtime import INSTANCE_STATUSES, TASK_STATES

USER_VIEWS = ("mine", "group", "unit", "all")


class TaskQuerySchema(PageQuerySchema):
    view = fields.String(load_default=None, validate=validate.OneOf(USER_VIEWS), metadata={
        "description": "For signed-in users: mine (default), group, unit, or all "
                       "(administrators). Not for API tokens."})
    assignee = fields.String(load_default=None, validate=validate.Length(max=64), metadata={
        "description": "For API tokens: open tasks assigned to this user."})
    candidate_group = fields.String(load_default=None, validate=validate.Length(max=128),
                                    metadata={"description": "For API tokens: open tasks "
                                              "offered to this group."})
    candidate_user = fields.String(load_default=None, validate=validate.Length(max=64),
                                   metadata={"description": "For API tokens: open tasks "
                                             "offered to this user by name."})


class TaskSchema(ApiSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    element_id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    business_key = fields.String(allow_none=True, required=True)
    title = fields.String(allow_none=True, required=True)
    process = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(TASK_STATES))
    assignee = fields.String(allow_none=True, required=True)
    candidate_groups = fields.List(fields.String(), allow_none=True, required=True)
    candidate_users = fields.List(fields.String(), allow_none=True, required=True)
    due_at = nullable_timestamp("Deadline; null when the task has none.")
    priority = fields.Integer(required=True)
    form = fields.String(allow_none=True, required=True, metadata={
        "description": "Id of the task's form, if any."})
    escalated = fields.Boolean(required=True)
    created_at = timestamp(required=True)
    completed_by = fields.String(allow_none=True, required=True)
    completed_at = nullable_timestamp("When the task was completed.")


class TaskPageSchema(PageSchema):
    items = fields.List(fields.Nested(TaskSchema), required=True)


class TaskDetailsSchema(TaskSchema):
    variables = fields.Dict(keys=fields.String(), required=True, metadata={
        "description": "The data the task sees: what its form shows first."})


class CompleteRequestSchema(ApiSchema):
    variables = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "The form's values by field key, as JSON values; the form's rules "
                       "check them before the process sees them."})


class HandOverRequestSchema(ApiSchema):
    assignee = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "User name of the user who takes over the task."})


class CompletionSchema(ApiSchema):
    task_id = fields.String(required=True)
    task_name = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(INSTANCE_STATUSES))
    case_status = fields.String(allow_none=True, required=True)
    open_tasks = fields.List(fields.Nested(TaskSchema), required=True)
