"""Process definitions: listing, reading and deploying."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from engine.api.schemas.common import ApiSchema, FileUpload, timestamp


class DefinitionSchema(ApiSchema):
    key = fields.String(required=True, metadata={"description": "The BPMN process id."})
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    start_form = fields.String(attribute="start_form_ref", allow_none=True, required=True,
                               metadata={"description": "Id of the start form, if any."})
    deployed_at = timestamp(required=True)
    deployed_by = fields.String(allow_none=True, required=True)
    change_note = fields.String(allow_none=True, required=True)


class DefinitionListSchema(ApiSchema):
    items = fields.List(fields.Nested(DefinitionSchema), required=True)


class DeployRequestSchema(ApiSchema):
    files: fields.List[Any] = fields.List(
        FileUpload(), required=True, validate=validate.Length(min=1), metadata={
            "description": ".bpmn and .form files, deployed together or not at all."})
    change_note = fields.String(load_default=None, validate=validate.Length(max=2000),
                                metadata={"description": "Stored with the new versions."})


class DeployedSchema(ApiSchema):
    kind = fields.String(required=True, validate=validate.OneOf(["process", "form"]))
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    changed = fields.Boolean(required=True, metadata={
        "description": "False when the file equals the deployed version, which is kept."})


class DeploymentSchema(ApiSchema):
    deployed = fields.List(fields.Nested(DeployedSchema), required=True)
