"""The OIDC_PROVIDERS setting: one object per OpenID Connect provider, checked at start-up.

Each object takes these keys (only key, name, issuer and client_id are required):

    key                 short name in the log-in addresses, a-z, 0-9 and "-"
    name                the provider's name as users know it, for example "ID-porten"; the
                        button then reads "Logg inn med ID-porten"
    issuer              the provider's issuer URL; https, except on a loopback host
    discovery_url       where the discovery document is (default: issuer +
                        /.well-known/openid-configuration)
    client_id           Sløyfe's client id at the provider
    client_secret       Sløyfe's client secret; when absent, read from the environment
                        variable SLOYFE_OIDC_<KEY>_CLIENT_SECRET
    token_auth_method   client_secret_basic (default) or client_secret_post
    scopes              requested scopes (default openid, profile, email)
    authorize_params    extra query parameters for the provider, such as acr_values
    subject_claim       the claim that identifies the person at the provider (default sub)
    hash_subject        store an HMAC of the subject instead of the subject itself; required
                        when subject_claim is pid, ID-porten's national identity number
    username_claim      user name of a new user (default preferred_username)
    name_claim          display name (default name)
    email_claim         e-mail address (default email)
    unit_claim          the claim that names the user's unit (default none); it may also
                        be a list, such as the groups claim
    unit_map            claim value -> unit code; without it the value is the unit code. For
                        a list claim the first unit_map entry whose value is listed wins
    groups_claim        the claim that lists the user's groups or roles (default none)
    group_map           claim value -> Sløyfe group key, or a list of keys

username_claim, name_claim and email_claim take one claim name or a list of names; the first
claim present in the token is used (["preferred_username", "upn", "email"]). null turns the
claim off, so Sløyfe keeps the value it has.

A hashed subject uses OIDC_SUBJECT_HASH_KEY as the HMAC key, or SECRET_KEY when that is not
set (see subject_hash_key).
    provision_users     create a user on the first log-in of an unknown person (default
                        false: only identities an administrator linked may log in)
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

DISCOVERY_PATH = "/.well-known/openid-configuration"
TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
DEFAULT_SCOPES = ("openid", "profile", "email")
# ID-porten's claim with the national identity number, which is never stored in clear.
NATIONAL_ID_CLAIM = "pid"

_KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_KNOWN_KEYS = frozenset({
    "key", "name", "issuer", "discovery_url", "client_id", "client_secret",
    "token_auth_method", "scopes", "authorize_params", "subject_claim", "hash_subject",
    "username_claim", "name_claim", "email_claim", "unit_claim", "unit_map", "groups_claim",
    "group_map", "provision_users",
})


class ProviderSettingsInvalid(ValueError):
    """An OIDC_PROVIDERS entry that Sløyfe cannot use; the message names the entry and key."""


@dataclass(frozen=True)
class ClaimNames:
    """Which ID token claims carry what Sløyfe stores about a user.

    The tuples list claims in order of preference, and an empty tuple or None means the value
    is not read.
    """

    subject: str = "sub"
    hash_subject: bool = False
    username: tuple[str, ...] = ("preferred_username",)
    display_name: tuple[str, ...] = ("name",)
    email: tuple[str, ...] = ("email",)
    unit: str | None = None
    groups: str | None = None


@dataclass(frozen=True)
class ProviderSettings:
    key: str
    name: str
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str = field(repr=False)
    token_auth_method: str
    scopes: tuple[str, ...]
    authorize_params: Mapping[str, str]
    claims: ClaimNames
    unit_map: Mapping[str, str]
    group_map: Mapping[str, tuple[str, ...]]
    provision_users: bool

    @property
    def managed_groups(self) -> frozenset[str]:
        """The group keys that log-ins through this provider add and remove."""
        return frozenset(key for keys in self.group_map.values() for key in keys)


def subject_hash_key(config: Mapping[str, Any]) -> str:
    """Return the HMAC key for hashed subjects: OIDC_SUBJECT_HASH_KEY, else SECRET_KEY.

    Returns "" when neither is set. A new key changes every stored hash, so each hashed
    identity must then be linked again.
    """
    return str(config.get("OIDC_SUBJECT_HASH_KEY") or config.get("SECRET_KEY") or "")


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_allowed_url(url: str) -> bool:
    """Return whether `url` is https, or http on a loopback host (for local tests)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))


def parse_providers(config: Mapping[str, Any]) -> dict[str, ProviderSettings]:
    """Read OIDC_PROVIDERS from `config`, keyed by provider key.

    Raises ProviderSettingsInvalid for the first entry that is wrong.
    """
    entries = config.get("OIDC_PROVIDERS") or []
    if not isinstance(entries, list):
        raise ProviderSettingsInvalid("OIDC_PROVIDERS must be a list of objects")
    providers: dict[str, ProviderSettings] = {}
    for index, entry in enumerate(entries):
        settings = _parse_entry(index, entry, config)
        if settings.key in providers:
            raise ProviderSettingsInvalid(
                f"OIDC_PROVIDERS[{index}]: the key {settings.key!r} is used twice")
        providers[settings.key] = settings
    return providers


def _parse_entry(index: int, entry: Any, config: Mapping[str, Any]) -> ProviderSettings:
    where = f"OIDC_PROVIDERS[{index}]"
    if not isinstance(entry, dict):
        raise ProviderSettingsInvalid(f"{where} must be an object")
    reader = _EntryReader(where, entry)
    key = reader.text("key")
    reader.where = where = f"{where} ({key})"
    if not _KEY_PATTERN.fullmatch(key):
        raise ProviderSettingsInvalid(f"{where}: key must be 1-32 characters of a-z, 0-9 "
                                      "and '-', starting with a letter or digit")
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        raise ProviderSettingsInvalid(f"{where}: unknown keys {', '.join(unknown)}")

    issuer = reader.text("issuer")
    discovery_url = reader.optional_text("discovery_url") or issuer.rstrip("/") + DISCOVERY_PATH
    for name, url in (("issuer", issuer), ("discovery_url", discovery_url)):
        if not is_allowed_url(url):
            raise ProviderSettingsInvalid(
                f"{where}: {name} must be an https:// URL (http:// only on 127.0.0.1, ::1 or "
                f"localhost), not {url!r}")

    secret_variable = f"SLOYFE_OIDC_{key.upper().replace('-', '_')}_CLIENT_SECRET"
    client_secret = reader.optional_text("client_secret") or os.environ.get(secret_variable)
    if not client_secret:
        raise ProviderSettingsInvalid(
            f"{where}: client_secret is missing; set it, or the environment variable "
            f"{secret_variable}")

    token_auth_method = reader.optional_text("token_auth_method") or TOKEN_AUTH_METHODS[0]
    if token_auth_method not in TOKEN_AUTH_METHODS:
        raise ProviderSettingsInvalid(f"{where}: token_auth_method must be one of "
                                      f"{', '.join(TOKEN_AUTH_METHODS)}")
    scopes = tuple(reader.text_list("scopes", DEFAULT_SCOPES))
    if "openid" not in scopes:
        raise ProviderSettingsInvalid(f"{where}: scopes must include openid")

    claims = _claim_names(reader)
    provision_users = reader.flag("provision_users", False)
    if provision_users and (not claims.username or claims.hash_subject):
        raise ProviderSettingsInvalid(
            f"{where}: provision_users needs a username_claim and an unhashed subject, since "
            "a new user needs a user name")
    if claims.hash_subject and not subject_hash_key(config):
        raise ProviderSettingsInvalid(
            f"{where}: hash_subject needs OIDC_SUBJECT_HASH_KEY (or SECRET_KEY), a long "
            "random secret")

    unit_map = reader.text_map("unit_map")
    if unit_map and claims.unit is None:
        raise ProviderSettingsInvalid(f"{where}: unit_map needs a unit_claim")

    return ProviderSettings(
        key=key, name=reader.text("name"), issuer=issuer, discovery_url=discovery_url,
        client_id=reader.text("client_id"), client_secret=client_secret,
        token_auth_method=token_auth_method, scopes=scopes,
        authorize_params=reader.text_map("authorize_params"), claims=claims,
        unit_map=unit_map, group_map=_group_map(reader),
        provision_users=provision_users)


def _claim_names(reader: _EntryReader) -> ClaimNames:
    defaults = ClaimNames()
    subject = reader.optional_text("subject_claim") or defaults.subject
    hash_subject = reader.flag("hash_subject", False)
    if subject == NATIONAL_ID_CLAIM and not hash_subject:
        raise ProviderSettingsInvalid(
            f"{reader.where}: subject_claim pid needs hash_subject true, so the national "
            "identity number is never stored")
    return ClaimNames(
        subject=subject, hash_subject=hash_subject,
        username=reader.claim_list("username_claim", defaults.username),
        display_name=reader.claim_list("name_claim", defaults.display_name),
        email=reader.claim_list("email_claim", defaults.email),
        unit=reader.claim("unit_claim", defaults.unit),
        groups=reader.claim("groups_claim", defaults.groups))


def _group_map(reader: _EntryReader) -> dict[str, tuple[str, ...]]:
    raw = reader.entry.get("group_map") or {}
    if not isinstance(raw, dict):
        raise ProviderSettingsInvalid(f"{reader.where}: group_map must be an object")
    mapping: dict[str, tuple[str, ...]] = {}
    for value, keys in raw.items():
        listed = [keys] if isinstance(keys, str) else keys
        if not isinstance(listed, list) or not all(
                isinstance(key, str) and key for key in listed):
            raise ProviderSettingsInvalid(
                f"{reader.where}: group_map[{value!r}] must be a group key or a list of keys")
        mapping[str(value)] = tuple(listed)
    if mapping and reader.entry.get("groups_claim") is None:
        raise ProviderSettingsInvalid(f"{reader.where}: group_map needs a groups_claim")
    return mapping


class _EntryReader:
    """Typed access to one provider object, with errors that name the entry and key."""

    def __init__(self, where: str, entry: dict[str, Any]) -> None:
        self.where = where
        self.entry = entry

    def _fail(self, name: str, expected: str) -> ProviderSettingsInvalid:
        return ProviderSettingsInvalid(f"{self.where}: {name} must be {expected}")

    def text(self, name: str) -> str:
        value = self.entry.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(name, "a non-empty string")
        return value.strip()

    def optional_text(self, name: str) -> str | None:
        if self.entry.get(name) is None:
            return None
        return self.text(name)

    def claim(self, name: str, default: str | None) -> str | None:
        """Return a claim name, or None when an explicit null switches the claim off."""
        if name not in self.entry:
            return default
        return self.optional_text(name)

    def claim_list(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """Claim names in order of preference: one name or a list; null switches it off."""
        if name not in self.entry:
            return default
        value = self.entry[name]
        if value is None:
            return ()
        if isinstance(value, str) and value.strip():
            return (value.strip(),)
        if isinstance(value, list) and value and all(
                isinstance(item, str) and item.strip() for item in value):
            return tuple(item.strip() for item in value)
        raise self._fail(name, "a claim name, a list of claim names or null")

    def flag(self, name: str, default: bool) -> bool:
        value = self.entry.get(name, default)
        if not isinstance(value, bool):
            raise self._fail(name, "true or false")
        return value

    def text_list(self, name: str, default: tuple[str, ...]) -> list[str]:
        value = self.entry.get(name)
        if value is None:
            return list(default)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self._fail(name, "a list of strings")
        return value

    def text_map(self, name: str) -> dict[str, str]:
        value = self.entry.get(name) or {}
        if not isinstance(value, dict) or not all(
                isinstance(v, str) for v in value.values()):
            raise self._fail(name, "an object of strings")
        return {str(k): v for k, v in value.items()}
