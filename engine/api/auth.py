"""Authentication of REST API callers: systems with an API token, and users signed in to the
web UI.

A request with `Authorization: Bearer <token>` is the token's: its principal has the token's
scopes and no user name, and `acting_user()` is the user the token acts as. Without that
header, the web UI's session hook sets the signed-in user's principal. Tokens are read only
from the header, never from the query string, where proxies and logs would keep them.

Session calls that change something must carry the CSRF token (header X-CSRFToken), like the
web UI's forms. Token calls need none, because a browser never adds a bearer token by itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, abort, current_app, g, request
from flask_smorest import abort as abort_with_problem

from engine.access import CONFIDENTIAL_SCOPE, Principal, current_principal
from engine.i18n import N_, gettext

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Query parameters under which clients commonly put tokens. Such requests are rejected, so a
# client learns to send the token in the header, which access logs do not record.
TOKEN_QUERY_PARAMETERS = ("access_token", "token", "api_key")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

INVALID_TOKEN = N_("The API token is unknown, revoked or expired. Ask an administrator for a "
                   "new one ('sloyfe token create').")
MALFORMED_HEADER = N_("The Authorization header must have the form 'Bearer <token>'.")
NUL_IN_ADDRESS = N_("The address contains the NUL character (%00), which no id or filter "
                    "can contain.")
TOKEN_IN_QUERY = N_("Send the API token in the header 'Authorization: Bearer <token>', never "
                    "in the address. Revoke a token that was sent in an address.")


@dataclass(frozen=True)
class TokenCaller:
    """The token behind the current request, kept for the audit trail and the logs."""

    token_id: int
    name: str
    actor: str


def is_api_path() -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def authenticate_api_requests(app: Flask) -> None:
    """Register the token hook. Call before the web UI's hooks: they keep a principal that is
    already set, and the access rules, which run among them, need it."""
    app.before_request(load_token_principal)


def load_token_principal() -> None:
    """Set g.principal from the bearer token on API requests; reject bad credentials."""
    g.api_token = None
    if not is_api_path() or request.url_rule is None:
        return
    if _address_has_nul():
        abort_with_problem(400, detail=gettext(NUL_IN_ADDRESS), problem_code="nul_character")
    if any(name in request.args for name in TOKEN_QUERY_PARAMETERS):
        abort_with_problem(400, detail=gettext(TOKEN_IN_QUERY), problem_code="token_in_query")

    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _space, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        abort_with_problem(401, detail=gettext(MALFORMED_HEADER),
                           problem_code="invalid_authorization_header")

    engine = current_app.extensions["sloyfe"]
    token = engine.tokens.authenticate(secret.strip())
    if token is None:
        log.info("api token rejected")
        abort_with_problem(401, detail=gettext(INVALID_TOKEN), problem_code="invalid_token")

    g.api_token = TokenCaller(token.id, token.name, token.actor)
    g.principal = Principal(scopes=frozenset(token.scopes or ()), is_token=True)


def _address_has_nul() -> bool:
    return "\x00" in request.path or any("\x00" in key or "\x00" in value
                                         for key, value in request.args.items(multi=True))


def check_api_caller() -> None:
    """Log which token made the call, or require the CSRF token on a state-changing call
    that relies on the session cookie.

    Runs after the web UI's hooks, so the log line carries the request id.
    """
    if not is_api_path():
        return
    token: TokenCaller | None = g.get("api_token")
    if token is not None:
        log.info("api call token_id=%s actor=%s endpoint=%s", token.token_id, token.actor,
                 request.endpoint)
        return
    if request.method not in UNSAFE_METHODS or request.url_rule is None:
        return
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    current_app.extensions["csrf"].protect()


def acting_user() -> str:
    """Return the user name an operation runs as: the signed-in user, or the token's actor."""
    token: TokenCaller | None = g.get("api_token")
    if token is not None:
        return token.actor
    principal = current_principal()
    if principal.username is None:
        abort(401)
    return principal.username


def signed_in_user() -> str | None:
    """Return the signed-in user's name, or None for a token, whose access comes from its
    scopes instead of a user's rights."""
    principal = current_principal()
    return None if principal.is_token else principal.username


def caller_is_token() -> bool:
    return current_principal().is_token


def token_reads_confidential() -> bool:
    """Return whether a token caller may list the cases and tasks of confidential processes."""
    return CONFIDENTIAL_SCOPE in current_principal().scopes
