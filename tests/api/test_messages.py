"""/api/v1/messages: messages from other systems to waiting cases and start events."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.api.conftest import SessionCaller, assert_problem

MESSAGES = "/api/v1/messages"

ARCHIVE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:message id="m_arkivert" name="arkivert" />
<bpmn:process id="arkiv" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vent" />
  <bpmn:intermediateCatchEvent id="vent">
    <bpmn:messageEventDefinition messageRef="m_arkivert" /></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="vent" targetRef="kontroller" />
  <bpmn:userTask id="kontroller" name="Kontroller arkivering" camunda:candidateUsers="admin" />
  <bpmn:sequenceFlow id="f3" sourceRef="kontroller" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

DECISION = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:message id="m_vedtak" name="vedtak-registrert" />
<bpmn:process id="vedtak" isExecutable="true">
  <bpmn:startEvent id="fra_arkiv">
    <bpmn:messageEventDefinition messageRef="m_vedtak" /></bpmn:startEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="fra_arkiv" targetRef="fordel" />
  <bpmn:userTask id="fordel" name="Fordel vedtakspunkter" camunda:candidateUsers="admin" />
</bpmn:process></bpmn:definitions>"""


@pytest.fixture
def messaging(demo_engine: ProcessEngine) -> ProcessEngine:
    demo_engine.repository.deploy([("arkiv.bpmn", ARCHIVE), ("vedtak.bpmn", DECISION)])
    return demo_engine


def test_message_reaches_waiting_case(client: FlaskClient, messaging: ProcessEngine,
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    instance_id = messaging.runtime.start("arkiv", "admin", {},
                                          business_key="ARKIV-1").instance_id

    response = client.post(MESSAGES, json={"name": "arkivert", "business_key": "ARKIV-1",
                                           "variables": {"arkivnummer": "2027/123"}},
                           headers=token_headers("messages:write"))

    assert response.get_json() == {"delivered_to": [instance_id], "started": []}
    assert messaging.runtime.variables(instance_id)["arkivnummer"] == "2027/123"


def test_message_starts_process(session_of: Callable[[str], SessionCaller],
                                messaging: ProcessEngine) -> None:
    response = session_of("admin").post(MESSAGES, json={"name": "vedtak-registrert"})

    body = response.get_json()
    assert body["delivered_to"] == []
    assert len(body["started"]) == 1


def test_message_nobody_waits_for_is_404(client: FlaskClient, messaging: ProcessEngine,
                                         token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(MESSAGES, json={"name": "arkivert", "business_key": "ARKIV-9"},
                           headers=token_headers("messages:write"))

    body = assert_problem(response, 404, "message_not_correlated")
    assert "ARKIV-9" in body["detail"]


def test_message_to_several_cases_is_409(client: FlaskClient, messaging: ProcessEngine,
                                         token_headers: Callable[..., dict[str, str]]) -> None:
    messaging.runtime.start("arkiv", "admin", {})
    messaging.runtime.start("arkiv", "admin", {})
    headers = token_headers("messages:write")

    refused = client.post(MESSAGES, json={"name": "arkivert"}, headers=headers)
    to_all = client.post(MESSAGES, json={"name": "arkivert", "all": True}, headers=headers)

    assert_problem(refused, 409, "message_ambiguous")
    assert len(to_all.get_json()["delivered_to"]) == 2


def test_message_without_name_is_422(client: FlaskClient,
                                     token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(MESSAGES, json={"variables": []},
                           headers=token_headers("messages:write"))

    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"]["name"] == ["Feltet er påkrevd."]
    assert body["errors"]["variables"] == ["Ikke et gyldig objekt."]


def test_employee_may_not_send_messages(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("ola.ansatt").post(MESSAGES, json={"name": "arkivert"})

    assert_problem(response, 403, "forbidden")
