"""/api/v1/definitions: the deployed processes, and deploying new versions."""

from __future__ import annotations

from typing import Any

from engine.access import AUTHENTICATED, PROCESS_OWNER, access, any_of, scope
from engine.api.auth import acting_user, signed_in_user
from engine.api.blueprint import MULTIPART, Blueprint
from engine.api.context import api_engine
from engine.api.schemas.definitions import (
    DefinitionListSchema,
    DefinitionSchema,
    DeploymentSchema,
    DeployRequestSchema,
)
from engine.errors import DeploymentTooLarge
from engine.request_limits import upload_limit

blp = Blueprint("api_definitions", __name__, url_prefix="/api/v1/definitions",
                description="Deployed processes (newest version of each) and deployment.")

READ = any_of(AUTHENTICATED, scope("definitions:read"))
WRITE = any_of(PROCESS_OWNER, scope("definitions:write"))


@blp.route("", methods=["GET"], endpoint="list")
@access(READ)
@blp.response(200, DefinitionListSchema)
def list_definitions() -> dict[str, Any]:
    """List the deployed processes, newest version of each."""
    engine = api_engine()
    with engine.transaction(read_only=True):
        return {"items": engine.repository.definitions()}


@blp.route("/<key>", methods=["GET"], endpoint="get")
@access(READ)
@blp.response(200, DefinitionSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_definition(key: str) -> Any:
    """Read the newest version of a process, with the id of its start form."""
    engine = api_engine()
    with engine.transaction(read_only=True):
        return engine.repository.latest(key)


@blp.route("", methods=["POST"], endpoint="deploy")
@access(WRITE)
@upload_limit("MAX_DEPLOY_BYTES", DeploymentTooLarge)
@blp.arguments(DeployRequestSchema, location=MULTIPART)
@blp.response(201, DeploymentSchema)
@blp.alt_response(403, response="FORBIDDEN", description=(
    "A signed-in user who does not own a process in the files (process property "
    "ownerGroups)."))
@blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE", description=(
    "The files together are larger than MAX_DEPLOY_BYTES."))
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description=(
    "The files cannot run; problems lists each reason with file, line and element id."))
def deploy(body: dict[str, Any]) -> dict[str, Any]:
    """Deploy .bpmn and .form files as new versions, all of them or none.

    Running cases stay on their version. A file equal to its deployed version is reported
    with changed false and not deployed again. A signed-in user must own every process in
    the files; a token needs the scope definitions:write.
    """
    uploads = [(upload.filename or "", upload.read()) for upload in body["files"]]
    engine = api_engine()
    user = signed_in_user()
    if user is not None:
        engine.drafts.require_edit_files(user, uploads)
    results = engine.repository.deploy(uploads, actor=acting_user(),
                                       change_note=body["change_note"])
    return {"deployed": [result.to_dict() for result in results]}
