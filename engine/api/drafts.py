"""/api/v1: drafts of processes, validation, version history and the modeler's pick lists.

The modeler page calls these with the session cookie and the X-CSRFToken header. Who may
change a process is decided by engine.access.may_edit_process; a refusal is a 403 problem.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.access import AUTHENTICATED, access, any_of, scope
from engine.api.auth import acting_user
from engine.api.blueprint import MAX_ID, Blueprint
from engine.api.context import api_engine
from engine.api.schemas.drafts import (
    DeployDraftRequestSchema,
    DiffSchema,
    DraftListQuerySchema,
    DraftListSchema,
    DraftRequestSchema,
    DraftSchema,
    FormListSchema,
    GroupListSchema,
    TopicListSchema,
    ValidateRequestSchema,
    ValidationSchema,
    VersionListSchema,
)

blp = Blueprint("api_drafts", __name__, url_prefix="/api/v1",
                description="Drafts of processes and forms, validation without deploying, "
                            "version history and the lists the modeler picks from.")

DRAFT = f"/drafts/<int(max={MAX_ID}):draft_id>"
VERSIONS = "/definitions/<key>/versions"

READ = any_of(AUTHENTICATED, scope("definitions:read"))
VALIDATE = any_of(AUTHENTICATED, scope("definitions:write"))
FORBIDDEN = "The user may not change this process or draft; detail names the owner groups."
XML_RESPONSE = {
    "description": "The BPMN XML of the version, as a file to save.",
    "content": {"application/xml": {"schema": {"type": "string"}}},
}


@blp.route("/drafts", methods=["GET"], endpoint="list")
@access(AUTHENTICATED)
@blp.arguments(DraftListQuerySchema, location="query")
@blp.response(200, DraftListSchema)
@blp.alt_response(403, response="FORBIDDEN", description=FORBIDDEN)
def list_drafts(query: dict[str, Any]) -> dict[str, Any]:
    """List the drafts of a process, newest first, with author and time."""
    return {"items": api_engine().drafts.drafts(acting_user(), query["process"])}


@blp.route("/drafts", methods=["POST"], endpoint="create")
@access(AUTHENTICATED)
@blp.arguments(DraftRequestSchema)
@blp.response(201, DraftSchema)
@blp.alt_response(403, response="FORBIDDEN", description=FORBIDDEN)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_draft(body: dict[str, Any]) -> Any:
    """Save a new draft. The diagram need not be valid yet."""
    return api_engine().drafts.save(acting_user(), body["bpmn_xml"], body["forms"],
                                    label=body["label"], process_key=body["process"])


@blp.route(DRAFT, methods=["GET"], endpoint="get")
@access(AUTHENTICATED)
@blp.response(200, DraftSchema)
@blp.alt_response(403, response="FORBIDDEN", description=FORBIDDEN)
@blp.alt_response(404, response="NOT_FOUND")
def get_draft(draft_id: int) -> Any:
    """Read a draft with its diagram and forms."""
    return api_engine().drafts.get(acting_user(), draft_id)


@blp.route(DRAFT, methods=["PUT"], endpoint="update")
@access(AUTHENTICATED)
@blp.arguments(DraftRequestSchema)
@blp.response(200, DraftSchema)
@blp.alt_response(403, response="FORBIDDEN", description=FORBIDDEN)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def update_draft(body: dict[str, Any], draft_id: int) -> Any:
    """Replace the diagram and forms of a draft. Only its author or an owner may."""
    return api_engine().drafts.save(acting_user(), body["bpmn_xml"], body["forms"],
                                    label=body["label"], draft_id=draft_id,
                                    process_key=body["process"])


@blp.route(DRAFT, methods=["DELETE"], endpoint="delete")
@access(AUTHENTICATED)
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN", description=FORBIDDEN)
@blp.alt_response(404, response="NOT_FOUND")
def delete_draft(draft_id: int) -> None:
    """Delete a draft. Only its author or an owner may."""
    api_engine().drafts.delete(acting_user(), draft_id)


@blp.route(DRAFT + "/deploy", methods=["POST"], endpoint="deploy")
@access(AUTHENTICATED)
@blp.arguments(DeployDraftRequestSchema)
@blp.response(200, DraftSchema)
@blp.alt_response(403, response="FORBIDDEN", description=FORBIDDEN)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description=(
    "The change note is missing, or the draft has errors: problems lists each with "
    "element id."))
def deploy_draft(body: dict[str, Any], draft_id: int) -> Any:
    """Validate the draft and deploy it as a new version of its process and forms.

    Running cases stay on their version. The draft is kept and records the new version.
    """
    return api_engine().drafts.deploy(acting_user(), draft_id, body["change_note"])


@blp.route("/definitions/validate", methods=["POST"], endpoint="validate")
@access(VALIDATE)
@blp.arguments(ValidateRequestSchema)
@blp.response(200, ValidationSchema)
def validate_definition(body: dict[str, Any]) -> dict[str, Any]:
    """Check a diagram and its forms without deploying: errors stop a deploy, warnings
    do not."""
    return api_engine().drafts.validate(body["bpmn_xml"], body["forms"]).to_dict()


@blp.route(VERSIONS, methods=["GET"], endpoint="versions")
@access(READ)
@blp.response(200, VersionListSchema)
@blp.alt_response(404, response="NOT_FOUND")
def list_versions(key: str) -> dict[str, Any]:
    """List every deployed version of a process, newest first, with its running cases."""
    return {"items": api_engine().drafts.versions(key)}


@blp.route(VERSIONS + "/<int(max=2147483647):old>/diff/<int(max=2147483647):new>",
           methods=["GET"], endpoint="diff")
@access(READ)
@blp.response(200, DiffSchema)
@blp.alt_response(404, response="NOT_FOUND")
def diff_versions(key: str, old: int, new: int) -> dict[str, Any]:
    """Compare two versions: the elements added, removed and changed, by element id."""
    return api_engine().drafts.diff(key, old, new)


@blp.route(VERSIONS + "/<int(max=2147483647):version>/xml", methods=["GET"], endpoint="xml")
@access(READ)
@blp.doc(responses={"200": XML_RESPONSE})
@blp.alt_response(404, response="NOT_FOUND")
def download_version(key: str, version: int) -> Response:
    """Download the BPMN XML of one version."""
    record = api_engine().drafts.version(key, version)
    response = Response(record.bpmn_xml, mimetype="application/xml")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{key}-v{version}.bpmn"')
    return response


@blp.route("/handlers/topics", methods=["GET"], endpoint="topics")
@access(READ)
@blp.response(200, TopicListSchema)
def list_topics() -> dict[str, Any]:
    """List the topics of the registered handlers, for camunda:topic."""
    return {"items": sorted(api_engine().handlers.topics())}


@blp.route("/forms", methods=["GET"], endpoint="forms")
@access(READ)
@blp.response(200, FormListSchema)
def list_forms() -> dict[str, Any]:
    """List the deployed forms, newest version of each, for camunda:formRef."""
    return {"items": api_engine().drafts.form_summaries()}


@blp.route("/groups", methods=["GET"], endpoint="groups")
@access(READ)
@blp.response(200, GroupListSchema)
def list_groups() -> dict[str, Any]:
    """List the groups, for candidate groups and the properties readerGroups and
    ownerGroups."""
    return {"items": api_engine().drafts.group_summaries()}
