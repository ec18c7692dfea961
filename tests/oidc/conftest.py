"""The loopback provider, the app configured for it, and a browser that walks the log-in.

The browser drives Sløyfe with the Flask test client and the provider with `requests`, the
way a real browser follows the redirects between the two.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient
from joserfc.jwk import RSAKey
from werkzeug.test import TestResponse

from engine.app import create_app
from engine.cli import main
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from tests.oidc.provider import LoopbackProvider, generate_key

HASH_KEY = "test-subject-hash-key-of-some-length"
# Entra ID names groups by object id; these two stand for the municipality's groups.
HANDLERS_GROUP_ID = "5b0c6f2e-0d1f-4a57-9c39-1f1ad1f0c001"
PRIVACY_GROUP_ID = "5b0c6f2e-0d1f-4a57-9c39-1f1ad1f0c002"
UNIT_NAMES = {"Sykehjemmet": "sykehjem", "Hjemmetjenesten": "hjemmetjenesten"}

# The person the provider approves unless a test changes the claims, as Entra ID describes them.
ENTRA_PERSON: dict[str, Any] = {
    "sub": "pairwise-subject-of-nora",
    "oid": "00000000-0000-0000-0000-00000000a001",
    "preferred_username": "nora.nilsen@eksempel.kommune.no",
    "name": "Nora Nilsen",
    "email": "nora.nilsen@eksempel.kommune.no",
    "department": "Sykehjemmet",
    "groups": [HANDLERS_GROUP_ID],
}

# A made-up national identity number: 11 digits, not a real person's.
PID = "01017012345"
IDPORTEN_PERSON: dict[str, Any] = {
    "sub": "idporten-pairwise-subject",
    "pid": PID,
    "acr": "idporten-loa-substantial",
    "amr": ["BankID"],
    "locale": "nb",
}


@pytest.fixture(scope="session")
def provider_keys() -> tuple[RSAKey, RSAKey]:
    """The provider's signing key, and another key with the same kid that it is not."""
    return generate_key("signing-1"), generate_key("signing-1")


@pytest.fixture
def provider(clock: FixedClock,
             provider_keys: tuple[RSAKey, RSAKey]) -> Iterator[LoopbackProvider]:
    running = LoopbackProvider(clock=clock, signing_key=provider_keys[0],
                               foreign_key=provider_keys[1], claims=dict(ENTRA_PERSON))
    running.start()
    yield running
    running.stop()


def entra_settings(provider: LoopbackProvider, **changes: Any) -> dict[str, Any]:
    return {
        "key": "entra", "name": "Microsoft", "issuer": provider.issuer,
        "client_id": provider.client_id, "client_secret": provider.client_secret,
        "subject_claim": "oid", "username_claim": "preferred_username",
        "unit_claim": "department", "unit_map": UNIT_NAMES,
        "groups_claim": "groups",
        "group_map": {HANDLERS_GROUP_ID: "behandler@sykehjem",
                      PRIVACY_GROUP_ID: ["personvernombud"]},
        "provision_users": True, **changes}


def idporten_settings(provider: LoopbackProvider, **changes: Any) -> dict[str, Any]:
    return {
        "key": "idporten", "name": "ID-porten", "issuer": provider.issuer,
        "client_id": provider.client_id, "client_secret": provider.client_secret,
        "token_auth_method": "client_secret_post", "scopes": ["openid", "profile"],
        "authorize_params": {"acr_values": "idporten-loa-substantial", "ui_locales": "nb"},
        "subject_claim": "pid", "hash_subject": True, "username_claim": None,
        "name_claim": None, "email_claim": None, **changes}


@pytest.fixture
def oidc_config(test_config: dict[str, Any]) -> dict[str, Any]:
    return {**test_config, "TESTING": True, "WTF_CSRF_ENABLED": False,
            "OIDC_SUBJECT_HASH_KEY": HASH_KEY, "OIDC_TIMEOUT_SECONDS": 5.0}


@pytest.fixture
def make_app(demo_engine: ProcessEngine,
             oidc_config: dict[str, Any]) -> Callable[..., Flask]:
    """Build the app with the given provider settings on the demo engine."""

    def build(*providers: dict[str, Any], **config: Any) -> Flask:
        return create_app({**oidc_config, "OIDC_PROVIDERS": list(providers), **config},
                          engine=demo_engine)

    return build


@pytest.fixture
def app(make_app: Callable[..., Flask], provider: LoopbackProvider) -> Flask:
    return make_app(entra_settings(provider))


@dataclass
class Browser:
    """One person's browser: the Flask test client for Sløyfe, `requests` for the provider."""

    client: FlaskClient

    def start(self, provider_key: str, next_path: str | None = None) -> str:
        """Press the provider's button; return the provider URL Sløyfe redirected to."""
        query = {"next": next_path} if next_path else None
        response = self.client.get(f"/logg-inn/{provider_key}", query_string=query)
        assert response.status_code == 302, response.get_data(as_text=True)
        return str(response.headers["Location"])

    def visit_provider(self, url: str) -> str:
        """Open the provider's authorization URL; return the callback URL it redirects to."""
        with requests.Session() as session:
            session.trust_env = False
            answer = session.get(url, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return str(answer.headers["Location"])

    def return_to(self, callback_url: str) -> TestResponse:
        """Follow the provider's redirect back to Sløyfe."""
        parts = urlsplit(callback_url)
        return self.client.get(f"{parts.path}?{parts.query}")

    def log_in(self, provider_key: str = "entra",
               next_path: str | None = None) -> TestResponse:
        return self.return_to(self.visit_provider(self.start(provider_key, next_path)))

    def signed_in(self) -> bool:
        """Return whether the start page opens, which needs a session."""
        return self.client.get("/").status_code == 200


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app.test_client())


def session_username(app: Flask, client: FlaskClient) -> str | None:
    """Return the user name stored in the client's session cookie, or None."""
    with client.session_transaction() as session:
        value = session.get("username")
    return value if isinstance(value, str) else None


@dataclass
class Cli:
    """`sloyfe` run in-process on the test database, with the given providers configured."""

    database_url: str
    providers: list[dict[str, Any]]
    environment: dict[str, str]

    def run(self, *args: str, stdin: str | None = None) -> Result:
        env = {"SLOYFE_DATABASE_URL": self.database_url, "SLOYFE_SMTP_HOST": "",
               "SLOYFE_NOW": "2027-01-04T09:00",
               "SLOYFE_OIDC_PROVIDERS": json.dumps(self.providers), **self.environment}
        return CliRunner().invoke(main, list(args), input=stdin, env=env,
                                  catch_exceptions=False)


@pytest.fixture
def make_cli(database_url: str) -> Callable[..., Cli]:
    """Build a Cli for some providers; the hash key is the app's unless given."""

    def build(*providers: dict[str, Any], **environment: str) -> Cli:
        defaults = {"SLOYFE_OIDC_SUBJECT_HASH_KEY": HASH_KEY}
        return Cli(database_url, list(providers), {**defaults, **environment})

    return build
