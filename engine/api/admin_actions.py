"""/api/v1/instances/...: administrators repair cases — hold, resume, cancel, edit a
variable, move back to an earlier user task, move to another process version, and the same
for many cases at once.

The acting user must have the administrator role: a signed-in administrator, or a token with
instances:admin that acts as one. Every change needs a reason, kept in the case history.
"""

from __future__ import annotations

import json
from typing import Any

from engine.access import ADMINISTRATOR, access, any_of, scope
from engine.api.auth import acting_user
from engine.api.blueprint import MAX_ID, Blueprint
from engine.api.context import api_engine
from engine.api.schemas.admin_actions import (
    ActionResultSchema,
    BatchRequestSchema,
    BatchResultSchema,
    MigrateRequestSchema,
    MoveRequestSchema,
    ReasonSchema,
    VariableRequestSchema,
    VariableResultSchema,
)

blp = Blueprint("api_instance_repairs", __name__, url_prefix="/api/v1/instances",
                description="Repairs of cases by administrators.")

INSTANCE = f"/<int(max={MAX_ID}):instance_id>"
ADMIN = any_of(ADMINISTRATOR, scope("instances:admin"))


def _documented(view: Any) -> Any:
    """Add the error responses every repair can give."""
    for status, name, text in (
            (403, "FORBIDDEN", "The acting user is not an administrator."),
            (404, "NOT_FOUND", None),
            (409, "CONFLICT", "The case is not in a state that allows the change."),
            (422, "UNPROCESSABLE_ENTITY", "The reason is missing, or the input is invalid.")):
        view = blp.alt_response(status, response=name, description=text)(view)
    return view


@blp.route(INSTANCE + "/suspend", methods=["POST"], endpoint="suspend")
@access(ADMIN)
@blp.arguments(ReasonSchema)
@blp.response(200, ActionResultSchema)
@_documented
def suspend_instance(body: dict[str, Any], instance_id: int) -> dict[str, Any]:
    """Put a running case on hold: no timer, job, task completion or message reaches it."""
    return api_engine().admin.suspend(instance_id, acting_user(), body["reason"])


@blp.route(INSTANCE + "/resume", methods=["POST"], endpoint="resume")
@access(ADMIN)
@blp.arguments(ReasonSchema)
@blp.response(200, ActionResultSchema)
@_documented
def resume_instance(body: dict[str, Any], instance_id: int) -> dict[str, Any]:
    """Let a case on hold run again; timers that fell due meanwhile fire next."""
    return api_engine().admin.resume(instance_id, acting_user(), body["reason"])


@blp.route(INSTANCE + "/terminate", methods=["POST"], endpoint="terminate")
@access(ADMIN)
@blp.arguments(ReasonSchema)
@blp.response(200, ActionResultSchema)
@_documented
def terminate_instance(body: dict[str, Any], instance_id: int) -> dict[str, Any]:
    """Cancel a case: its open tasks, timers, jobs and message waits are closed."""
    return api_engine().admin.terminate(instance_id, acting_user(), body["reason"])


@blp.route(INSTANCE + "/variables/<string(maxlength=255):name>", methods=["PUT"],
           endpoint="set_variable")
@access(ADMIN)
@blp.arguments(VariableRequestSchema)
@blp.response(200, VariableResultSchema)
@_documented
def set_variable(body: dict[str, Any], instance_id: int, name: str) -> dict[str, Any]:
    """Set a process variable of a running case or a case on hold.

    Names starting with an underscore and the engine's own variables give 422. The history
    keeps the old and new value, masked for confidential processes and for variables the
    process lists in its property personalData.
    """
    return api_engine().admin.set_variable(instance_id, name, json.dumps(body["value"]),
                                           acting_user(), body["reason"])


@blp.route(INSTANCE + "/move", methods=["POST"], endpoint="move")
@access(ADMIN)
@blp.arguments(MoveRequestSchema)
@blp.response(200, ActionResultSchema)
@_documented
def move_instance(body: dict[str, Any], instance_id: int) -> dict[str, Any]:
    """Cancel the current user task and open an earlier user task of the case again.

    Only a user task of the main process that the case completed before, with no parallel
    or inclusive gateway, loop or multi-instance step between it and the current task.
    """
    return api_engine().admin.move_back(instance_id, body["element_id"], acting_user(),
                                        body["reason"])


@blp.route(INSTANCE + "/migrate", methods=["POST"], endpoint="migrate")
@access(ADMIN)
@blp.arguments(MigrateRequestSchema)
@blp.response(200, ActionResultSchema)
@_documented
def migrate_instance(body: dict[str, Any], instance_id: int) -> dict[str, Any]:
    """Move a case to another version of its process.

    Every step the case waits in must exist in that version with the same type; otherwise
    409 (migration_not_possible) lists the element ids that block it.
    """
    return api_engine().admin.migrate(instance_id, body["definition_id"], acting_user(),
                                      body["reason"])


@blp.route("/batch", methods=["POST"], endpoint="batch")
@access(ADMIN)
@blp.arguments(BatchRequestSchema)
@blp.response(200, BatchResultSchema)
@_documented
def batch(body: dict[str, Any]) -> dict[str, Any]:
    """Run one repair on many cases, each on its own; one failure does not stop the others.

    Each item reports whether its case changed, with the error code and message if not.
    """
    args: dict[str, Any] = {}
    if body["action"] == "migrate":
        args["to_definition_id"] = body["definition_id"]
    if body["action"] == "set_variable":
        args["name"] = body["name"] or ""
        args["value_json"] = json.dumps(body["value"])
    items = api_engine().admin.batch(body["action"], body["instance_ids"], acting_user(),
                                     body["reason"], **args)
    return {"items": items}
