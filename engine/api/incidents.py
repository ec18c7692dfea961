"""/api/v1/incidents: failed steps, and trying them again."""

from __future__ import annotations

from typing import Any

from engine.access import ADMINISTRATOR, access, any_of, scope
from engine.api.auth import acting_user
from engine.api.blueprint import MAX_ID, Blueprint
from engine.api.context import api_engine
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
@blp.response(200, RetryResultSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="Already resolved.")
def retry_incident(incident_id: int) -> dict[str, Any]:
    """Try the failed step again; a new failure opens a new incident."""
    return api_engine().management.retry_incident(incident_id, acting_user())
