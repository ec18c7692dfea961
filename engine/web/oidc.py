"""Log-in through OpenID Connect providers: /logg-inn/<provider> and its callback.

The start route stores a random state, nonce and PKCE code verifier in the session cookie and
sends the browser to the provider. The callback takes that entry out again (so a state works
once), exchanges the code, verifies the ID token and starts the same session as the password
log-in. Every failure ends on the log-in page with a message that tells the user what to do.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, g, make_response, redirect, request, session
from flask import url_for as flask_url_for
from werkzeug.wrappers import Response

from engine.access import PUBLIC, access
from engine.errors import LoginBlocked
from engine.models import User
from engine.oidc.claims import map_claims
from engine.oidc.client import ProviderClient
from engine.oidc.errors import (
    IdTokenInvalid,
    LoginStateInvalid,
    LoginTookTooLong,
    ProviderLoginCancelled,
    ProviderLoginFailed,
    ProviderNotConfigured,
    ProviderReportedError,
    UserDeactivated,
)
from engine.oidc.settings import parse_providers, subject_hash_key
from engine.web.context import sloyfe_engine
from engine.web.sessions import start_session

log = logging.getLogger(__name__)

bp = Blueprint("oidc", __name__)

EXTENSION = "sloyfe_oidc"
PENDING_KEY = "oidc_pending"
# How long a started log-in may take at the provider before its state is refused, in seconds.
PENDING_SECONDS = 600
# Log-ins started in other tabs that are kept at once; the oldest is dropped past this.
MAX_PENDING = 3
# An error code from the provider is logged only when it looks like one, since anyone can put
# text in the callback's query.
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")


@dataclass(frozen=True)
class LoginButton:
    key: str
    name: str


@dataclass(frozen=True)
class PendingLogin:
    provider: str
    nonce: str
    code_verifier: str
    next_path: str
    started_at: float


def init_oidc(app: Flask) -> None:
    """Read OIDC_PROVIDERS; a wrong entry stops the start with ProviderSettingsInvalid."""
    timeout = float(app.config.get("OIDC_TIMEOUT_SECONDS", 10.0))
    providers = parse_providers(app.config)
    app.extensions[EXTENSION] = {key: ProviderClient(settings, timeout)
                                 for key, settings in providers.items()}
    hashing = sorted(key for key, settings in providers.items() if settings.claims.hash_subject)
    if hashing and not app.config.get("OIDC_SUBJECT_HASH_KEY"):
        log.warning("oidc subjects hashed with SECRET_KEY providers=%s; set "
                    "OIDC_SUBJECT_HASH_KEY, or a new SECRET_KEY unlinks these identities",
                    ",".join(hashing))


def login_buttons() -> list[LoginButton]:
    return [LoginButton(key, client.settings.name) for key, client in _clients().items()]


def _clients() -> dict[str, ProviderClient]:
    clients: dict[str, ProviderClient] = current_app.extensions.get(EXTENSION, {})
    return clients


def _log_key(provider: str) -> str:
    """Return the provider key for a log line; a key from the URL that matches no provider
    could contain any text, line breaks included, so it is not logged."""
    return provider if provider in _clients() else "(not configured)"


def _now() -> float:
    return sloyfe_engine().clock.now().timestamp()


def _redirect_uri(provider: str) -> str:
    """The callback address, built from BASE_URL so the Host header cannot change it."""
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    return base + flask_url_for("oidc.callback", provider=provider)


# --- views -------------------------------------------------------------------------------------

@bp.route("/logg-inn/<provider>")
@access(PUBLIC)
def start(provider: str) -> Response | tuple[str, int]:
    from engine.web.auth import safe_next

    next_path = safe_next(request.args.get("next"))
    if g.get("user") is not None:
        return redirect(next_path)
    client = _clients().get(provider)
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(64)
    try:
        if client is None:
            raise ProviderNotConfigured(provider)
        sloyfe_engine().logins.check_allowed(None, request.remote_addr)
        url = client.authorization_url(_redirect_uri(provider), state, nonce, code_verifier)
    except LoginBlocked as blocked:
        return _blocked_page(blocked, next_path)
    except ProviderLoginFailed as failure:
        log.info("oidc log-in not started provider=%s code=%s", _log_key(provider),
                 failure.code)
        return _failure_page(failure, next_path)

    _remember(state, PendingLogin(provider, nonce, code_verifier, next_path, _now()))
    log.info("oidc log-in started provider=%s", provider)
    return redirect(url)


@bp.route("/logg-inn/<provider>/tilbake")
@access(PUBLIC)
def callback(provider: str) -> Response | tuple[str, int]:
    engine = sloyfe_engine()
    address = request.remote_addr
    try:
        engine.logins.check_allowed(None, address)
    except LoginBlocked as blocked:
        return _blocked_page(blocked, "/")

    pending = _take(request.args.get("state"))
    next_path = pending.next_path if pending is not None else "/"
    try:
        user = _complete(provider, pending)
    except ProviderLoginFailed as failure:
        username = failure.username if isinstance(failure, UserDeactivated) else None
        engine.logins.record(username, address, success=False)
        log.info("oidc log-in failed provider=%s code=%s username=%s", _log_key(provider),
                 failure.code, username or "-")
        return _failure_page(failure, next_path)

    engine.logins.record(user.username, address, success=True)
    start_session(user.username)
    log.info("oidc log-in succeeded provider=%s username=%s", provider, user.username)
    return redirect(next_path)


def _complete(provider: str, pending: PendingLogin | None) -> User:
    """Check the callback against `pending` and verify the provider's response.

    Returns the user to log in.
    """
    client = _clients().get(provider)
    if client is None:
        raise ProviderNotConfigured(provider)
    settings = client.settings
    if pending is None or pending.provider != provider:
        raise LoginStateInvalid(settings.name)
    if _now() - pending.started_at > PENDING_SECONDS:
        raise LoginTookTooLong(settings.name)

    error = request.args.get("error")
    if error:
        log.info("oidc provider returned an error provider=%s error=%s", provider,
                 error if _ERROR_CODE.fullmatch(error) else "(not a code)")
        if error == "access_denied":
            raise ProviderLoginCancelled(settings.name)
        raise ProviderReportedError(settings.name)
    code = request.args.get("code")
    if not code:
        raise ProviderReportedError(settings.name)

    redirect_uri = _redirect_uri(provider)
    tokens = client.exchange_code(code, redirect_uri, pending.code_verifier)
    claims = client.verify_id_token(tokens["id_token"], pending.nonce, now=int(_now()),
                                    access_token=tokens.get("access_token"))
    identity = map_claims(settings, claims, subject_hash_key(current_app.config))
    if identity is None:
        raise IdTokenInvalid(settings.name, f"claim {settings.claims.subject} missing")
    return sloyfe_engine().identities.log_in(identity, settings.name, settings.provision_users)


# --- pending log-ins in the session ------------------------------------------------------------

def _remember(state: str, pending: PendingLogin) -> None:
    entries = _pending_entries()
    entries[state] = {"provider": pending.provider, "nonce": pending.nonce,
                      "verifier": pending.code_verifier, "next": pending.next_path,
                      "at": pending.started_at}
    while len(entries) > MAX_PENDING:
        oldest = min(entries, key=lambda key: entries[key].get("at", 0))
        del entries[oldest]
    session[PENDING_KEY] = entries


def _take(state: str | None) -> PendingLogin | None:
    """Remove and return the log-in started with `state`, or None when there is none."""
    entries = _pending_entries()
    entry = entries.pop(state, None) if state else None
    session[PENDING_KEY] = entries
    if not isinstance(entry, dict):
        return None
    try:
        return PendingLogin(provider=str(entry["provider"]), nonce=str(entry["nonce"]),
                            code_verifier=str(entry["verifier"]), next_path=str(entry["next"]),
                            started_at=float(entry["at"]))
    except (KeyError, TypeError, ValueError):
        return None


def _pending_entries() -> dict[str, Any]:
    entries = session.get(PENDING_KEY)
    return dict(entries) if isinstance(entries, dict) else {}


# --- pages -------------------------------------------------------------------------------------

def _failure_page(failure: ProviderLoginFailed, next_path: str) -> tuple[str, int]:
    from engine.web.auth import login_page

    return login_page("", str(failure), next_path), failure.http_status


def _blocked_page(blocked: LoginBlocked, next_path: str) -> Response:
    from engine.web.auth import login_page

    response = make_response(login_page("", str(blocked), next_path), 429)
    response.headers["Retry-After"] = str(blocked.retry_after)
    return response
