"""Working days in Norway: weekends and public holidays, Easter included, in deadlines."""

from __future__ import annotations

from datetime import date

import pytest

from engine.engine import ProcessEngine
from engine.runtime.calendar import add_working_days, is_working_day
from engine.runtime.timeexpr import OSLO, parse_duration, parse_instant


@pytest.mark.parametrize("day, working", [
    (date(2027, 3, 24), True),    # Wednesday before Easter
    (date(2027, 3, 25), False),   # Maundy Thursday
    (date(2027, 3, 26), False),   # Good Friday
    (date(2027, 3, 29), False),   # Easter Monday
    (date(2027, 5, 6), False),    # Ascension Day
    (date(2027, 5, 17), False),   # Constitution Day and Whit Monday
    (date(2027, 12, 24), True),   # Christmas Eve is a working day by law
    (date(2027, 12, 25), False),
    (date(2027, 1, 9), False),    # Saturday
    (date(2027, 1, 10), False),   # Sunday
])
def test_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_easter_is_skipped() -> None:
    assert add_working_days(date(2027, 3, 24), 1) == date(2027, 3, 30)


def test_counting_backwards_skips_weekend() -> None:
    assert add_working_days(date(2027, 1, 11), -1) == date(2027, 1, 8)


def test_duration_in_working_days_keeps_time_of_day() -> None:
    start = parse_instant("2027-03-24T10:00")
    due = parse_duration("P2D").add_to(start, working_days=True).astimezone(OSLO)
    assert due.isoformat() == "2027-03-31T10:00:00+02:00"


def test_week_is_five_working_days() -> None:
    start = parse_instant("2027-01-04T09:00")
    due = parse_duration("P1W").add_to(start, working_days=True).astimezone(OSLO)
    assert due.date() == date(2027, 1, 11)


def test_hours_stay_exact_with_working_days() -> None:
    start = parse_instant("2027-03-24T10:00")
    due = parse_duration("PT72H").add_to(start, working_days=True).astimezone(OSLO)
    assert due.isoformat() == "2027-03-27T10:00:00+01:00"


def test_user_task_due_in_working_days(demo_engine: ProcessEngine, clock) -> None:
    bpmn = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:process id="frist" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="svar" />
  <bpmn:userTask id="svar" name="Svar" camunda:candidateUsers="admin" camunda:dueDate="P2D">
    <bpmn:extensionElements><camunda:properties>
      <camunda:property name="kalender" value="virkedager" />
    </camunda:properties></bpmn:extensionElements>
  </bpmn:userTask>
</bpmn:process></bpmn:definitions>"""
    demo_engine.repository.deploy([("frist.bpmn", bpmn.encode())])
    clock.set(parse_instant("2027-03-24T10:00"))
    instance_id = demo_engine.runtime.start("frist", "admin", {}).instance_id

    with demo_engine.transaction(read_only=True):
        (task,) = demo_engine.tasks.open_tasks_of_instance(instance_id)
    assert task.due_at.astimezone(OSLO).isoformat() == "2027-03-31T10:00:00+02:00"


def test_deviation_deadline_setting_in_working_days(demo_engine: ProcessEngine,
                                                     clock) -> None:
    demo_engine.repository.set_setting("avvik.frister", {
        "standard": {"vurdering": "P3D", "paaminnelse_for_frist": "P1D",
                     "eskalering_etter_frist": "P2D", "strakstiltak": "P1D",
                     "analyse": "P14D", "kalender": "virkedager"}})
    clock.set(parse_instant("2027-01-08T10:00"))  # a Friday
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", {
        "tittel": "Fall", "hva_skjedde": "Fall i trapp.", "tidspunkt": "2027-01-08T09:00",
        "sted": "Trapp", "enhet": "sykehjem", "kategori": "hms",
        "alvorlighetsgrad": "Lav"}).instance_id

    with demo_engine.transaction(read_only=True):
        (task,) = demo_engine.tasks.open_tasks_of_instance(instance_id)
        reminder, escalation = sorted(t.due_at for t in demo_engine.management.timers(
            instance_id))
    assert task.due_at.astimezone(OSLO).date() == date(2027, 1, 13)
    assert reminder.astimezone(OSLO).date() == date(2027, 1, 12)
    assert escalation.astimezone(OSLO).date() == date(2027, 1, 15)
