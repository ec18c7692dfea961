"""The REST API at /api/v1: flask-smorest blueprints, OpenAPI, token auth and problem details.

create_app calls `authenticate_api_requests` before the web UI's hooks (the token principal
must be set before the access rules run) and `register_api` after them.
"""

from __future__ import annotations

import http
from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from engine.api import (
    admin_actions,
    attachments,
    definitions,
    docs,
    drafts,
    form_files,
    incidents,
    instances,
    messages,
    tasks,
)
from engine.api.auth import authenticate_api_requests, check_api_caller, is_api_path
from engine.api.problems import (
    PROBLEM_CONTENT_TYPE,
    register_problem_handlers,
    route_unmatched_api_errors,
)
from engine.api.schemas.common import ProblemSchema

__all__ = ["authenticate_api_requests", "register_api"]

API_DESCRIPTION = (
    "The REST API of Sløyfe. Systems authenticate with an API token "
    "(`Authorization: Bearer slf_...`), created with `sloyfe token create`; a token has "
    "scopes and acts as one user, whom the audit trail records. A user signed in to the web "
    "UI can use the API with the session cookie; calls that change something then need the "
    "header X-CSRFToken. Errors are RFC 9457 problem details (application/problem+json).")

RESOURCES = (definitions.blp, instances.blp, admin_actions.blp, tasks.blp, incidents.blp,
             messages.blp, attachments.blp, drafts.blp, form_files.blp)

# Blueprints are set up once, at import; every app built afterwards registers the same ones.
for _blueprint in (*RESOURCES, docs.bp):
    register_problem_handlers(_blueprint.register_error_handler)


class SloyfeApi(Api):
    """flask-smorest's Api, with problem details as the documented error responses.

    flask-smorest would register an app-wide error handler that answers every error, the web
    UI's pages included, with its own JSON; the API's handlers are on its blueprints instead.
    """

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_RESPONSE_CONTENT_TYPE = "application/json"

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as problem details.", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def register_api(app: Flask) -> None:
    """Register the API's blueprints, its error handlers and the CSRF rule for sessions."""
    api = SloyfeApi(app, spec_kwargs={
        "title": "Sløyfe REST API", "version": "1", "openapi_version": "3.0.3",
        "info": {"description": API_DESCRIPTION},
        "marshmallow_plugin": MarshmallowPlugin(),
        "security": [{"bearerAuth": []}],
    })
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer", "bearerFormat": "slf_<43 characters>",
        "description": "An API token from `sloyfe token create`."})

    csrf = app.extensions["csrf"]
    for blueprint in (*RESOURCES, docs.bp):
        _register(api, app, blueprint)
        csrf.exempt(blueprint)
    app.before_request(check_api_caller)
    route_unmatched_api_errors(app, is_api_path)


def _register(api: Api, app: Flask, blueprint: Any) -> None:
    if blueprint is docs.bp:
        app.register_blueprint(blueprint)
    else:
        api.register_blueprint(blueprint)
