"""Incidents, job retries and timers: failures stop the step, say why, and can be retried."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from engine.engine import ProcessEngine
from engine.runtime.handlers import HandlerContext, HandlerError, HandlerRegistry

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')


@pytest.fixture
def organisation_engine(engine: ProcessEngine) -> ProcessEngine:
    """An engine with the demo municipality's people and units, and no process deployed."""
    from engine.demo import load_organisation

    load_organisation(engine)
    return engine


def single_step(pid: str, step: str) -> bytes:
    return (HEADER + f"""<bpmn:process id="{pid}" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="steg" />
  {step}
  <bpmn:sequenceFlow id="f2" sourceRef="steg" targetRef="etter" />
  <bpmn:userTask id="etter" name="Etterpå" camunda:candidateUsers="admin" />
  <bpmn:sequenceFlow id="f3" sourceRef="etter" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>""").encode()


class Archive:
    """A handler that fails a set number of times before it succeeds."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self, ctx: HandlerContext) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.failures:
            raise HandlerError("Arkivet svarte ikke (HTTP 503)")
        return {"arkivert": True}


@pytest.fixture
def archive_engine(make_engine: Callable[..., ProcessEngine]) -> tuple[ProcessEngine, Archive]:
    from engine.demo import load_organisation

    archive = Archive(failures=3)
    registry = HandlerRegistry()
    registry.register("arkiv.lagre", archive)
    registry.register("arkiv.avvis", lambda ctx: (_ for _ in ()).throw(
        HandlerError("Saken mangler arkivnummer", retry=False)))
    engine = make_engine()
    engine.handlers = registry
    load_organisation(engine)
    engine.repository.deploy([("arkiv.bpmn", single_step(
        "arkiv", '<bpmn:serviceTask id="steg" camunda:type="external" '
                 'camunda:topic="arkiv.lagre" />'))])
    engine.repository.deploy([("avvis.bpmn", single_step(
        "avvis", '<bpmn:serviceTask id="steg" camunda:type="external" '
                 'camunda:topic="arkiv.avvis" />'))])
    return engine, archive


def open_names(engine: ProcessEngine, instance_id: int) -> list[str]:
    with engine.transaction(read_only=True):
        return [t.name for t in engine.tasks.open_tasks_of_instance(instance_id)]


def incidents(engine: ProcessEngine, instance_id: int) -> list[Any]:
    with engine.transaction(read_only=True):
        return engine.management.incidents(instance_id)


def test_handler_failure_is_retried_with_backoff(archive_engine: tuple, clock) -> None:
    engine, archive = archive_engine
    instance_id = engine.runtime.start("arkiv", "ola.ansatt", {}).instance_id
    assert archive.calls == 1

    engine.management.run_due()
    assert archive.calls == 1  # the retry waits for its backoff

    clock.advance(seconds=60)
    engine.management.run_due()
    assert archive.calls == 2

    clock.advance(seconds=119)
    engine.management.run_due()
    assert archive.calls == 2
    clock.advance(seconds=1)
    engine.management.run_due()
    assert archive.calls == 3
    assert incidents(engine, instance_id)[0].message == (
        "Håndtereren (handler) for arkiv.lagre feilet: Arkivet svarte ikke (HTTP 503)")


def test_incident_retry_runs_the_handler_again(archive_engine: tuple, clock) -> None:
    engine, archive = archive_engine
    instance_id = engine.runtime.start("arkiv", "ola.ansatt", {}).instance_id
    for _ in range(3):
        clock.advance(minutes=10)
        engine.management.run_due()
    (incident,) = incidents(engine, instance_id)
    with engine.transaction(read_only=True):
        assert engine.runtime.instance(instance_id).has_incident is True

    engine.management.retry_incident(incident.id, "admin")

    assert archive.calls == 4
    assert open_names(engine, instance_id) == ["Etterpå"]
    assert incidents(engine, instance_id) == []
    with engine.transaction(read_only=True):
        assert engine.runtime.instance(instance_id).has_incident is False
    assert engine.runtime.variables(instance_id)["arkivert"] is True


def test_non_retryable_handler_error_opens_incident_at_once(archive_engine: tuple) -> None:
    engine, _archive = archive_engine
    instance_id = engine.runtime.start("avvis", "ola.ansatt", {}).instance_id

    (incident,) = incidents(engine, instance_id)
    assert incident.element_id == "steg"
    assert incident.kind == "handler"
    assert "Saken mangler arkivnummer" in incident.message
    assert open_names(engine, instance_id) == []


def script_step(script: str) -> str:
    return (f'<bpmn:scriptTask id="steg" scriptFormat="python"><bpmn:script>{script}'
            '</bpmn:script></bpmn:scriptTask>')


STOPPED = {"script_forbidden", "script_memory"}


@pytest.mark.parametrize("script, kinds", [
    ("while True:\n    pass", {"script_timeout"}),
    ("x = 'a' * 10**10", STOPPED),
    ("x = [0] * 10**9", STOPPED),
    ("x = 10**10**10", STOPPED),
    ("s = 'a'\nfor i in range(40):\n    s = s + s", STOPPED),
    ("f = lambda f: f(f)\nf(f)", {"script_error"}),
    ("x = mangler + 1", {"script_error"}),
    ("x = 1 / 0", {"script_error"}),
])
def test_runtime_script_failure_opens_incident(demo_engine: ProcessEngine, script: str,
                                               kinds: set[str]) -> None:
    demo_engine.repository.deploy([("skript.bpmn", single_step("skript", script_step(script)))])
    instance_id = demo_engine.runtime.start("skript", "ola.ansatt", {}).instance_id

    (incident,) = incidents(demo_engine, instance_id)
    assert incident.element_id == "steg"
    assert incident.kind in kinds
    assert incident.message.startswith("Uttrykket")
    assert open_names(demo_engine, instance_id) == []


def test_script_incident_retry_fails_again_while_cause_remains(
        demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("skript.bpmn", single_step(
        "skript", script_step("x = mangler + 1")))])
    instance_id = demo_engine.runtime.start("skript", "ola.ansatt", {}).instance_id
    (incident,) = incidents(demo_engine, instance_id)

    demo_engine.management.retry_incident(incident.id, "admin")

    (again,) = incidents(demo_engine, instance_id)
    assert again.id != incident.id
    assert "mangler" in again.message


def test_timer_expression_error_opens_incident(demo_engine: ProcessEngine) -> None:
    step = ('<bpmn:intermediateCatchEvent id="steg"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration>${vent}</bpmn:timeDuration></bpmn:timerEventDefinition>'
            '</bpmn:intermediateCatchEvent>')
    demo_engine.repository.deploy([("vent.bpmn", single_step("vent", step))])
    instance_id = demo_engine.runtime.start("vent", "ola.ansatt", {}).instance_id

    (incident,) = incidents(demo_engine, instance_id)
    assert incident.element_id == "steg"
    assert "vent" in incident.message


@pytest.mark.parametrize("definition, wait", [
    ("<bpmn:timeDuration>PT72H</bpmn:timeDuration>", timedelta(hours=72)),
    ("<bpmn:timeDuration>\"PT72H\"</bpmn:timeDuration>", timedelta(hours=72)),
    ("<bpmn:timeDuration>'PT10M'</bpmn:timeDuration>", timedelta(minutes=10)),
    ("<bpmn:timeDuration>P1M</bpmn:timeDuration>", timedelta(days=31)),
    ("<bpmn:timeDuration>P1D</bpmn:timeDuration>", timedelta(days=1)),
    ("<bpmn:timeDate>2027-01-05T09:00</bpmn:timeDate>", timedelta(days=1)),
    ("<bpmn:timeDuration>${vent}</bpmn:timeDuration>", timedelta(hours=5)),
])
def test_timer_fires_exactly_when_due(organisation_engine: ProcessEngine, clock,
                                      definition: str, wait: timedelta) -> None:
    # No shipped process is deployed: their yearly start timers would fire in this window.
    step = (f'<bpmn:intermediateCatchEvent id="steg"><bpmn:timerEventDefinition>{definition}'
            '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')
    organisation_engine.repository.deploy([("vent.bpmn", single_step("vent", step))])
    start = clock.now()
    instance_id = organisation_engine.runtime.start("vent", "ola.ansatt",
                                                    {"vent": "PT5H"}).instance_id

    clock.set(start + wait - timedelta(seconds=1))
    assert organisation_engine.management.run_due().timers_fired == 0
    assert open_names(organisation_engine, instance_id) == []

    clock.set(start + wait)
    assert organisation_engine.management.run_due().timers_fired == 1
    assert open_names(organisation_engine, instance_id) == ["Etterpå"]


def test_daily_timer_keeps_wall_clock_across_dst(demo_engine: ProcessEngine, clock) -> None:
    from engine.runtime.timeexpr import OSLO, parse_instant

    step = ('<bpmn:intermediateCatchEvent id="steg"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>'
            '</bpmn:intermediateCatchEvent>')
    demo_engine.repository.deploy([("vent.bpmn", single_step("vent", step))])
    clock.set(parse_instant("2027-03-27T09:00"))  # the night before summer time starts
    instance_id = demo_engine.runtime.start("vent", "ola.ansatt", {}).instance_id

    with demo_engine.transaction(read_only=True):
        (timer,) = demo_engine.management.timers(instance_id)
    assert timer.due_at.astimezone(OSLO).isoformat() == "2027-03-28T09:00:00+02:00"


def test_audit_trail_rejects_update_and_delete(demo_engine: ProcessEngine) -> None:
    from sqlalchemy.exc import DatabaseError

    demo_engine.runtime.start("avvik", "ola.ansatt", {
        "tittel": "T", "hva_skjedde": "H", "tidspunkt": "2027-01-04T08:30:00+01:00",
        "sted": "S", "enhet": "sykehjem", "kategori": "hms", "alvorlighetsgrad": "Lav"})

    for statement in ("UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError):
            with demo_engine.transaction() as session:
                session.execute(text(statement))


def test_idempotency_key_is_stable_across_attempts(make_engine, clock) -> None:
    from engine.demo import load_organisation

    keys: list[str] = []

    def record(ctx: HandlerContext) -> None:
        keys.append(ctx.idempotency_key)
        if len(keys) < 2:
            raise HandlerError("midlertidig feil")

    registry = HandlerRegistry()
    registry.register("arkiv.lagre", record)
    engine = make_engine()
    engine.handlers = registry
    load_organisation(engine)
    engine.repository.deploy([("arkiv.bpmn", single_step(
        "arkiv", '<bpmn:serviceTask id="steg" camunda:type="external" '
                 'camunda:topic="arkiv.lagre" />'))])
    instance_id = engine.runtime.start("arkiv", "ola.ansatt", {}).instance_id
    clock.advance(minutes=5)
    engine.management.run_due()

    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert keys[0].startswith(f"sloyfe-{instance_id}-")
