"""The REST API on the real app and engine, with the demo municipality loaded.

CSRF protection is on, as in production: session callers send the X-CSRFToken header that a
page of the web UI hands out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.app import create_app
from engine.engine import ProcessEngine
from tests.web.conftest import REPORT_DATA, csrf_token, open_task_id

__all__ = ["REPORT_DATA", "open_task_id"]

PROBLEM_JSON = "application/problem+json"


@pytest.fixture
def api_config(test_config: dict[str, Any]) -> dict[str, Any]:
    return {**test_config, "TESTING": True, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def app(demo_engine: ProcessEngine, api_config: dict[str, Any]) -> Flask:
    return create_app(api_config, engine=demo_engine)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def token_headers(demo_engine: ProcessEngine) -> Callable[..., dict[str, str]]:
    """Return the Authorization header of a new token with the given scopes."""

    def issue(*scopes: str, actor: str = "admin") -> dict[str, str]:
        issued = demo_engine.tokens.create("Test", scopes, actor, "admin")
        return {"Authorization": f"Bearer {issued.secret}"}

    return issue


class SessionCaller:
    """A browser session of a demo user on the API, sending the CSRF token on changes."""

    def __init__(self, client: FlaskClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        headers = {"X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        return self.client.post(path, headers=headers, **kwargs)


@pytest.fixture
def session_of(app: Flask) -> Callable[[str], SessionCaller]:
    """Log a demo user in through the web UI and return their session on the API."""

    def log_in(username: str) -> SessionCaller:
        client = app.test_client()
        page = client.get("/logg-inn")
        response = client.post("/logg-inn", data={
            "brukernavn": username, "passord": "demo",
            "csrf_token": csrf_token(page.get_data(as_text=True))})
        assert response.status_code == 302, f"log-in as {username} failed"
        start_page = client.get("/")
        return SessionCaller(client, csrf_token(start_page.get_data(as_text=True)))

    return log_in


@pytest.fixture
def report(demo_engine: ProcessEngine) -> Callable[..., int]:
    """Start a deviation case as ola.ansatt; returns the instance id."""

    def start(**changes: Any) -> int:
        return demo_engine.runtime.start("avvik", "ola.ansatt",
                                         {**REPORT_DATA, **changes}).instance_id

    return start


def assert_problem(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    """Check the response is a problem of `status` and `code`; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM_JSON
    body: dict[str, Any] = response.get_json(force=True)
    assert body["code"] == code, body
    assert body["status"] == status
    assert body["type"] == f"https://sloyfe.no/problems/{code}"
    assert body["instance"] == response.request.path
    return body
