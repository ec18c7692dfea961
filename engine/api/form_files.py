"""/api/v1: the deployed file of a form, and checking a .form file, for the form editor.

The modeler's form editor opens the newest deployed version of a form, downloads it as the
same bytes that were deployed, and checks an uploaded .form file before it goes into a draft.
Saving and deploying forms go through the drafts (engine/api/drafts.py).
"""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.access import AUTHENTICATED, access, any_of, scope
from engine.api.blueprint import Blueprint
from engine.api.context import api_engine
from engine.api.schemas.drafts import FormCheckRequestSchema, FormCheckSchema, FormFileSchema
from engine.services.form_files import FormFile

blp = Blueprint("api_form_files", __name__, url_prefix="/api/v1",
                description="Deployed .form files and checking a .form file without "
                            "deploying it.")

FORM = "/forms/<string(maxlength=128):form_id>"
READ = any_of(AUTHENTICATED, scope("definitions:read"))
CHECK = any_of(AUTHENTICATED, scope("definitions:write"))
FILE_RESPONSE = {
    "description": "The .form file of the newest version, byte for byte as deployed.",
    "content": {"application/json": {"schema": {"type": "string"}}},
}


@blp.route(FORM, methods=["GET"], endpoint="form")
@access(READ)
@blp.response(200, FormFileSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_form(form_id: str) -> FormFile:
    """Read the newest deployed version of a form with its file."""
    return api_engine().form_files.newest(form_id)


@blp.route(FORM + "/file", methods=["GET"], endpoint="form_file")
@access(READ)
@blp.doc(responses={"200": FILE_RESPONSE})
@blp.alt_response(404, response="NOT_FOUND")
def download_form(form_id: str) -> Response:
    """Download the newest deployed version of a form as the .form file it was deployed as."""
    found = api_engine().form_files.newest(form_id)
    response = Response(found.source.encode("utf-8"), mimetype="application/json")
    response.headers.set("Content-Disposition", "attachment", filename=found.file_name)
    return response


@blp.route("/forms/check", methods=["POST"], endpoint="check_form")
@access(CHECK)
@blp.arguments(FormCheckRequestSchema)
@blp.response(200, FormCheckSchema)
def check_form(body: dict[str, Any]) -> dict[str, Any]:
    """Check the text of a .form file as a deploy would; nothing is stored."""
    return api_engine().form_files.check(body["source"], body["form_id"]).to_dict()
