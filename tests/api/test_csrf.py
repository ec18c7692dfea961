"""CSRF on the API: session calls that change something need the token; bearer calls don't."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.api.conftest import REPORT_DATA, SessionCaller, assert_problem

INSTANCES = "/api/v1/instances"
START = {"process": "avvik", "variables": REPORT_DATA}


def test_session_post_without_csrf_is_rejected(
        session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("ola.ansatt")

    response = session.client.post(INSTANCES, json=START)

    body = assert_problem(response, 400, "csrf_failed")
    assert body["title"] == "Ugyldig forespørsel"


def test_session_post_with_wrong_csrf_is_rejected(
        session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("ola.ansatt")

    response = session.client.post(INSTANCES, json=START,
                                   headers={"X-CSRFToken": "feil"})

    assert_problem(response, 400, "csrf_failed")


def test_session_post_with_csrf_header_succeeds(
        session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("ola.ansatt").post(INSTANCES, json=START)

    assert response.status_code == 201


def test_session_get_needs_no_csrf(session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("ola.ansatt")

    response = session.client.get(INSTANCES)

    assert response.status_code == 200


def test_bearer_post_needs_no_csrf(client: FlaskClient,
                                   token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(INSTANCES, json=START,
                           headers=token_headers("instances:write", actor="ola.ansatt"))

    assert response.status_code == 201
