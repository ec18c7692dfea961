"""Errors on the REST API as RFC 9457 problem details (application/problem+json).

Every error under /api/ gets one: engine errors, HTTP errors raised by Flask or the access
rules, request validation by webargs, CSRF failures and unexpected exceptions. The title is
the same for every problem of a status; the detail says what went wrong this time. Both are
in the caller's locale (bokmål by default).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, g, json, request
from werkzeug.exceptions import HTTPException, default_exceptions

from engine.api.validation import translate_validation_message
from engine.errors import (
    DefinitionInvalid,
    DuplicateBusinessKey,
    EngineError,
    FormValidationFailed,
)
from engine.i18n import N_, gettext
from engine.request_limits import too_large_error

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://sloyfe.no/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES: dict[int, str] = {
    400: N_("Invalid request"),
    401: N_("Not authenticated"),
    403: N_("No access"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid data"),
    429: N_("Too many requests"),
    500: N_("Internal error"),
}
DEFAULT_TITLE = N_("The request failed")

# Details for HTTP errors that carry no message of ours.
DETAILS: dict[int, str] = {
    400: N_("The request could not be read. Check the syntax and the content type."),
    401: N_("Send an API token in the header 'Authorization: Bearer <token>', or log in."),
    403: N_("You do not have access to this operation."),
    404: N_("No resource exists at this address. Check the path against the API "
            "documentation at /api/v1/docs."),
    405: N_("The resource does not support this HTTP method. The Allow header lists the "
            "methods it does support."),
    413: N_("The request body is larger than the server accepts."),
    415: N_("The request body has a content type this operation does not accept."),
    422: N_("The request has invalid values. See errors for each field."),
    500: N_("An error occurred on the server, and nothing was saved. Try again later; if it "
            "happens again, give the administrator the request id."),
}


def problem(status: int, code: str, detail: str, **extensions: Any) -> Response:
    """Build a problem response for the current request."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": gettext(TITLES.get(status, DEFAULT_TITLE)),
        "status": status,
        "detail": detail,
        "instance": request.path,
        "code": code,
        "request_id": g.get("request_id"),
    }
    body.update({key: value for key, value in extensions.items() if value is not None})
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        content_type=PROBLEM_CONTENT_TYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sloyfe"'
    return response


def engine_problem(error: EngineError) -> Response:
    log.info("api request rejected code=%s status=%s", error.code, error.http_status)
    if isinstance(error, FormValidationFailed):
        return problem(error.http_status, error.code, gettext(error.message),
                       errors=error.errors)
    if isinstance(error, DuplicateBusinessKey):
        return problem(error.http_status, error.code, str(error),
                       existing_instance_id=error.params["existing_instance_id"])
    if isinstance(error, DefinitionInvalid):
        return problem(error.http_status, error.code,
                       gettext(error.message, file=error.file),
                       problems=[item.to_dict() for item in error.problems])
    return problem(error.http_status, error.code, str(error))


def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        log.error("api request failed status=%s endpoint=%s", status, request.endpoint,
                  exc_info=getattr(error, "original_exception", None))
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if status == 422 and messages:
        return problem(422, "invalid_request", gettext(DETAILS[422]),
                       errors=flatten_messages(messages))

    too_large = too_large_error(request.endpoint) if status == 413 else None
    if too_large is not None:
        return problem(413, too_large.code, str(too_large))
    code = _code_name(error)
    detail = data.get("detail") or gettext(DETAILS.get(status, DETAILS[400]))
    response = problem(status, data.get("problem_code", code), detail)
    for name, value in error.get_headers():
        if name.lower() == "allow":
            response.headers[name] = value
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _code_name(error: HTTPException) -> str:
    if error.__class__.__name__ == "CSRFError":
        return "csrf_failed"
    return (error.name or "error").lower().replace(" ", "_").replace("'", "")


def flatten_messages(messages: Mapping[str, Any]) -> dict[str, list[str]]:
    """Turn webargs' {location: {field: [message]}} into {field: [message]}, with nested
    fields joined by dots and each message in the caller's locale."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            flat.setdefault(prefix or "_schema", []).extend(
                translate_validation_message(item) for item in value)
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    for location_messages in messages.values():
        walk("", location_messages)
    return flat


def register_problem_handlers(register: Callable[[Any, Callable[..., Any]], Any]) -> None:
    """Install the problem handlers through `register` (a blueprint's register_error_handler).

    Handlers by status code are found before handlers by class, so each code gets one, or an
    app-wide handler for that code (the web's CSRF page has one) would answer first.
    """
    register(EngineError, engine_problem)
    register(HTTPException, http_problem)
    for code in default_exceptions:
        register(code, http_problem)


def route_unmatched_api_errors(app: Flask, is_api_path: Callable[[], bool]) -> None:
    """Answer 404, 405 and 500 on /api/ paths that match no route with problems too.

    No blueprint owns such a request, so the app-wide handlers answer it; those of the web UI
    render HTML. These wrappers keep the web's handlers for every other path.
    """
    app_handlers = app.error_handler_spec.setdefault(None, {})
    for code in (404, 405, 500):
        exception_class = default_exceptions[code]
        previous = (app_handlers.get(code, {}).get(exception_class)
                    or app_handlers.get(None, {}).get(HTTPException))
        app.register_error_handler(code, _dispatch(previous, is_api_path))


def _dispatch(previous: Callable[[HTTPException], Any] | None,
              is_api_path: Callable[[], bool]) -> Callable[[HTTPException], Any]:
    def handle(error: HTTPException) -> Any:
        if is_api_path():
            return http_problem(error)
        if previous is not None:
            return previous(error)
        return error
    return handle
