"""Security headers on pages, redirects, errors and static files, and HSTS only over https."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.app import create_app
from engine.engine import ProcessEngine

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parsed = {}
    for directive in header.split(";"):
        name, _space, value = directive.strip().partition(" ")
        parsed[name] = value
    return parsed


@pytest.fixture
def responses(client: FlaskClient,
              login_as: Callable[[str], FlaskClient]) -> dict[str, Any]:
    """A page, a redirect, an error page and a static file."""
    user = login_as("ola.ansatt")
    return {"page": client.get("/logg-inn"), "redirect": client.get("/oppgaver"),
            "error": user.get("/finnes-ikke"), "static": client.get("/static/sloyfe.css")}


def test_content_security_policy_is_strict(responses: dict[str, Any]) -> None:
    for kind, response in responses.items():
        assert directives(response.headers["Content-Security-Policy"]) == POLICY, kind


def test_basic_headers_everywhere(responses: dict[str, Any]) -> None:
    for kind, response in responses.items():
        assert response.headers["X-Content-Type-Options"] == "nosniff", kind
        assert response.headers["Referrer-Policy"] == "same-origin", kind
        assert response.headers["X-Frame-Options"] == "DENY", kind


def test_permissions_policy_denies_devices(responses: dict[str, Any]) -> None:
    for kind, response in responses.items():
        policy = response.headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (kind, feature)


def test_no_hsts_over_http(responses: dict[str, Any]) -> None:
    for kind, response in responses.items():
        assert "Strict-Transport-Security" not in response.headers, kind


def test_hsts_when_base_url_is_https(demo_engine: ProcessEngine,
                                     web_config: dict[str, Any]) -> None:
    app = create_app({**web_config, "BASE_URL": "https://sloyfe.eksempel.kommune.no"},
                     engine=demo_engine)
    client = app.test_client()

    for path in ("/logg-inn", "/oppgaver", "/static/sloyfe.css"):
        header = client.get(path).headers.get("Strict-Transport-Security")
        assert header == "max-age=31536000; includeSubDomains", path
