"""Starting a deviation case over the API: the report's times and subcategory are checked
as in the browser. The test clock is at 09:00 in Oslo on 04.01.2027."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.engine import ProcessEngine
from tests.api.conftest import assert_problem
from tests.web.conftest import REPORT_DATA


def start(client: FlaskClient, headers: dict[str, str], **changes: str) -> TestResponse:
    return client.post("/api/v1/instances", headers=headers, json={
        "process": "avvik", "variables": {**REPORT_DATA, **changes}})


def test_event_in_future_is_422(client: FlaskClient, demo_engine: ProcessEngine,
                                token_headers: Callable[..., dict[str, str]]) -> None:
    response = start(client, token_headers("instances:write", actor="ola.ansatt"),
                     tidspunkt="2027-01-04T10:00:00+01:00")

    body = assert_problem(response, 422, "form_invalid")
    assert body["errors"] == {"tidspunkt": [
        "Tidspunktet for hendelsen, 04.01.2027 10:00, er frem i tid. Oppgi når hendelsen "
        "skjedde, senest nå."]}


def test_subcategory_of_other_kind_is_422(client: FlaskClient, demo_engine: ProcessEngine,
                                          token_headers: Callable[..., dict[str, str]]
                                          ) -> None:
    response = start(client, token_headers("instances:write", actor="ola.ansatt"),
                     underkategori="bygg/skade")

    body = assert_problem(response, 422, "form_invalid")
    assert list(body["errors"]) == ["underkategori"]


def test_valid_report_is_201(client: FlaskClient, demo_engine: ProcessEngine,
                             token_headers: Callable[..., dict[str, str]]) -> None:
    response = start(client, token_headers("instances:write", actor="ola.ansatt"),
                     tidspunkt="2027-01-04T09:00:00+01:00",
                     underkategori="tjeneste/legemidler")

    assert response.status_code == 201
