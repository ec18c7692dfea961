"""Errors on /api/ are problem details in the caller's language, never HTML pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from engine.access import PUBLIC, access
from engine.app import create_app
from engine.engine import ProcessEngine
from tests.api.conftest import PROBLEM_JSON, assert_problem


def test_unknown_path_is_problem(client: FlaskClient) -> None:
    response = client.get("/api/v1/finnes-ikke", headers={"Accept": "text/html"})

    body = assert_problem(response, 404, "not_found")
    assert body["title"] == "Finnes ikke"
    assert "/api/v1/docs" in body["detail"]


def test_web_404_stays_html(client: FlaskClient) -> None:
    response = client.get("/finnes-ikke")

    assert response.content_type != PROBLEM_JSON


def test_wrong_method_lists_allowed(client: FlaskClient,
                                    token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.delete("/api/v1/definitions", headers=token_headers("definitions:read"))

    body = assert_problem(response, 405, "method_not_allowed")
    assert body["title"] == "Metoden er ikke tillatt"
    assert "POST" in response.headers["Allow"]


def test_too_large_body_is_413(client: FlaskClient,
                               token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post("/api/v1/instances", data="x" * (1024 * 1024 + 1),
                           content_type="application/json",
                           headers=token_headers("instances:write"))

    body = assert_problem(response, 413, "request_entity_too_large")
    assert body["title"] == "For stor forespørsel"


def test_malformed_json_is_400(client: FlaskClient,
                               token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post("/api/v1/instances", data="{ikke json",
                           content_type="application/json",
                           headers=token_headers("instances:write"))

    assert_problem(response, 400, "bad_request")


def test_validation_messages_in_bokmal(client: FlaskClient,
                                       token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post("/api/v1/messages",
                           json={"name": "", "all": "kanskje", "variables": None},
                           headers=token_headers("messages:write"))

    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"] == {
        "name": ["Lengden må være mellom 1 og 255."],
        "all": ["Ikke en gyldig sannhetsverdi (true eller false)."],
        "variables": ["Feltet kan ikke være null."],
    }


def test_problem_carries_request_id(client: FlaskClient) -> None:
    response = client.get("/api/v1/definitions", headers={"X-Request-Id": "proxy-12345678"})

    body = assert_problem(response, 401, "unauthorized")
    assert body["request_id"] == "proxy-12345678"


def test_unexpected_error_is_500_problem(demo_engine: ProcessEngine,
                                         api_config: dict[str, Any]) -> None:
    app = create_app({**api_config, "PROPAGATE_EXCEPTIONS": False}, engine=demo_engine)

    @access(PUBLIC)
    def broken() -> str:
        raise RuntimeError("kaboom")

    app.add_url_rule("/api/v1/test-feil", "broken", broken)

    response = app.test_client().get("/api/v1/test-feil")

    body = assert_problem(response, 500, "internal_server_error")
    assert body["title"] == "Intern feil"
    assert "kaboom" not in response.get_data(as_text=True)


def test_nul_character_in_body_is_422(client: FlaskClient,
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post("/api/v1/instances", json={"process": "av\x00vik"},
                           headers=token_headers("instances:write"))

    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"] == {"process": ["Teksten kan ikke inneholde NUL-tegnet (\\u0000)."]}


def test_nul_character_in_path_is_400(client: FlaskClient,
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get("/api/v1/tasks/a%00b", headers=token_headers("tasks:read"))

    assert_problem(response, 400, "nul_character")
