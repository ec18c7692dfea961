"""The OpenAPI document and the API's documentation page."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from engine.web.security import CONTENT_SECURITY_POLICY

SPEC = "/api/v1/openapi.json"
DOCS = "/api/v1/docs"
NOT_DOCUMENTED = {"/api/v1/openapi.json", "/api/v1/docs"}


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule)


def test_spec_is_openapi_3(client: FlaskClient) -> None:
    spec = client.get(SPEC).get_json()

    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Sløyfe REST API"


def test_spec_documents_bearer_auth(client: FlaskClient) -> None:
    spec = client.get(SPEC).get_json()

    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]


def test_spec_documents_every_api_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get(SPEC).get_json()
    routes = {openapi_path(rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/")} - NOT_DOCUMENTED

    assert routes - set(spec["paths"]) == set()


def test_spec_errors_are_problem_json(client: FlaskClient) -> None:
    spec = client.get(SPEC).get_json()

    content = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(content) == ["application/problem+json"]


def test_docs_page_lists_operations(client: FlaskClient) -> None:
    response = client.get(DOCS)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "POST /api/v1/tasks/{task_id}/complete" in html
    assert "bearerAuth" in html
    assert 'id="schema-Problem"' in html


def test_docs_page_has_no_script(client: FlaskClient) -> None:
    response = client.get(DOCS)

    assert "<script" not in response.get_data(as_text=True)
    assert "style=" not in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_docs_page_in_bokmal(client: FlaskClient) -> None:
    html = client.get(DOCS).get_data(as_text=True)

    assert "<h2>Operasjoner</h2>" in html
    assert '<html lang="nb">' in html
