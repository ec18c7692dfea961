"""Timer start events start a new instance at each firing, also while earlier ones are open."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.engine import ProcessEngine
from engine.errors import DefinitionInvalid
from engine.runtime.timeexpr import OSLO, parse_instant

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')


def timed_process(timer: str, name: str = "Lever rapport", extra_start: str = "") -> bytes:
    return (HEADER + f"""<bpmn:process id="rapport" name="Rapport" isExecutable="true">
  <bpmn:startEvent id="hver"><bpmn:timerEventDefinition>{timer}</bpmn:timerEventDefinition>
  </bpmn:startEvent>
  {extra_start}
  <bpmn:sequenceFlow id="f1" sourceRef="hver" targetRef="lever" />
  <bpmn:userTask id="lever" name="{name}" camunda:candidateUsers="admin" />
  <bpmn:sequenceFlow id="f2" sourceRef="lever" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>""").encode()


def started(engine: ProcessEngine) -> list[int]:
    with engine.transaction(read_only=True):
        return [i.id for i in engine.runtime.instances(key="rapport")]


def start_timer_due(engine: ProcessEngine) -> list:
    """Return the due times of the start timers of the test process "rapport" (the shipped
    processes have start timers of their own)."""
    with engine.transaction(read_only=True):
        return [t.due_at for t in engine.management.timers() if t.instance_id is None
                and engine.repository.definition(t.definition_id).key == "rapport"]


def test_cycle_starts_instance_at_each_firing(demo_engine: ProcessEngine, clock) -> None:
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R/2027-01-10T09:00/P1D</bpmn:timeCycle>"))])

    clock.set(parse_instant("2027-01-10T08:59"))
    demo_engine.management.run_due()
    assert started(demo_engine) == []

    clock.set(parse_instant("2027-01-10T09:00"))
    demo_engine.management.run_due()
    assert len(started(demo_engine)) == 1

    clock.set(parse_instant("2027-01-11T09:00"))
    demo_engine.management.run_due()
    assert len(started(demo_engine)) == 2
    with demo_engine.transaction(read_only=True):
        assert len(demo_engine.tasks.list("admin", "group")) == 2


def test_daily_start_keeps_local_time_across_dst(demo_engine: ProcessEngine, clock) -> None:
    clock.set(parse_instant("2027-03-26T12:00"))
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R/2027-03-27T08:00/P1D</bpmn:timeCycle>"))])

    local_times = []
    for _day in range(3):
        (due,) = start_timer_due(demo_engine)
        local_times.append(due.astimezone(OSLO).strftime("%d.%m %H:%M %z"))
        clock.set(due)
        demo_engine.management.run_due()

    assert local_times == ["27.03 08:00 +0100", "28.03 08:00 +0200", "29.03 08:00 +0200"]


def test_cycle_keeps_phase_when_fired_late(demo_engine: ProcessEngine, clock) -> None:
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R/2027-01-10T09:00/PT6H</bpmn:timeCycle>"))])

    clock.set(parse_instant("2027-01-10T09:40"))
    demo_engine.management.run_due()

    assert start_timer_due(demo_engine) == [parse_instant("2027-01-10T15:00")]


def test_bounded_cycle_starts_exact_count(demo_engine: ProcessEngine, clock) -> None:
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>"))])

    for _hour in range(5):
        clock.advance(hours=1)
        demo_engine.management.run_due()

    assert len(started(demo_engine)) == 3
    assert start_timer_due(demo_engine) == []


def test_first_cycle_firing_comes_after_one_interval(demo_engine: ProcessEngine,
                                                     clock) -> None:
    deployed_at = clock.now()
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R/PT10M</bpmn:timeCycle>"))])

    assert start_timer_due(demo_engine) == [deployed_at + timedelta(minutes=10)]


def test_cycle_started_in_past_skips_missed_firings(demo_engine: ProcessEngine,
                                                    clock) -> None:
    clock.set(parse_instant("2027-06-15T12:00"))
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R/2020-01-01T08:00/P1Y</bpmn:timeCycle>"))])

    assert start_timer_due(demo_engine) == [parse_instant("2028-01-01T08:00")]
    demo_engine.management.run_due()
    assert started(demo_engine) == []


def test_time_date_start_fires_once(demo_engine: ProcessEngine, clock) -> None:
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeDate>2027-02-01T09:00</bpmn:timeDate>"))])

    clock.set(parse_instant("2027-03-01T09:00"))
    demo_engine.management.run_due()
    demo_engine.management.run_due()

    assert len(started(demo_engine)) == 1


def test_redeploy_replaces_start_timers(demo_engine: ProcessEngine, clock) -> None:
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R/2027-01-10T09:00/P1D</bpmn:timeCycle>"))])
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R/2027-01-10T09:00/P1D</bpmn:timeCycle>", name="Ny versjon"))])

    clock.set(parse_instant("2027-01-10T09:00"))
    demo_engine.management.run_due()

    (instance_id,) = started(demo_engine)
    with demo_engine.transaction(read_only=True):
        (task,) = demo_engine.tasks.open_tasks_of_instance(instance_id)
    assert task.name == "Ny versjon"


def test_timer_start_process_can_be_started_by_hand(demo_engine: ProcessEngine) -> None:
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R/P1Y</bpmn:timeCycle>"))])

    result = demo_engine.runtime.start("rapport", "admin", {})

    assert [t["name"] for t in result.open_tasks] == ["Lever rapport"]


def test_timer_start_beside_plain_start(demo_engine: ProcessEngine, clock) -> None:
    demo_engine.repository.deploy([("rapport.bpmn", timed_process(
        "<bpmn:timeCycle>R/2027-01-10T09:00/P1D</bpmn:timeCycle>",
        extra_start='<bpmn:startEvent id="manuell" />'
                    '<bpmn:sequenceFlow id="f9" sourceRef="manuell" targetRef="egen" />'
                    '<bpmn:userTask id="egen" name="Egen rapport" '
                    'camunda:candidateUsers="admin" />'))])

    by_hand = demo_engine.runtime.start("rapport", "admin", {})
    clock.set(parse_instant("2027-01-10T09:00"))
    demo_engine.management.run_due()

    assert [t["name"] for t in by_hand.open_tasks] == ["Egen rapport"]
    with demo_engine.transaction(read_only=True):
        names = sorted(t.name for t in demo_engine.tasks.list("admin", "group"))
    assert names == ["Egen rapport", "Lever rapport"]


def test_two_plain_starts_are_refused(engine: ProcessEngine) -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        engine.repository.deploy([("rapport.bpmn", timed_process(
            "<bpmn:timeCycle>R/P1Y</bpmn:timeCycle>",
            extra_start='<bpmn:startEvent id="manuell" /><bpmn:startEvent id="annen" />'))])

    assert raised.value.problems[0].element_id == "annen"
    assert "2 vanlige starthendelser" in raised.value.problems[0].text
