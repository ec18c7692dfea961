"""/api/v1/tasks: task lists, one task, claiming and completing.

A signed-in user works on tasks as themselves. A token with tasks:write works as the user
it acts as: it can claim and complete only the tasks that user could, and the audit trail
names that user. A token cannot act on behalf of another user.
"""

from __future__ import annotations

from typing import Any

from engine.access import AUTHENTICATED, TASK_VIEWER, access, any_of, case_scope, scope
from engine.api.auth import acting_user, caller_is_token, token_reads_confidential
from engine.api.blueprint import Blueprint
from engine.api.context import api_engine
from engine.api.schemas.admin_actions import ReassignRequestSchema
from engine.api.schemas.tasks import (
    CompleteRequestSchema,
    CompletionSchema,
    HandOverRequestSchema,
    TaskDetailsSchema,
    TaskPageSchema,
    TaskQuerySchema,
    TaskSchema,
)
from engine.errors import InvalidInput
from engine.i18n import gettext as _

blp = Blueprint("api_tasks", __name__, url_prefix="/api/v1/tasks",
                description="User tasks: task lists, claiming and completing.")

LIST = any_of(AUTHENTICATED, scope("tasks:read"))
READ = any_of(TASK_VIEWER, case_scope("tasks:read"))
WRITE = any_of(TASK_VIEWER, case_scope("tasks:write"))
TOKEN_FILTERS = ("assignee", "candidate_group", "candidate_user")


@blp.route("", methods=["GET"], endpoint="list")
@access(LIST)
@blp.arguments(TaskQuerySchema, location="query")
@blp.response(200, TaskPageSchema)
def list_tasks(query: dict[str, Any]) -> dict[str, Any]:
    """List open tasks: a signed-in user's own lists, or for a token any open task by
    assignee or candidate."""
    engine = api_engine()
    with engine.transaction(read_only=True):
        if caller_is_token():
            if query["view"] is not None:
                raise InvalidInput(_("view is for signed-in users; filter by assignee, "
                                     "candidate_group or candidate_user instead"))
            page = engine.queries.open_tasks(
                **{name: query[name] for name in TOKEN_FILTERS},
                confidential=token_reads_confidential(),
                limit=query["limit"], cursor=query["cursor"])
        else:
            used = [name for name in TOKEN_FILTERS if query[name] is not None]
            if used:
                raise InvalidInput(_("%(filters)s is for API tokens; choose a list with view "
                                     "instead", filters=", ".join(used)))
            page = engine.queries.user_tasks(acting_user(), query["view"] or "mine",
                                             limit=query["limit"], cursor=query["cursor"])
        return {"items": [engine.tasks.summary(row) for row in page.items],
                "next_cursor": page.next_cursor}


@blp.route("/<task_id>", methods=["GET"], endpoint="get")
@access(READ)
@blp.response(200, TaskDetailsSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_task(task_id: str) -> dict[str, Any]:
    """Read a task with the data its form shows first."""
    engine = api_engine()
    with engine.transaction(read_only=True):
        task = engine.tasks.get(task_id)
        return {**engine.tasks.summary(task), "variables": engine.tasks.variables(task)}


@blp.route("/<task_id>/claim", methods=["POST"], endpoint="claim")
@access(WRITE)
@blp.response(200, TaskSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="Someone else has the task.")
def claim_task(task_id: str) -> dict[str, Any]:
    """Assign the task to the acting user."""
    return _summary(api_engine().tasks.claim(task_id, acting_user()).id)


@blp.route("/<task_id>/unclaim", methods=["POST"], endpoint="unclaim")
@access(WRITE)
@blp.response(200, TaskSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="The task is no longer open.")
def unclaim_task(task_id: str) -> dict[str, Any]:
    """Put the task back to its candidates."""
    return _summary(api_engine().tasks.unclaim(task_id, acting_user()).id)


@blp.route("/<task_id>/delegate", methods=["POST"], endpoint="delegate")
@access(WRITE)
@blp.arguments(HandOverRequestSchema)
@blp.response(200, TaskSchema)
@blp.alt_response(403, response="FORBIDDEN",
                  description="The acting user is not the task's assignee.")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="The task is no longer open.")
def delegate_task(body: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Hand the task from the acting user, its assignee, to a colleague who may take it.

    The colleague must be a candidate user of the task or a member of one of its candidate
    groups, or the answer is 422 (delegate_not_eligible). An unknown or deactivated user
    also gives 422 (assignee_not_found).
    """
    return _summary(api_engine().tasks.delegate(task_id, body["assignee"], acting_user()).id)


@blp.route("/<task_id>/reassign", methods=["POST"], endpoint="reassign")
@access(WRITE)
@blp.arguments(ReassignRequestSchema)
@blp.response(200, TaskSchema)
@blp.alt_response(403, response="FORBIDDEN", description="The acting user is neither a "
                  "leader of the task's unit or a unit above it, nor an administrator.")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="The task is no longer open.")
def reassign_task(body: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Give the task to a named user, for example when its assignee is absent.

    The acting user must lead the task's unit or a unit above it, or be an administrator.
    An unknown or deactivated user gives 422 (assignee_not_found), and so does a user who
    may not hold the task (reassign_target_not_eligible, see TaskService.reassign_targets).
    With a `reason` the acting user must be an administrator, and the reason is kept in the
    case history.
    """
    if body["reason"] is not None:
        result = api_engine().admin.reassign_task(task_id, body["assignee"], acting_user(),
                                                  body["reason"])
        return _summary(result["task_id"])
    return _summary(api_engine().tasks.reassign(task_id, body["assignee"], acting_user()).id)


@blp.route("/<task_id>/complete", methods=["POST"], endpoint="complete")
@access(WRITE)
@blp.arguments(CompleteRequestSchema)
@blp.response(200, CompletionSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="The task is no longer open.")
def complete_task(body: dict[str, Any], task_id: str) -> dict[str, Any]:
    """Complete the task with its form's values; the case runs on to its next wait.

    An unassigned task is taken by the acting user on the way, if they may take it. Invalid
    values give 422 with errors per field, and nothing is saved.
    """
    return api_engine().tasks.complete(task_id, acting_user(), body["variables"],
                                       source="json")


def _summary(task_id: str) -> dict[str, Any]:
    engine = api_engine()
    with engine.transaction(read_only=True):
        return engine.tasks.summary(engine.tasks.get(task_id))
