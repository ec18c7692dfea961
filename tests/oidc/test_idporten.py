"""Log-in with ID-porten: the national identity number is linked by hash and never stored."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import MetaData, select

from engine.engine import ProcessEngine
from engine.models import ExternalIdentity
from engine.oidc.claims import hash_subject
from tests.oidc.conftest import (
    HASH_KEY,
    IDPORTEN_PERSON,
    PID,
    Browser,
    Cli,
    idporten_settings,
    session_username,
)
from tests.oidc.provider import LoopbackProvider

NOT_LINKED = ("Kontoen din hos ID-porten er ikke koblet til en bruker i Sløyfe, så du er ikke "
              "logget inn. Be en administrator om tilgang.")


@pytest.fixture
def settings(provider: LoopbackProvider) -> dict[str, Any]:
    provider.auth_method = "client_secret_post"
    provider.claims = dict(IDPORTEN_PERSON)
    return idporten_settings(provider)


@pytest.fixture
def app(make_app: Callable[..., Flask], settings: dict[str, Any]) -> Flask:
    return make_app(settings)


@pytest.fixture
def cli(make_cli: Callable[..., Cli], settings: dict[str, Any],
        demo_engine: ProcessEngine) -> Cli:
    """The command line on the demo municipality's database."""
    return make_cli(settings)


def expected_hash(key: str = HASH_KEY) -> str:
    digest = hmac.new(key.encode(), PID.encode(), hashlib.sha256).hexdigest()
    return "hmac-sha256:" + digest


def stored_subjects(engine: ProcessEngine) -> list[tuple[str, str]]:
    with engine.transaction(read_only=True):
        rows = engine.identities.session.scalars(select(ExternalIdentity))
        return [(row.user.username, row.subject) for row in rows]


def database_text(engine: ProcessEngine) -> str:
    """Return every value of every table as one text, to search for what must not be there."""
    metadata = MetaData()
    with engine.transaction(read_only=True):
        connection = engine.identities.session.connection()
        metadata.reflect(bind=connection)
        parts = [repr(row) for table in metadata.tables.values()
                 for row in connection.execute(table.select())]
    return "\n".join(parts)


def test_linked_person_logs_in(app: Flask, browser: Browser, cli: Cli) -> None:
    linked = cli.run("user", "link", "ola.ansatt", "idporten", stdin=PID + "\n")

    response = browser.log_in("idporten")

    assert linked.exit_code == 0, linked.output
    assert response.status_code == 302
    assert session_username(app, browser.client) == "ola.ansatt"


def test_link_stores_keyed_hash(cli: Cli, demo_engine: ProcessEngine) -> None:
    cli.run("user", "link", "ola.ansatt", "idporten", stdin=PID + "\n")

    assert stored_subjects(demo_engine) == [("ola.ansatt", expected_hash())]


def test_pid_not_in_database(browser: Browser, cli: Cli, demo_engine: ProcessEngine) -> None:
    cli.run("user", "link", "ola.ansatt", "idporten", stdin=PID + "\n")
    browser.log_in("idporten")
    browser.client.post("/logg-ut")
    Browser(browser.client.application.test_client()).log_in("idporten")

    text = database_text(demo_engine)

    assert expected_hash() in text
    assert PID not in text


def test_pid_not_in_logs(browser: Browser, demo_engine: ProcessEngine,
                         provider: LoopbackProvider,
                         caplog: pytest.LogCaptureFixture) -> None:
    # Linked through the service, because the command line replaces the root log handlers,
    # and with them the one caplog reads.
    demo_engine.identities.link("ola.ansatt", "idporten", provider.issuer,
                                hash_subject(PID, HASH_KEY))
    caplog.set_level(logging.DEBUG)
    browser.log_in("idporten")
    browser.client.post("/logg-ut")
    Browser(browser.client.application.test_client()).log_in("idporten")

    assert any("oidc log-in succeeded" in record.getMessage() for record in caplog.records)
    assert all(PID not in record.getMessage() for record in caplog.records)


def test_pid_not_in_link_output(cli: Cli) -> None:
    result = cli.run("-v", "user", "link", "ola.ansatt", "idporten", stdin=PID + "\n")

    assert result.exit_code == 0
    assert "ola.ansatt kan logge inn med ID-porten." in result.output
    assert PID not in result.output


def test_pid_not_in_session_cookie(app: Flask, browser: Browser, cli: Cli) -> None:
    cli.run("user", "link", "ola.ansatt", "idporten", stdin=PID + "\n")
    browser.log_in("idporten")

    with browser.client.session_transaction() as session:
        stored = dict(session)

    assert PID not in repr(stored)


def test_unlinked_person_rejected(browser: Browser, demo_engine: ProcessEngine,
                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    response = browser.log_in("idporten")

    assert response.status_code == 403
    assert NOT_LINKED in response.get_data(as_text=True)
    assert not browser.signed_in()
    assert stored_subjects(demo_engine) == []
    assert any("oidc identity not linked provider=idporten subject=(hashed)"
               in record.getMessage() for record in caplog.records)


def test_other_hash_key_does_not_match(browser: Browser, make_cli: Callable[..., Cli],
                                       settings: dict[str, Any]) -> None:
    other = make_cli(settings, SLOYFE_OIDC_SUBJECT_HASH_KEY="another-key-of-some-length")
    other.run("user", "link", "ola.ansatt", "idporten", stdin=PID + "\n")

    response = browser.log_in("idporten")

    assert response.status_code == 403
    assert not browser.signed_in()


def test_hash_key_defaults_to_secret_key(make_app: Callable[..., Flask],
                                         make_cli: Callable[..., Cli],
                                         settings: dict[str, Any],
                                         demo_engine: ProcessEngine) -> None:
    app = make_app(settings, OIDC_SUBJECT_HASH_KEY="", SECRET_KEY="the-app-secret-key")
    cli = make_cli(settings, SLOYFE_OIDC_SUBJECT_HASH_KEY="",
                   SLOYFE_SECRET_KEY="the-app-secret-key")
    cli.run("user", "link", "ola.ansatt", "idporten", stdin=PID + "\n")
    browser = Browser(app.test_client())

    browser.log_in("idporten")

    assert session_username(app, browser.client) == "ola.ansatt"
    assert stored_subjects(demo_engine) == [("ola.ansatt", expected_hash("the-app-secret-key"))]


def test_secret_key_as_hash_key_warns(make_app: Callable[..., Flask], settings: dict[str, Any],
                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="engine.web.oidc")

    make_app(settings, OIDC_SUBJECT_HASH_KEY="")

    assert any("oidc subjects hashed with SECRET_KEY providers=idporten" in record.getMessage()
               for record in caplog.records)


def test_login_ignores_claims_turned_off(cli: Cli, browser: Browser,
                                         demo_engine: ProcessEngine,
                                         provider: LoopbackProvider) -> None:
    provider.claims.update(name="Et annet navn", email="annen@eksempel.no")
    cli.run("user", "link", "ola.ansatt", "idporten", stdin=PID + "\n")

    browser.log_in("idporten")
    with demo_engine.transaction(read_only=True):
        user = demo_engine.organisation.user("ola.ansatt")

    assert user.display_name == "Ola Olsen"
    assert user.email != "annen@eksempel.no"


def test_authorization_request_asks_for_level(browser: Browser,
                                              provider: LoopbackProvider) -> None:
    browser.log_in("idporten")
    sent = provider.authorize_requests[0]

    assert sent["acr_values"] == "idporten-loa-substantial"
    assert sent["ui_locales"] == "nb"
    assert sent["scope"] == "openid profile"


def test_token_request_posts_client_secret(browser: Browser,
                                           provider: LoopbackProvider) -> None:
    browser.log_in("idporten")
    sent = provider.token_requests[0]

    assert sent["client_secret"] == provider.client_secret
    assert sent["authorization"] == ""
    assert provider.token_errors == []
