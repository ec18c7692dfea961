"""API tokens: secrets that let other systems call the REST API with a fixed set of scopes.

A token is shown once, when it is created. The database keeps only its SHA-256 hash and a
short prefix, so a leaked database copy does not leak usable tokens. Every token acts as one
user (its `actor`), who must exist: the audit trail names that user for what the token does.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from engine.errors import Conflict, InvalidInput, NotFound
from engine.i18n import N_
from engine.i18n import gettext as _
from engine.models import ApiToken
from engine.services.base import Service

log = logging.getLogger(__name__)

SCOPES = (
    "definitions:read", "definitions:write",
    "instances:read", "instances:write",
    "instances:admin",  # repair actions on cases, for a token that acts as an administrator
    "tasks:read", "tasks:write",
    "history:read",
    "incidents:read", "incidents:write",
    "messages:write",
    "confidential:read",  # cases of confidential processes, with the scopes above
    "metrics:read",  # /metrics, for a token that acts as an administrator
)
SECRET_PREFIX = "slf_"
# Characters of the secret kept in clear (after SECRET_PREFIX), so tokens can be told apart.
VISIBLE_CHARACTERS = 8
# A secret is SECRET_PREFIX plus 43 characters; anything much longer is not one of ours.
MAX_SECRET_LENGTH = 100
# last_used_at is written at most this often per token, so busy systems do not write a row
# on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_NAME_LENGTH = 200


class TokenNotFound(NotFound):
    code = "token_not_found"
    message = N_("No API token with id %(token_id)s exists. List the tokens with "
                 "'sloyfe token list'.")

    def __init__(self, token_id: int) -> None:
        super().__init__(token_id=token_id)


class TokenAlreadyRevoked(Conflict):
    code = "token_already_revoked"
    message = N_("The API token %(token_id)s was already revoked. Nothing was changed.")

    def __init__(self, token_id: int) -> None:
        super().__init__(token_id=token_id)


@dataclass(frozen=True)
class IssuedToken:
    """A new token's stored row and its secret, which exists nowhere else."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenService(Service):

    def create(self, name: str, scopes: Iterable[str], actor: str, created_by: str | None,
               expires_at: datetime | None = None) -> IssuedToken:
        """Issue a token that acts as the user `actor`; returns the secret this once."""
        name = name.strip()
        scope_list = sorted(set(scopes))
        self._check(name, scope_list, expires_at)

        with self.transaction():
            self.engine.organisation.user(actor)
            secret = SECRET_PREFIX + secrets.token_urlsafe(32)
            token = ApiToken(
                name=name, prefix=secret[:len(SECRET_PREFIX) + VISIBLE_CHARACTERS],
                token_hash=hash_secret(secret), scopes=scope_list, actor=actor,
                created_by=created_by, created_at=self.engine.clock.now(),
                expires_at=expires_at)
            self.session.add(token)
            self.session.flush()
            self.audit("api_token_created", created_by, token_id=token.id, name=name,
                       token_actor=actor, scopes=scope_list)
            log.info("api token created token_id=%s actor=%s", token.id, actor)
            return IssuedToken(token, secret)

    def _check(self, name: str, scopes: list[str], expires_at: datetime | None) -> None:
        if not name or len(name) > MAX_NAME_LENGTH:
            raise InvalidInput(_("the token name must have 1 to %(max)s characters",
                                 max=MAX_NAME_LENGTH))
        unknown = [scope for scope in scopes if scope not in SCOPES]
        if unknown:
            raise InvalidInput(_("unknown scope %(scopes)s; the scopes are %(known)s",
                                 scopes=", ".join(unknown), known=", ".join(SCOPES)))
        if not scopes:
            raise InvalidInput(_("give the token at least one scope: %(known)s",
                                 known=", ".join(SCOPES)))
        if expires_at is not None and expires_at <= self.engine.clock.now():
            raise InvalidInput(_("the expiry time %(expires)s has already passed",
                                 expires=expires_at.isoformat()))

    def authenticate(self, secret: str) -> ApiToken | None:
        """Return the valid token with this secret, or None when it is unknown, revoked or
        expired."""
        if not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
            return None
        digest = hash_secret(secret)
        now = self.engine.clock.now()
        with self.transaction(read_only=True):
            token = self.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
        if token is None or not self.is_valid(token, now):
            return None

        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            self._touch(token.id, now)
            token.last_used_at = now
        return token

    def _touch(self, token_id: int, now: datetime) -> None:
        # The condition repeats the check, so of two requests in the same minute only one
        # writes.
        with self.transaction():
            self.session.execute(update(ApiToken).where(
                ApiToken.id == token_id,
                or_(ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at <= now - LAST_USED_RESOLUTION))
                .values(last_used_at=now))

    @staticmethod
    def is_valid(token: ApiToken, now: datetime) -> bool:
        if token.revoked_at is not None:
            return False
        return token.expires_at is None or token.expires_at > now

    def revoke(self, token_id: int, actor: str | None) -> ApiToken:
        """Make a token unusable from now on; the row stays for the audit trail."""
        with self.transaction():
            token = self.session.get(ApiToken, token_id)
            if token is None:
                raise TokenNotFound(token_id)
            if token.revoked_at is not None:
                raise TokenAlreadyRevoked(token_id)
            token.revoked_at = self.engine.clock.now()
            self.audit("api_token_revoked", actor, token_id=token.id, name=token.name)
            log.info("api token revoked token_id=%s", token.id)
            return token

    def list(self) -> list[ApiToken]:
        with self.transaction(read_only=True):
            return list(self.session.scalars(select(ApiToken).order_by(ApiToken.id)))

    def summary(self, token: ApiToken) -> dict[str, Any]:
        """The token's row without its hash, for listings."""
        now = self.engine.clock.now()
        return {
            "id": token.id, "name": token.name, "prefix": token.prefix,
            "scopes": list(token.scopes or []), "actor": token.actor,
            "created_by": token.created_by, "created_at": token.created_at.isoformat(),
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
            "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
            "valid": self.is_valid(token, now),
        }
