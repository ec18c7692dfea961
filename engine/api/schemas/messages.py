"""Messages from other systems to waiting cases or message start events."""

from __future__ import annotations

from marshmallow import fields, validate

from engine.api.schemas.common import ApiSchema


class MessageRequestSchema(ApiSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255), metadata={
        "description": "The BPMN message name."})
    business_key = fields.String(load_default=None, validate=validate.Length(min=1, max=128),
                                 metadata={"description": "Only the case with this number."})
    variables = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "Become process variables of the receiving step, and the object "
                       "`melding`."})
    all = fields.Boolean(load_default=False, metadata={
        "description": "Deliver to every receiver; without it, more than one is a conflict."})


class MessageResultSchema(ApiSchema):
    delivered_to = fields.List(fields.Integer(), required=True, metadata={
        "description": "Ids of the waiting instances that received the message."})
    started = fields.List(fields.Integer(), required=True, metadata={
        "description": "Ids of the instances the message started."})
