"""The signed-in session: whom it belongs to, when it began and when it was last used.

Flask keeps the session in a signed cookie, so the server keeps no list of sessions. The
cookie carries its own limits instead: the log-in time for the absolute lifetime
(SESSION_HOURS) and the time of the last request for the idle limit (SESSION_IDLE_MINUTES),
both read from the engine clock. To end sessions early, the user row stores a time
(`sessions_valid_after`, set at log-out and on a new password): a session that logged in
before it is over, wherever its cookie is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from flask import current_app, session

from engine.web.context import sloyfe_engine

SESSION_USER = "username"
LOGGED_IN_AT = "logged_in_at"
LAST_SEEN_AT = "last_seen_at"
# A random value per log-in, so two log-ins of the same user never produce the same cookie.
SESSION_NONCE = "nonce"


class SessionEnd(Enum):
    IDLE = "idle"
    LIFETIME = "lifetime"
    ENDED = "ended"  # by a log-out, a new password or an administrator


@dataclass(frozen=True)
class SessionLimits:
    lifetime_seconds: float
    idle_seconds: float

    @classmethod
    def from_config(cls) -> SessionLimits:
        config = current_app.config
        return cls(lifetime_seconds=float(config["SESSION_HOURS"]) * 3600,
                   idle_seconds=float(config["SESSION_IDLE_MINUTES"]) * 60)


def _now() -> float:
    return sloyfe_engine().clock.now().timestamp()


def start_session(username: str) -> None:
    """Replace whatever the session held with a new log-in of `username`.

    Clearing first drops everything set before the log-in (the CSRF token among it), so a
    session prepared by someone else cannot be carried into the signed-in one.
    """
    session.clear()
    session.permanent = True
    now = _now()
    session[SESSION_USER] = username
    session[LOGGED_IN_AT] = now
    session[LAST_SEEN_AT] = now
    session[SESSION_NONCE] = secrets.token_urlsafe(16)


def end_session() -> None:
    """Clear the session cookie. Other copies of it end through `sessions_valid_after`."""
    session.clear()


def ended_early(valid_after: datetime | None) -> bool:
    """Return whether the session logged in before the user's sessions were ended."""
    logged_in_at = session.get(LOGGED_IN_AT)
    if valid_after is None or not isinstance(logged_in_at, (int, float)):
        return False
    return logged_in_at < valid_after.timestamp()


def session_username() -> str | None:
    value = session.get(SESSION_USER)
    return value if isinstance(value, str) and value else None


def session_end() -> SessionEnd | None:
    """Return why the signed-in session is over, or None while it is still valid.

    A session without both times comes from before they were recorded and counts as over.
    """
    limits = SessionLimits.from_config()
    logged_in_at = session.get(LOGGED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if not isinstance(logged_in_at, (int, float)) or not isinstance(last_seen_at, (int, float)):
        return SessionEnd.LIFETIME
    now = _now()
    if now - logged_in_at >= limits.lifetime_seconds:
        return SessionEnd.LIFETIME
    if now - last_seen_at >= limits.idle_seconds:
        return SessionEnd.IDLE
    return None


def touch_session() -> None:
    """Record this request as the session's latest activity."""
    session[LAST_SEEN_AT] = _now()
