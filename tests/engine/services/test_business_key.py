"""The process property businessKeyVariable: the case number comes from the start data."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.engine import ProcessEngine
from engine.errors import DuplicateBusinessKey
from engine.models import ProcessInstance
from engine.schema import downgrade, upgrade
from engine.services.runtime import comparable_case_number

PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:message id="m_endret" name="vedtak-endret" />
<bpmn:process id="vedtak" isExecutable="true">
  <bpmn:extensionElements><camunda:properties>
    <camunda:property name="businessKeyVariable" value="arkivsak" />
  </camunda:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vent" />
  <bpmn:intermediateCatchEvent id="vent">
    <bpmn:messageEventDefinition messageRef="m_endret" />
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="vent" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""


def start(engine: ProcessEngine, data: dict) -> str | None:
    engine.repository.deploy([("vedtak.bpmn", PROCESS.encode())])
    return engine.runtime.start("vedtak", "admin", data).business_key


def test_case_number_from_start_data(demo_engine: ProcessEngine) -> None:
    assert start(demo_engine, {"arkivsak": " 24/01234 "}) == "24/01234"


def test_case_number_generated_without_value(demo_engine: ProcessEngine) -> None:
    assert start(demo_engine, {"arkivsak": ""}) == "VEDTAK-2027-00001"


def test_message_correlates_by_that_number(demo_engine: ProcessEngine) -> None:
    start(demo_engine, {"arkivsak": "24/01234"})
    start(demo_engine, {"arkivsak": "24/05678"})

    result = demo_engine.runtime.correlate_message("vedtak-endret", "admin", {},
                                                   business_key="24/05678")

    with demo_engine.transaction(read_only=True):
        instances = {i.business_key: i for i in demo_engine.runtime.instances()}
    assert result["delivered_to"] == [instances["24/05678"].id]
    assert instances["24/05678"].status == "completed"
    assert instances["24/01234"].status == "running"


def started_count(engine: ProcessEngine) -> int:
    with engine.transaction(read_only=True):
        return len(engine.runtime.instances(key="vedtak"))


def test_used_case_number_rejected(demo_engine: ProcessEngine) -> None:
    start(demo_engine, {"arkivsak": "24/01234"})

    with pytest.raises(DuplicateBusinessKey) as raised:
        start(demo_engine, {"arkivsak": " 24/01234"})

    assert raised.value.http_status == 409
    assert str(raised.value) == ("Saksnummer 24/01234 er allerede registrert i saken "
                                 "24/01234 «vedtak». Sjekk nummeret, eller åpne den saken.")
    assert raised.value.field == "arkivsak"
    assert started_count(demo_engine) == 1


def test_used_explicit_case_number_rejected(demo_engine: ProcessEngine) -> None:
    start(demo_engine, {"arkivsak": "24/01234"})

    with pytest.raises(DuplicateBusinessKey):
        demo_engine.runtime.start("vedtak", "admin", {}, business_key="24/01234")

    assert started_count(demo_engine) == 1


def test_number_of_finished_case_rejected(demo_engine: ProcessEngine) -> None:
    start(demo_engine, {"arkivsak": "24/01234"})
    demo_engine.runtime.correlate_message("vedtak-endret", "admin", {},
                                          business_key="24/01234")

    with pytest.raises(DuplicateBusinessKey):
        start(demo_engine, {"arkivsak": "24/01234"})


def test_generated_case_numbers_stay_distinct(demo_engine: ProcessEngine) -> None:
    first = start(demo_engine, {})
    second = start(demo_engine, {})

    assert first != second


def test_concurrent_start_named_after_commit(demo_engine: ProcessEngine,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A start whose read missed the other case (as when both ran at once) is rejected by
    the unique index, and the message still names the case."""
    start(demo_engine, {"arkivsak": "24/01234"})
    runtime = demo_engine.runtime
    lookup = runtime._case_with_number
    calls: list[str] = []

    def miss_first(key: str, number: str, own_id: int) -> ProcessInstance | None:
        calls.append(number)
        return None if len(calls) == 1 else lookup(key, number, own_id)

    monkeypatch.setattr(runtime, "_case_with_number", miss_first)

    with pytest.raises(DuplicateBusinessKey) as raised:
        start(demo_engine, {"arkivsak": "24/01234"})

    assert calls == ["24/01234", "24/01234"]
    assert raised.value.params["existing_instance_id"] == 1
    assert started_count(demo_engine) == 1


def test_index_rejects_second_unique_key(demo_engine: ProcessEngine) -> None:
    start(demo_engine, {"arkivsak": "24/01234"})

    with pytest.raises(IntegrityError), demo_engine.transaction():
        demo_engine.uow.session.add(ProcessInstance(
            definition_id=1, definition_key="vedtak", business_key="24/01234",
            unique_key="24/1234", status="running", started_at=demo_engine.clock.now(),
            state="{}"))


def test_number_written_differently_rejected(demo_engine: ProcessEngine) -> None:
    start(demo_engine, {"arkivsak": "24/01234"})

    for variant in ("24/1234", "24 / 001234", "2024/1234"):
        with pytest.raises(DuplicateBusinessKey):
            start(demo_engine, {"arkivsak": variant})

    assert started_count(demo_engine) == 1


def test_comparable_case_number_forms() -> None:
    assert comparable_case_number("26/00196") == "26/196"
    assert comparable_case_number(" 26 / 196 ") == "26/196"
    assert comparable_case_number("PS 045/26") == "ps45/26"
    assert comparable_case_number("26/0") == "26/0"
    assert comparable_case_number("2026/605") == "26/605"
    assert comparable_case_number("1999/7") == "99/7"
    assert comparable_case_number("PS 2026/7") == "ps2026/7"


def test_upgrade_makes_stored_numbers_comparable(demo_engine: ProcessEngine,
                                                 database_url: str) -> None:
    start(demo_engine, {"arkivsak": "24/01234"})
    downgrade(database_url, "0015")
    try:
        with demo_engine.transaction(read_only=True):
            before = demo_engine.uow.session.scalar(select(ProcessInstance.unique_key))
    finally:
        upgrade(database_url)

    with demo_engine.transaction(read_only=True):
        after = demo_engine.uow.session.scalar(select(ProcessInstance.unique_key))
    assert before == "24/01234"
    assert after == "24/1234"
