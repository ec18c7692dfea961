"""Task service: bad input of every kind is refused in bokmål and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from engine.engine import ProcessEngine
from engine.errors import (
    FormValidationFailed,
    NotACandidate,
    NotAssignee,
    TaskAlreadyClaimed,
    TaskAlreadyCompleted,
    TaskNotFound,
)
from engine.models import AuditEvent, ProcessInstance, Task

REPORT: dict[str, Any] = {
    "tittel": "Glatt gulv i gangen", "hva_skjedde": "En ansatt skled.",
    "tidspunkt": "2027-01-04T08:30:00+01:00", "sted": "Gang 1", "enhet": "sykehjem",
    "kategori": "hms", "alvorlighetsgrad": "Lav",
}
ACCEPT = {"beslutning": "godta", "alvorlighetsgrad": "Lav"}


def snapshot(engine: ProcessEngine, instance_id: int) -> tuple[str, int, list[tuple], int]:
    with engine.transaction(read_only=True):
        session = engine.uow.session
        instance = session.get(ProcessInstance, instance_id)
        tasks = sorted((t.id, t.state, t.assignee) for t in session.scalars(
            select(Task).where(Task.instance_id == instance_id)))
        audit = session.scalar(select(func.count()).select_from(AuditEvent))
        return instance.state, instance.version, tasks, audit


@pytest.fixture
def assessment(demo_engine: ProcessEngine) -> tuple[ProcessEngine, int, str]:
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    with demo_engine.transaction(read_only=True):
        task = demo_engine.tasks.open_tasks_of_instance(instance_id, "VurderAvvik")[0]
    return demo_engine, instance_id, task.id


def test_invalid_form_data_changes_nothing(assessment: tuple) -> None:
    engine, instance_id, task_id = assessment
    before = snapshot(engine, instance_id)

    with pytest.raises(FormValidationFailed) as raised:
        engine.tasks.complete(task_id, "lise.leder", {"beslutning": "kanskje",
                                                      "alvorlighetsgrad": "Lav"})

    assert set(raised.value.errors) == {"beslutning"}
    assert raised.value.values["beslutning"] == "kanskje"
    assert "Skjemaet har feil" in str(raised.value)
    assert snapshot(engine, instance_id) == before


def test_missing_required_field_is_named(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment

    with pytest.raises(FormValidationFailed) as raised:
        engine.tasks.complete(task_id, "lise.leder", {"alvorlighetsgrad": "Lav"})

    assert list(raised.value.errors) == ["beslutning"]


def test_complete_rejects_completed_task(assessment: tuple) -> None:
    engine, instance_id, task_id = assessment
    engine.tasks.complete(task_id, "lise.leder", ACCEPT)
    before = snapshot(engine, instance_id)

    with pytest.raises(TaskAlreadyCompleted) as raised:
        engine.tasks.complete(task_id, "fatima.ansatt", ACCEPT)

    assert "allerede fullført av Lise Johansen" in str(raised.value)
    assert snapshot(engine, instance_id) == before


def test_claim_rejects_task_taken_by_other(assessment: tuple) -> None:
    engine, instance_id, task_id = assessment
    engine.tasks.claim(task_id, "fatima.ansatt")
    before = snapshot(engine, instance_id)

    with pytest.raises(TaskAlreadyClaimed) as raised:
        engine.tasks.claim(task_id, "lise.leder")

    assert "allerede tildelt Fatima Ali" in str(raised.value)
    assert snapshot(engine, instance_id) == before


def test_complete_rejects_task_taken_by_other(assessment: tuple) -> None:
    engine, instance_id, task_id = assessment
    engine.tasks.claim(task_id, "fatima.ansatt")
    before = snapshot(engine, instance_id)

    with pytest.raises(NotAssignee) as raised:
        engine.tasks.complete(task_id, "lise.leder", ACCEPT)

    assert "tildelt Fatima Ali, ikke deg" in str(raised.value)
    assert snapshot(engine, instance_id) == before


def test_unknown_task_id_is_not_found(assessment: tuple) -> None:
    engine, _instance_id, _task_id = assessment

    with pytest.raises(TaskNotFound) as raised:
        engine.tasks.complete("00000000-0000-0000-0000-000000000000", "lise.leder", ACCEPT)

    assert "Det finnes ingen oppgave" in str(raised.value)


def test_outsider_cannot_claim(assessment: tuple) -> None:
    engine, instance_id, task_id = assessment
    before = snapshot(engine, instance_id)

    with pytest.raises(NotACandidate) as raised:
        engine.tasks.claim(task_id, "erik.laerer")

    message = str(raised.value)
    assert "«Vurder avvik»" in message
    assert "behandlere, Eksempel sykehjem" in message
    assert "Erik Moen er ikke blant dem" in message
    assert snapshot(engine, instance_id) == before


def test_outsider_cannot_complete(assessment: tuple) -> None:
    engine, instance_id, task_id = assessment
    before = snapshot(engine, instance_id)

    with pytest.raises(NotACandidate):
        engine.tasks.complete(task_id, "erik.laerer", ACCEPT)

    assert snapshot(engine, instance_id) == before


def test_unclaim_by_other_user_is_refused(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "fatima.ansatt")

    with pytest.raises(NotAssignee):
        engine.tasks.unclaim(task_id, "lise.leder")


def test_claim_then_unclaim_returns_task_to_group(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "fatima.ansatt")
    engine.tasks.unclaim(task_id, "fatima.ansatt")

    with engine.transaction(read_only=True):
        assert [t.id for t in engine.tasks.list("lise.leder", "group")] == [task_id]
        assert engine.tasks.get(task_id).assignee is None


def test_english_messages_under_en_locale(assessment: tuple) -> None:
    from engine.i18n import use_locale

    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "fatima.ansatt")
    with pytest.raises(TaskAlreadyClaimed) as raised:
        engine.tasks.claim(task_id, "lise.leder")

    with use_locale("en"):
        assert "already assigned to Fatima Ali" in str(raised.value)
