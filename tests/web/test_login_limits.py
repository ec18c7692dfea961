"""The log-in page under the limits: lockout and address limit messages, the client address
behind a proxy, and what is logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.app import create_app
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock

LOCKED = "For mange mislykkede forsøk. Prøv igjen om 15 minutter."


def post_login(client: FlaskClient, username: str, password: str,
               address: str = "127.0.0.1") -> tuple[int, str, dict[str, str]]:
    response = client.post("/logg-inn", data={"brukernavn": username, "passord": password},
                           environ_base={"REMOTE_ADDR": address})
    return response.status_code, response.get_data(as_text=True), dict(response.headers)


def test_fifth_failure_shows_lock_message(client: FlaskClient) -> None:
    for _attempt in range(4):
        status, html, _headers = post_login(client, "ola.ansatt", "feil")
        assert status == 200
        assert "Feil brukernavn eller passord." in html

    status, html, headers = post_login(client, "ola.ansatt", "feil")

    assert status == 429
    assert LOCKED in html
    assert headers["Retry-After"] == "900"
    assert 'value="ola.ansatt"' in html


def test_locked_user_cannot_log_in(client: FlaskClient) -> None:
    for _attempt in range(5):
        post_login(client, "ola.ansatt", "feil")

    status, html, _headers = post_login(client, "ola.ansatt", "demo")

    assert status == 429
    assert LOCKED in html
    assert client.get("/").status_code == 302


def test_unknown_user_gets_same_responses(client: FlaskClient) -> None:
    known = [post_login(client, "ola.ansatt", "feil")[:2] for _attempt in range(6)]
    unknown = [post_login(client, "ingen.slik", "feil")[:2] for _attempt in range(6)]

    def shown(answers: list[tuple[int, str]]) -> list[tuple[int, bool, bool]]:
        return [(status, "Feil brukernavn eller passord." in html, LOCKED in html)
                for status, html in answers]

    assert shown(known) == shown(unknown)


def test_lock_lifts_when_clock_moves(client: FlaskClient, clock: FixedClock) -> None:
    for _attempt in range(5):
        post_login(client, "ola.ansatt", "feil")
    clock.advance(minutes=10)

    assert "Prøv igjen om 5 minutter." in post_login(client, "ola.ansatt", "demo")[1]

    clock.advance(minutes=5)
    status, _html, headers = post_login(client, "ola.ansatt", "demo")

    assert status == 302
    assert headers["Location"] == "/"


def test_address_limit_message(client: FlaskClient) -> None:
    for number in range(20):
        post_login(client, f"bruker{number}", "feil", address="198.51.100.7")

    status, html, headers = post_login(client, "ola.ansatt", "demo", address="198.51.100.7")
    other = post_login(client, "ola.ansatt", "demo", address="198.51.100.8")

    assert status == 429
    assert "For mange innloggingsforsøk fra nettverksadressen din. Prøv igjen om 1 minutt." \
        in html
    assert headers["Retry-After"] == "60"
    assert other[0] == 302


def test_empty_fields_are_not_attempts(client: FlaskClient) -> None:
    for _attempt in range(10):
        post_login(client, "ola.ansatt", "")

    assert post_login(client, "ola.ansatt", "demo")[0] == 302


def test_failed_login_logs_no_secrets(client: FlaskClient,
                                      caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        for _attempt in range(6):
            post_login(client, "ola.ansatt", "hemmelig-feil")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "hemmelig-feil" not in logged
    assert "ola.ansatt" not in logged
    assert "log-in locked" in logged


def test_forwarded_address_ignored_by_default(client: FlaskClient) -> None:
    for number in range(20):
        client.post("/logg-inn", data={"brukernavn": f"bruker{number}", "passord": "feil"},
                    headers={"X-Forwarded-For": f"198.51.100.{number}"})

    response = client.post("/logg-inn", data={"brukernavn": "ola.ansatt", "passord": "demo"},
                           headers={"X-Forwarded-For": "198.51.100.99"})

    assert response.status_code == 429


def test_trusted_proxy_gives_client_address(demo_engine: ProcessEngine,
                                            web_config: dict[str, Any]) -> None:
    client = create_app({**web_config, "TRUSTED_PROXIES": 1},
                        engine=demo_engine).test_client()

    def post(username: str, password: str, address: str) -> int:
        return client.post("/logg-inn", data={"brukernavn": username, "passord": password},
                           headers={"X-Forwarded-For": address},
                           environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code

    for number in range(20):
        post(f"bruker{number}", "feil", "198.51.100.7")

    assert post("ola.ansatt", "demo", "198.51.100.7") == 429
    assert post("ola.ansatt", "demo", "198.51.100.8") == 302
