"""/api/v1/incidents: failed steps for administrators, and trying them again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.api.conftest import SessionCaller, assert_problem

INCIDENTS = "/api/v1/incidents"
FORCED = {"reason": "Tjeneren var nede", "force": True}

FAILING_SCRIPT = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="t">
<bpmn:process id="feiler" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="steg" />
  <bpmn:scriptTask id="steg" scriptFormat="python"><bpmn:script>x = mangler + 1</bpmn:script>
  </bpmn:scriptTask>
  <bpmn:sequenceFlow id="f2" sourceRef="steg" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


@pytest.fixture
def failed_instance(demo_engine: ProcessEngine) -> int:
    demo_engine.repository.deploy([("feiler.bpmn", FAILING_SCRIPT)])
    return demo_engine.runtime.start("feiler", "admin", {}).instance_id


def test_administrator_lists_incidents(session_of: Callable[[str], SessionCaller],
                                       failed_instance: int) -> None:
    response = session_of("admin").get(INCIDENTS)

    (incident,) = response.get_json()["items"]
    assert incident["instance_id"] == failed_instance
    assert incident["element_id"] == "steg"
    assert incident["kind"] == "script_error"


def test_list_filters_by_instance(client: FlaskClient, failed_instance: int,
                                  token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{INCIDENTS}?instance_id={failed_instance + 1}",
                          headers=token_headers("incidents:read"))

    assert response.get_json()["items"] == []


def test_employee_may_not_list_incidents(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("ola.ansatt").get(INCIDENTS)

    assert_problem(response, 403, "forbidden")


def test_retry_opens_new_incident_while_cause_remains(
        client: FlaskClient, failed_instance: int,
        token_headers: Callable[..., dict[str, str]]) -> None:
    read = token_headers("incidents:read")
    (incident,) = client.get(INCIDENTS, headers=read).get_json()["items"]

    response = client.post(f"{INCIDENTS}/{incident['id']}/retry",
                           headers=token_headers("incidents:write"),
                           json={"reason": "Tjeneren var nede", "force": True})

    (again,) = client.get(INCIDENTS, headers=read).get_json()["items"]
    assert response.get_json() == {"incident_id": incident["id"],
                                   "instance_id": failed_instance}
    assert again["id"] != incident["id"]


def test_retry_of_resolved_incident_is_409(session_of: Callable[[str], SessionCaller],
                                           failed_instance: int) -> None:
    admin = session_of("admin")
    (incident,) = admin.get(INCIDENTS).get_json()["items"]
    admin.post(f"{INCIDENTS}/{incident['id']}/retry", json=FORCED)

    response = admin.post(f"{INCIDENTS}/{incident['id']}/retry", json=FORCED)

    body = assert_problem(response, 409, "incident_resolved")
    assert "allerede løst" in body["detail"]


def test_retry_of_unknown_incident_is_404(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("admin").post(f"{INCIDENTS}/99999/retry", json=FORCED)

    body = assert_problem(response, 404, "incident_not_found")
    assert "99999" in body["detail"]


def test_retry_needs_write_scope(client: FlaskClient, failed_instance: int,
                                 token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(f"{INCIDENTS}/1/retry", headers=token_headers("incidents:read"),
                           json=FORCED)

    assert_problem(response, 403, "forbidden")


def test_retry_without_change_is_409(session_of: Callable[[str], SessionCaller],
                                     failed_instance: int) -> None:
    admin = session_of("admin")
    (incident,) = admin.get(INCIDENTS).get_json()["items"]

    response = admin.post(f"{INCIDENTS}/{incident['id']}/retry",
                          json={"reason": "Prøver igjen"})

    body = assert_problem(response, 409, "nothing_changed")
    assert "Ingenting er endret siden feilen" in body["detail"]


def test_retry_without_reason_is_422(session_of: Callable[[str], SessionCaller],
                                     failed_instance: int) -> None:
    admin = session_of("admin")
    (incident,) = admin.get(INCIDENTS).get_json()["items"]

    response = admin.post(f"{INCIDENTS}/{incident['id']}/retry",
                          json={"reason": " ", "force": True})

    body = assert_problem(response, 422, "reason_required")
    assert "Skriv hvorfor" in body["detail"]


def test_retry_by_employee_token_is_403(client: FlaskClient, failed_instance: int,
                                        token_headers: Callable[..., dict[str, str]]) -> None:
    read = token_headers("incidents:read")
    (incident,) = client.get(INCIDENTS, headers=read).get_json()["items"]

    response = client.post(f"{INCIDENTS}/{incident['id']}/retry",
                           headers=token_headers("incidents:write", actor="ola.ansatt"),
                           json=FORCED)

    assert_problem(response, 403, "administrators_only")
