"""/api/v1/messages: a message from another system to the process that waits for it."""

from __future__ import annotations

from typing import Any

from engine.access import ADMINISTRATOR, access, any_of, scope
from engine.api.auth import acting_user
from engine.api.blueprint import Blueprint
from engine.api.context import api_engine
from engine.api.schemas.messages import MessageRequestSchema, MessageResultSchema

blp = Blueprint("api_messages", __name__, url_prefix="/api/v1/messages",
                description="Messages to waiting cases and message start events.")

SEND = any_of(ADMINISTRATOR, scope("messages:write"))


@blp.route("", methods=["POST"], endpoint="correlate")
@access(SEND)
@blp.arguments(MessageRequestSchema)
@blp.response(200, MessageResultSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No case or process waits for it.")
@blp.alt_response(409, response="CONFLICT", description=(
    "More than one receiver, and all is not set; or the message would start a second case "
    "with a case number that another case has."))
def correlate(body: dict[str, Any]) -> dict[str, Any]:
    """Deliver a message to the case that waits for it, or start the process that starts
    with it.

    With business_key only that case is considered. Without it, a case number in the
    variables that the starting process takes as its case number (businessKeyVariable)
    counts as the business_key. The acting user (for a token, the user it acts as) is
    recorded as the sender.
    """
    return api_engine().runtime.correlate_message(
        body["name"], acting_user(), body["variables"], business_key=body["business_key"],
        all=body["all"])
