"""`sloyfe user link`, `unlink`, `deactivate` and `activate`, and their effect on log-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from engine.engine import ProcessEngine
from tests.oidc.conftest import (
    ENTRA_PERSON,
    PID,
    Browser,
    Cli,
    entra_settings,
    idporten_settings,
    session_username,
)
from tests.oidc.provider import LoopbackProvider

NORA_OID = ENTRA_PERSON["oid"]


@pytest.fixture
def settings(provider: LoopbackProvider) -> dict[str, Any]:
    """Entra without provisioning, so only linked people get in."""
    return entra_settings(provider, provision_users=False)


@pytest.fixture
def app(make_app: Callable[..., Flask], settings: dict[str, Any]) -> Flask:
    return make_app(settings)


@pytest.fixture
def cli(make_cli: Callable[..., Cli], settings: dict[str, Any], provider: LoopbackProvider,
        demo_engine: ProcessEngine) -> Cli:
    return make_cli(settings, idporten_settings(provider))


def test_link_lets_person_log_in(app: Flask, browser: Browser, cli: Cli) -> None:
    result = cli.run("user", "link", "lise.leder", "entra", stdin=NORA_OID + "\n")

    browser.log_in()

    assert result.exit_code == 0
    assert "lise.leder kan logge inn med Microsoft." in result.output
    assert session_username(app, browser.client) == "lise.leder"


def test_link_twice_is_harmless(cli: Cli) -> None:
    cli.run("user", "link", "lise.leder", "entra", stdin=NORA_OID + "\n")

    again = cli.run("user", "link", "lise.leder", "entra", stdin=NORA_OID + "\n")

    assert again.exit_code == 0


def test_link_rejects_account_of_other_user(cli: Cli) -> None:
    cli.run("user", "link", "lise.leder", "entra", stdin=NORA_OID + "\n")

    result = cli.run("user", "link", "ola.ansatt", "entra", stdin=NORA_OID + "\n")

    assert result.exit_code == 1
    assert "den kontoen er allerede koblet til lise.leder" in result.output


def test_link_rejects_unknown_user(cli: Cli) -> None:
    result = cli.run("user", "link", "finnes.ikke", "entra", stdin=NORA_OID + "\n")

    assert result.exit_code == 1
    assert "finnes.ikke" in result.output


def test_link_rejects_unknown_provider(cli: Cli) -> None:
    result = cli.run("user", "link", "lise.leder", "bankid", stdin=NORA_OID + "\n")

    assert result.exit_code == 2
    assert "Ingen innloggingstjeneste har nøkkelen bankid" in result.output
    assert "entra, idporten" in result.output


def test_link_rejects_malformed_pid(cli: Cli, demo_engine: ProcessEngine) -> None:
    result = cli.run("user", "link", "lise.leder", "idporten", stdin="0101701234\n")

    assert result.exit_code == 2
    assert "Et fødselsnummer har 11 sifre. Ingenting ble koblet." in result.output
    assert "0101701234" not in result.output


def test_link_reports_invalid_settings(make_cli: Callable[..., Cli],
                                       demo_engine: ProcessEngine) -> None:
    cli = make_cli({"key": "entra", "name": "Microsoft"})

    result = cli.run("user", "link", "lise.leder", "entra", stdin=PID + "\n")

    assert result.exit_code == 2
    assert "OIDC_PROVIDERS[0] (entra): issuer must be a non-empty string" in result.output


def test_unlink_stops_log_in(app: Flask, browser: Browser, cli: Cli) -> None:
    cli.run("user", "link", "lise.leder", "entra", stdin=NORA_OID + "\n")

    result = cli.run("user", "unlink", "lise.leder", "entra")
    response = browser.log_in()

    assert result.exit_code == 0
    assert "1 kobling mellom lise.leder og Microsoft fjernet." in result.output
    assert response.status_code == 403
    assert not browser.signed_in()


def test_deactivate_stops_log_in(app: Flask, browser: Browser, cli: Cli) -> None:
    cli.run("user", "link", "lise.leder", "entra", stdin=NORA_OID + "\n")

    result = cli.run("user", "deactivate", "lise.leder")
    response = browser.log_in()

    assert result.exit_code == 0
    assert response.status_code == 403
    assert "Brukeren din i Sløyfe er deaktivert" in response.get_data(as_text=True)


def test_activate_allows_log_in_again(app: Flask, browser: Browser, cli: Cli) -> None:
    cli.run("user", "link", "lise.leder", "entra", stdin=NORA_OID + "\n")
    cli.run("user", "deactivate", "lise.leder")

    result = cli.run("user", "activate", "lise.leder")
    browser.log_in()

    assert result.exit_code == 0
    assert session_username(app, browser.client) == "lise.leder"


def test_deactivate_stops_password_log_in(app: Flask, cli: Cli) -> None:
    cli.run("user", "deactivate", "lise.leder")
    client = app.test_client()

    client.post("/logg-inn", data={"brukernavn": "lise.leder", "passord": "demo"})

    assert session_username(app, client) is None
