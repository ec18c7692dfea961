"""Who may call the API: bearer tokens with scopes, signed-in users, and nobody else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from tests.api.conftest import SessionCaller, assert_problem

DEFINITIONS = "/api/v1/definitions"


def test_token_with_scope_is_accepted(client: FlaskClient,
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(DEFINITIONS, headers=token_headers("definitions:read"))

    assert response.status_code == 200
    assert response.get_json()["items"][0]["key"] == "avvik"


def test_no_credentials_is_401(client: FlaskClient) -> None:
    response = client.get(DEFINITIONS)

    body = assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="sloyfe"'
    assert body["title"] == "Ikke autentisert"


def test_unknown_token_is_401(client: FlaskClient) -> None:
    response = client.get(DEFINITIONS, headers={"Authorization": "Bearer slf_" + "x" * 43})

    body = assert_problem(response, 401, "invalid_token")
    assert "ukjent, trukket tilbake eller utløpt" in body["detail"]


def test_malformed_header_is_401(client: FlaskClient) -> None:
    response = client.get(DEFINITIONS, headers={"Authorization": "Basic YWRtaW46ZGVtbw=="})

    assert_problem(response, 401, "invalid_authorization_header")


def test_revoked_token_is_401(client: FlaskClient, demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["definitions:read"], "admin", "admin")
    demo_engine.tokens.revoke(issued.token.id, "admin")

    response = client.get(DEFINITIONS, headers={"Authorization": f"Bearer {issued.secret}"})

    assert_problem(response, 401, "invalid_token")


def test_expired_token_is_401(client: FlaskClient, demo_engine: ProcessEngine,
                              clock: FixedClock) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["definitions:read"], "admin", "admin",
                                       expires_at=clock.now() + timedelta(hours=1))
    headers = {"Authorization": f"Bearer {issued.secret}"}
    before = client.get(DEFINITIONS, headers=headers)

    clock.advance(hours=1)
    after = client.get(DEFINITIONS, headers=headers)

    assert before.status_code == 200
    assert_problem(after, 401, "invalid_token")


def test_token_in_query_string_is_rejected(client: FlaskClient,
                                           demo_engine: ProcessEngine) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["definitions:read"], "admin", "admin")

    response = client.get(f"{DEFINITIONS}?access_token={issued.secret}")

    body = assert_problem(response, 400, "token_in_query")
    assert issued.secret not in response.get_data(as_text=True)
    assert "Authorization" in body["detail"]


def test_token_without_scope_is_403(client: FlaskClient,
                                    token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(DEFINITIONS, headers=token_headers("tasks:read"))

    body = assert_problem(response, 403, "forbidden")
    assert body["title"] == "Ingen tilgang"


def test_token_use_is_recorded(client: FlaskClient, demo_engine: ProcessEngine,
                               clock: FixedClock) -> None:
    issued = demo_engine.tokens.create("Arkiv", ["definitions:read"], "admin", "admin")

    client.get(DEFINITIONS, headers={"Authorization": f"Bearer {issued.secret}"})

    assert demo_engine.tokens.list()[0].last_used_at == clock.now()


def test_signed_in_user_is_accepted(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("ola.ansatt").get(DEFINITIONS)

    assert response.status_code == 200


def test_user_of_english_locale_gets_english_problem(
        session_of: Callable[[str], SessionCaller], demo_engine: ProcessEngine) -> None:
    demo_engine.organisation.set_locale("ola.ansatt", "en", actor="ola.ansatt")

    response = session_of("ola.ansatt").get("/api/v1/incidents")

    body = assert_problem(response, 403, "forbidden")
    assert body["title"] == "No access"
