"""/api/v1/instances: cases — listing, details, starting, variables and history.

A signed-in user may list the cases that `RuntimeService.may_see` allows and read those whose
record `RuntimeService.reads_record` opens. A token with instances:read may read every case,
and those of confidential processes only with confidential:read as well. A token starts
cases as its actor, who must be an active user allowed to start the process.
"""

from __future__ import annotations

from typing import Any

from engine.access import AUTHENTICATED, CASE_READER, access, any_of, case_scope, scope
from engine.api.auth import acting_user, signed_in_user, token_reads_confidential
from engine.api.blueprint import MAX_ID, Blueprint
from engine.api.context import api_engine
from engine.api.schemas.instances import (
    HistorySchema,
    InstanceDetailsSchema,
    InstancePageSchema,
    InstanceQuerySchema,
    StartRequestSchema,
    StartResultSchema,
    VariablesSchema,
)
from engine.services.admin_actions import MASK
from engine.services.personal_data import hidden_variables

blp = Blueprint("api_instances", __name__, url_prefix="/api/v1/instances",
                description="Cases: running and finished process instances.")

INSTANCE = f"/<int(max={MAX_ID}):instance_id>"

LIST = any_of(AUTHENTICATED, scope("instances:read"))
READ = any_of(CASE_READER, case_scope("instances:read"))
START = any_of(AUTHENTICATED, scope("instances:write"))
HISTORY = any_of(CASE_READER, case_scope("history:read"))


@blp.route("", methods=["GET"], endpoint="list")
@access(LIST)
@blp.arguments(InstanceQuerySchema, location="query")
@blp.response(200, InstancePageSchema)
def list_instances(query: dict[str, Any]) -> dict[str, Any]:
    """List cases, newest first, a page at a time."""
    engine = api_engine()
    with engine.transaction(read_only=True):
        page = engine.queries.instances(
            signed_in_user(), confidential=token_reads_confidential(),
            status=query["status"], key=query["process"], business_key=query["business_key"],
            limit=query["limit"], cursor=query["cursor"])
        return {"items": [engine.runtime.summary(row) for row in page.items],
                "next_cursor": page.next_cursor}


@blp.route(INSTANCE, methods=["GET"], endpoint="get")
@access(READ)
@blp.response(200, InstanceDetailsSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_instance(instance_id: int) -> dict[str, Any]:
    """Read a case with its open tasks, incidents, timers and audit trail."""
    return api_engine().runtime.details(instance_id)


@blp.route("", methods=["POST"], endpoint="start")
@access(START)
@blp.arguments(StartRequestSchema)
@blp.response(201, StartResultSchema)
@blp.alt_response(403, response="FORBIDDEN", description=(
    "The acting user may not start this process."))
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description=(
    "The process takes its case number from the start data, and another case has it."))
def start_instance(body: dict[str, Any]) -> dict[str, Any]:
    """Start the newest version of a process.

    The acting user is the signed-in user, or for a token the user it acts as. With a start
    form, `variables` are checked by the form's rules (422 with errors per field). A process
    with the property businessKeyVariable accepts each case number once (409 naming the
    case that has it).
    """
    result = api_engine().runtime.start(body["process"], acting_user(), body["variables"],
                                        business_key=body["business_key"])
    return result.to_dict()


@blp.route(INSTANCE + "/variables", methods=["GET"], endpoint="variables")
@access(READ)
@blp.response(200, VariablesSchema)
@blp.alt_response(404, response="NOT_FOUND")
def instance_variables(instance_id: int) -> dict[str, Any]:
    """Read the current process variables of a case.

    A signed-in user who reads the case only by the administrator role gets the variables
    that contain personal data (the process property personalData) with the value "***",
    and their names in `hidden`. A token reads every value its scopes open.
    """
    engine = api_engine()
    username = signed_in_user()
    with engine.transaction(read_only=True):
        instance = engine.runtime.instance(instance_id)
        variables = engine.runtime.variables(instance_id)
        hidden = (frozenset() if username is None
                  else hidden_variables(engine, instance, username, variables))
    shown = {name: MASK if name in hidden else value for name, value in variables.items()}
    return {"variables": shown, "hidden": sorted(hidden)}


@blp.route(INSTANCE + "/history", methods=["GET"], endpoint="history")
@access(HISTORY)
@blp.response(200, HistorySchema)
@blp.alt_response(404, response="NOT_FOUND")
def instance_history(instance_id: int) -> dict[str, Any]:
    """Read the audit trail of a case, oldest event first."""
    engine = api_engine()
    with engine.transaction(read_only=True):
        engine.runtime.instance(instance_id)
        return {"items": [engine.history.to_dict(event)
                          for event in engine.history.events(instance_id)]}
