"""/api/v1/incidents: failed steps, and trying them again."""

from __future__ import annotations

from typing import Any

from engine.access import ADMINISTRATOR, access, any_of, scope
from engine.api.auth import acting_user
from engine.api.blueprint import MAX_ID, Blueprint
from engine.api.context import api_engine
from engine.api.schemas.admin_actions import RetryRequestSchema
from engine.api.schemas.incidents import (
    IncidentListSchema,
    IncidentQuerySchema,
    RetryResultSchema,
)

blp = Blueprint("api_incidents", __name__, url_prefix="/api/v1/incidents",
                description="Incidents: steps that failed and wait for an administrator.")

READ = any_of(ADMINISTRATOR, scope("incidents:read"))
WRITE = any_of(ADMINISTRATOR, scope("incidents:write"))


@blp.route("", methods=["GET"], endpoint="list")
@access(READ)
@blp.arguments(IncidentQuerySchema, location="query")
@blp.response(200, IncidentListSchema)
def list_incidents(query: dict[str, Any]) -> dict[str, Any]:
    """List the open incidents, oldest first."""
    engine = api_engine()
    with engine.transaction(read_only=True):
        rows = engine.management.incidents(instance_id=query["instance_id"])
        return {"items": rows}


@blp.route(f"/<int(max={MAX_ID}):incident_id>/retry", methods=["POST"], endpoint="retry")
@access(WRITE)
@blp.arguments(RetryRequestSchema)
@blp.response(200, RetryResultSchema)
@blp.alt_response(403, response="FORBIDDEN", description="The acting user is not an "
                  "administrator.")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description=(
    "Already resolved, the case is not running, or nothing has changed since the failure "
    "and `force` is false (nothing_changed)."))
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="The reason is missing.")
def retry_incident(body: dict[str, Any], incident_id: int) -> dict[str, Any]:
    """Try the failed step again; a new failure opens a new incident.

    The acting user must be an administrator. Unless `force` is set, something must have
    changed since the failure: a variable edit, a move back, a migration, a new version of
    the process or a changed setting.
    """
    return api_engine().admin.retry_incident(incident_id, acting_user(), body["reason"],
                                             force=body["force"])
