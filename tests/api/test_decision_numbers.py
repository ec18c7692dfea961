"""Archive case numbers of political decisions over the API: one case per number, whether the
decision comes as a start or as a message from the archive system."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.api.conftest import assert_problem

SECRETARY = "siri.sekretariat"
DECISION: dict[str, Any] = {
    "utvalg": "kommunestyret",
    "motedato": "2026-12-14",
    "politisk_saksnummer": "PS 112/26",
    "arkivsaksnummer": "2027/123",
    "tittel": "Handlingsprogram 2027–2030",
    "vedtakstype": "ordinart",
    "vedtakstekst": "Kommunedirektøren utreder leksehjelp.",
    "vedtakspunkter": [{"tekst": "Kommunedirektøren utreder leksehjelp."}],
}

# Cases take their number from `arkivsak`. A case started by hand waits for the message
# vedtak-endret, and the same message starts a new case.
STARTS_AND_WAITS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:message id="m_endret" name="vedtak-endret" />
<bpmn:process id="vedtak-venter" isExecutable="true">
  <bpmn:extensionElements><camunda:properties>
    <camunda:property name="businessKeyVariable" value="arkivsak" />
  </camunda:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vent" />
  <bpmn:intermediateCatchEvent id="vent">
    <bpmn:messageEventDefinition messageRef="m_endret" /></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="vent" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
  <bpmn:startEvent id="fra_arkiv">
    <bpmn:messageEventDefinition messageRef="m_endret" /></bpmn:startEvent>
  <bpmn:sequenceFlow id="f3" sourceRef="fra_arkiv" targetRef="slutt_arkiv" />
  <bpmn:endEvent id="slutt_arkiv" />
</bpmn:process></bpmn:definitions>"""


@pytest.fixture
def registered(demo_engine: ProcessEngine) -> int:
    """The instance id of the decision with archive case number 2027/123."""
    return demo_engine.runtime.start("politisk-vedtak", SECRETARY, DECISION).instance_id


def expected_detail(instance_id: int) -> str:
    return ("Arkivsaksnummer 2027/123 er allerede registrert i saken 2027/123 "
            "«Handlingsprogram 2027–2030». Sjekk nummeret, eller åpne den saken.")


def decision_count(engine: ProcessEngine) -> int:
    with engine.transaction(read_only=True):
        return len(engine.runtime.instances(key="politisk-vedtak"))


def test_start_with_used_number_is_409(client: FlaskClient, demo_engine: ProcessEngine,
                                       registered: int,
                                       token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post("/api/v1/instances", json={
        "process": "politisk-vedtak", "variables": DECISION},
        headers=token_headers("instances:write", actor=SECRETARY))

    body = assert_problem(response, 409, "duplicate_business_key")
    assert body["detail"] == expected_detail(registered)
    assert body["existing_instance_id"] == registered
    assert decision_count(demo_engine) == 1


def test_start_with_new_number_is_201(client: FlaskClient, demo_engine: ProcessEngine,
                                      registered: int,
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post("/api/v1/instances", json={
        "process": "politisk-vedtak", "variables": {**DECISION, "arkivsaksnummer": "2027/124"}},
        headers=token_headers("instances:write", actor=SECRETARY))

    assert response.status_code == 201
    assert response.get_json()["business_key"] == "2027/124"


def test_message_with_used_number_is_409(client: FlaskClient, demo_engine: ProcessEngine,
                                         registered: int,
                                         token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post("/api/v1/messages", json={
        "name": "politisk-vedtak-registrert", "variables": DECISION},
        headers=token_headers("messages:write"))

    body = assert_problem(response, 409, "duplicate_business_key")
    assert body["detail"] == expected_detail(registered)
    assert decision_count(demo_engine) == 1


def test_message_with_used_business_key_is_409(
        client: FlaskClient, demo_engine: ProcessEngine, registered: int,
        token_headers: Callable[..., dict[str, str]]) -> None:
    variables = {key: value for key, value in DECISION.items() if key != "arkivsaksnummer"}

    response = client.post("/api/v1/messages", json={
        "name": "politisk-vedtak-registrert", "business_key": "2027/123",
        "variables": variables}, headers=token_headers("messages:write"))

    body = assert_problem(response, 409, "duplicate_business_key")
    assert body["detail"] == expected_detail(registered)


def test_message_sent_twice_starts_one_case(client: FlaskClient, demo_engine: ProcessEngine,
                                            token_headers: Callable[..., dict[str, str]]
                                            ) -> None:
    message = {"name": "politisk-vedtak-registrert", "variables": DECISION}
    headers = token_headers("messages:write")

    first = client.post("/api/v1/messages", json=message, headers=headers)
    second = client.post("/api/v1/messages", json=message, headers=headers)

    [instance_id] = first.get_json()["started"]
    body = assert_problem(second, 409, "duplicate_business_key")
    assert body["detail"] == expected_detail(instance_id)
    assert decision_count(demo_engine) == 1


def test_message_reaches_case_with_its_number(client: FlaskClient, demo_engine: ProcessEngine,
                                              registered: int,
                                              token_headers: Callable[..., dict[str, str]]
                                              ) -> None:
    """The number in the variables of a message that also starts cases selects the case
    that waits for the message."""
    demo_engine.repository.deploy([("vedtak-venter.bpmn", STARTS_AND_WAITS)])
    waiting = demo_engine.runtime.start("vedtak-venter", "admin", {"arkivsak": "27/5"})
    demo_engine.runtime.start("vedtak-venter", "admin", {"arkivsak": "27/6"})

    response = client.post("/api/v1/messages", json={
        "name": "vedtak-endret", "variables": {"arkivsak": "27/5"}},
        headers=token_headers("messages:write"))

    assert response.status_code == 200
    assert response.get_json() == {"delivered_to": [waiting.instance_id], "started": []}
