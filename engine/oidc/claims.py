"""Turn verified ID token claims into what Sløyfe stores, using a provider's claim mapping."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.oidc.settings import ProviderSettings

log = logging.getLogger(__name__)

HASH_PREFIX = "hmac-sha256:"


@dataclass(frozen=True)
class ProviderIdentity:
    """A person as one provider describes them, mapped to Sløyfe's names.

    `subject` is what the external_identity table stores: the subject claim, or its HMAC when
    the provider hashes subjects. None in the other fields means the token lacks the claim,
    and Sløyfe keeps what it has. `group_keys` is None when the provider maps no groups, or
    when the token refers to its groups elsewhere instead of listing them.
    """

    provider: str
    issuer: str
    subject: str
    subject_hashed: bool
    username: str | None
    display_name: str | None
    email: str | None
    unit_code: str | None
    group_keys: frozenset[str] | None
    managed_groups: frozenset[str]


def hash_subject(value: str, key: str) -> str:
    """Return the stored form of a hashed subject: an HMAC-SHA256 under `key`, in hex.

    A keyed hash, because a national identity number has so few possible values that a plain
    hash of each could be computed.
    """
    digest = hmac.new(key.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return HASH_PREFIX + digest


def stored_subject(settings: ProviderSettings, value: str, hash_key: str) -> str:
    return hash_subject(value, hash_key) if settings.claims.hash_subject else value


def map_claims(settings: ProviderSettings, claims: Mapping[str, Any],
               hash_key: str) -> ProviderIdentity | None:
    """Map `claims` with the provider's settings; None when the subject claim is missing."""
    names = settings.claims
    subject = _text(claims, names.subject)
    if subject is None:
        log.warning("oidc subject claim missing provider=%s claim=%s", settings.key,
                    names.subject)
        return None
    return ProviderIdentity(
        provider=settings.key, issuer=settings.issuer,
        subject=stored_subject(settings, subject, hash_key),
        subject_hashed=settings.claims.hash_subject,
        username=_first_text(claims, names.username),
        display_name=_first_text(claims, names.display_name),
        email=_first_text(claims, names.email),
        unit_code=_unit_code(settings, claims),
        group_keys=_group_keys(settings, claims),
        managed_groups=settings.managed_groups)


def _text(claims: Mapping[str, Any], name: str | None) -> str | None:
    if name is None:
        return None
    value = claims.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _first_text(claims: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = _text(claims, name)
        if value is not None:
            return value
    return None


def _unit_code(settings: ProviderSettings, claims: Mapping[str, Any]) -> str | None:
    name = settings.claims.unit
    if name is None:
        return None
    value = claims.get(name)
    if isinstance(value, list):
        return _unit_code_from_list(settings, value)
    text = _text(claims, name)
    if text is None:
        return None
    if not settings.unit_map:
        return text
    code = settings.unit_map.get(text)
    if code is None:
        log.info("oidc unit claim value has no unit_map entry provider=%s", settings.key)
    return code


def _unit_code_from_list(settings: ProviderSettings, values: list[Any]) -> str | None:
    """Return the unit of the first unit_map entry whose value is in `values`.

    The order of unit_map decides, because the provider lists groups in no stated order.
    """
    listed = {value for value in values if isinstance(value, str)}
    for value, code in settings.unit_map.items():
        if value in listed:
            return code
    log.info("oidc unit claim lists no unit_map value provider=%s", settings.key)
    return None


def _group_keys(settings: ProviderSettings, claims: Mapping[str, Any]) -> frozenset[str] | None:
    name = settings.claims.groups
    if name is None or not settings.group_map:
        return None
    overage = claims.get("_claim_names")
    if isinstance(overage, dict) and name in overage:
        # NOTE: Entra ID leaves the groups out of the token when the user is in more than
        # about 200 groups and names a Graph query instead, which Sløyfe does not make.
        # Group memberships then stay as they are; map app roles (the roles claim) instead.
        log.warning("oidc groups claim replaced by an overage reference provider=%s; "
                    "memberships unchanged", settings.key)
        return None
    # A token without the claim lists no groups, so every managed membership is removed.
    value = claims.get(name, [])
    listed = [value] if isinstance(value, str) else value
    if not isinstance(listed, list):
        log.warning("oidc groups claim is not a list provider=%s", settings.key)
        return None
    keys: set[str] = set()
    for item in listed:
        if isinstance(item, str):
            keys.update(settings.group_map.get(item, ()))
    return frozenset(keys)
