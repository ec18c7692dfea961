"""Drafts, validation, version history and the modeler's pick lists."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from engine.api.schemas.common import ApiSchema, nullable_timestamp, timestamp

FORMS_DESCRIPTION = ("The forms of the draft: form id -> form-js schema (a JSON object) or "
                     "the text of the .form file, which a deploy keeps byte for byte.")


class FormValue(fields.Field):
    """A draft's form: a form-js schema as a JSON object, or the text of a .form file."""

    default_error_messages = {"invalid": "A form is a JSON object or the text of a .form file."}

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"oneOf": [{"type": "object"}, {"type": "string"}], **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, (dict, str)):
            raise self.make_error("invalid")
        return value


class DraftSummarySchema(ApiSchema):
    id = fields.Integer(required=True)
    process_key = fields.String(allow_none=True, required=True, metadata={
        "description": "The BPMN process id; null while the diagram cannot be read."})
    label = fields.String(required=True)
    author = fields.String(required=True)
    updated_by = fields.String(required=True)
    created_at = timestamp(required=True)
    updated_at = timestamp(required=True)
    base_version = fields.Integer(allow_none=True, required=True, metadata={
        "description": "The deployed version the draft began from."})
    deployed_version = fields.Integer(allow_none=True, required=True, metadata={
        "description": "The version the draft became when it was deployed."})
    deployed_at = nullable_timestamp("When the draft was deployed.")


class DraftSchema(DraftSummarySchema):
    bpmn_xml = fields.String(required=True)
    forms = fields.Dict(keys=fields.String(), values=FormValue(), required=True,
                        metadata={"description": FORMS_DESCRIPTION})


class DraftListSchema(ApiSchema):
    items = fields.List(fields.Nested(DraftSummarySchema), required=True)


class DraftListQuerySchema(ApiSchema):
    process = fields.String(load_default=None, validate=validate.Length(min=1, max=128),
                            metadata={"description": "The process key; leave out for drafts "
                                      "of processes never deployed."})


class DraftRequestSchema(ApiSchema):
    bpmn_xml = fields.String(required=True, validate=validate.Length(min=1))
    forms = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=128)),
                        values=FormValue(), load_default=dict,
                        metadata={"description": FORMS_DESCRIPTION})
    label = fields.String(load_default=None, validate=validate.Length(max=200))
    process = fields.String(load_default=None, validate=validate.Length(min=1, max=128),
                            metadata={"description": "The process key, used while the "
                                      "diagram cannot be read."})


class DeployDraftRequestSchema(ApiSchema):
    change_note = fields.String(required=True, validate=validate.Length(max=2000), metadata={
        "description": "What the new version changes; stored with the version."})


class ValidateRequestSchema(ApiSchema):
    bpmn_xml = fields.String(required=True, validate=validate.Length(min=1))
    forms = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=128)),
                        values=FormValue(), load_default=dict,
                        metadata={"description": FORMS_DESCRIPTION})


class FindingSchema(ApiSchema):
    kind = fields.String(required=True, metadata={
        "description": "xml, model, form, reference or condition_field."})
    message = fields.String(required=True, metadata={
        "description": "What is wrong and how to fix it, in the user's language."})
    element_id = fields.String(allow_none=True, required=True)
    line = fields.Integer(allow_none=True, required=True)
    file = fields.String(required=True)


class ValidationSchema(ApiSchema):
    valid = fields.Boolean(required=True, metadata={"description": "True when no errors."})
    process_key = fields.String(allow_none=True, required=True)
    errors = fields.List(fields.Nested(FindingSchema), required=True, metadata={
        "description": "Problems that stop a deploy."})
    warnings = fields.List(fields.Nested(FindingSchema), required=True, metadata={
        "description": "Possible mistakes that do not stop a deploy."})


class VersionSchema(ApiSchema):
    version = fields.Integer(required=True)
    name = fields.String(required=True)
    deployed_by = fields.String(allow_none=True, required=True)
    deployed_by_name = fields.String(allow_none=True, required=True)
    deployed_at = timestamp(required=True)
    change_note = fields.String(allow_none=True, required=True)
    active = fields.Boolean(required=True)
    running_instances = fields.Integer(required=True)


class VersionListSchema(ApiSchema):
    items = fields.List(fields.Nested(VersionSchema), required=True)


class ElementSchema(ApiSchema):
    id = fields.String(required=True)
    type = fields.String(required=True, metadata={"description": "The BPMN element type."})
    name = fields.String(required=True)


class ChangeSchema(ApiSchema):
    field = fields.String(required=True, metadata={
        "description": "type, name, incoming, outgoing, attribute:<name>, property:<name> "
                       "or content:<element>."})
    before = fields.Raw(allow_none=True, required=True)
    after = fields.Raw(allow_none=True, required=True)


class ChangedElementSchema(ElementSchema):
    changes = fields.List(fields.Nested(ChangeSchema), required=True)


class DiffSchema(ApiSchema):
    key = fields.String(required=True)
    from_version = fields.Integer(required=True)
    to_version = fields.Integer(required=True)
    added = fields.List(fields.Nested(ElementSchema), required=True)
    removed = fields.List(fields.Nested(ElementSchema), required=True)
    changed = fields.List(fields.Nested(ChangedElementSchema), required=True)


class TopicListSchema(ApiSchema):
    items = fields.List(fields.String(), required=True)


class FormSummarySchema(ApiSchema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields",
                          required=True, metadata={"description": "The variables it writes."})
    deployed_at = timestamp(required=True)


class FormListSchema(ApiSchema):
    items = fields.List(fields.Nested(FormSummarySchema), required=True)


class GroupSchema(ApiSchema):
    key = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(allow_none=True, required=True)


class GroupListSchema(ApiSchema):
    items = fields.List(fields.Nested(GroupSchema), required=True)


class FormFileSchema(ApiSchema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    file_name = fields.String(required=True)
    source = fields.String(required=True, metadata={
        "description": "The .form file as deployed, byte for byte."})


class FormCheckRequestSchema(ApiSchema):
    source = fields.String(required=True, metadata={"description": "The text of a .form file."})
    form_id = fields.String(load_default=None, validate=validate.Length(min=1, max=128),
                            metadata={"description": "Refuse a file whose id differs."})


class FormProblemSchema(ApiSchema):
    message = fields.String(required=True, metadata={
        "description": "What is wrong and how to fix it, in the user's language."})
    line = fields.Integer(allow_none=True, required=True)
    element_id = fields.String(allow_none=True, required=True)


class FormCheckSchema(ApiSchema):
    valid = fields.Boolean(required=True)
    form_id = fields.String(allow_none=True, required=True)
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields",
                          required=True, metadata={"description": "The variables it writes."})
    errors = fields.List(fields.Nested(FormProblemSchema), required=True)
