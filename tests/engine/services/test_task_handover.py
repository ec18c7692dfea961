"""Delegating a task to a colleague and reassigning it: who may, to whom, and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.errors import (
    AssigneeNotFound,
    DelegateNotEligible,
    DelegationNeedsAssignee,
    NotAssignee,
    ReassignNotAllowed,
    ReassignTargetNotEligible,
    TaskAlreadyCompleted,
)
from engine.models import AuditEvent, User
from tests.engine.services.test_task_service import ACCEPT, REPORT, snapshot


@pytest.fixture
def assessment(demo_engine: ProcessEngine) -> tuple[ProcessEngine, int, str]:
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    with demo_engine.transaction(read_only=True):
        task = demo_engine.tasks.open_tasks_of_instance(instance_id, "VurderAvvik")[0]
    return demo_engine, instance_id, task.id


def assignee(engine: ProcessEngine, task_id: str) -> str | None:
    with engine.transaction(read_only=True):
        return engine.tasks.get(task_id).assignee


def last_event(engine: ProcessEngine, action: str) -> AuditEvent:
    with engine.transaction(read_only=True):
        event = engine.uow.session.scalar(select(AuditEvent).where(
            AuditEvent.action == action).order_by(AuditEvent.id.desc()).limit(1))
    assert event is not None, f"no {action} event"
    return event


def test_delegate_to_group_member(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "lise.leder")

    engine.tasks.delegate(task_id, "fatima.ansatt", "lise.leder")

    assert assignee(engine, task_id) == "fatima.ansatt"


def test_delegate_is_audited(assessment: tuple) -> None:
    engine, instance_id, task_id = assessment
    engine.tasks.claim(task_id, "lise.leder")

    engine.tasks.delegate(task_id, "fatima.ansatt", "lise.leder")

    event = last_event(engine, "task_delegated")
    assert event.actor == "lise.leder"
    assert event.instance_id == instance_id
    assert event.task_id == task_id
    assert event.details == {"previous": "lise.leder", "assignee": "fatima.ansatt"}


def test_delegate_rejects_non_candidate(assessment: tuple) -> None:
    engine, instance_id, task_id = assessment
    engine.tasks.claim(task_id, "lise.leder")
    before = snapshot(engine, instance_id)

    with pytest.raises(DelegateNotEligible) as raised:
        engine.tasks.delegate(task_id, "erik.laerer", "lise.leder")

    message = str(raised.value)
    assert "Erik Moen kan ikke ta oppgaven «Vurder avvik»" in message
    assert "behandlere, Eksempel sykehjem" in message
    assert snapshot(engine, instance_id) == before


def test_delegate_by_other_than_assignee(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "fatima.ansatt")

    with pytest.raises(NotAssignee):
        engine.tasks.delegate(task_id, "lise.leder", "lise.leder")

    assert assignee(engine, task_id) == "fatima.ansatt"


def test_delegate_unclaimed_task_rejected(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment

    with pytest.raises(DelegationNeedsAssignee) as raised:
        engine.tasks.delegate(task_id, "fatima.ansatt", "lise.leder")

    assert "Bare den som er tildelt oppgaven" in str(raised.value)


def test_delegate_to_unknown_user(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "lise.leder")

    with pytest.raises(AssigneeNotFound) as raised:
        engine.tasks.delegate(task_id, "ingen.slik", "lise.leder")

    assert "ingen.slik" in str(raised.value)
    assert assignee(engine, task_id) == "lise.leder"


def test_delegate_to_deactivated_user(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "lise.leder")
    with engine.transaction():
        engine.uow.session.scalar(select(User).where(
            User.username == "fatima.ansatt")).active = False

    with pytest.raises(AssigneeNotFound):
        engine.tasks.delegate(task_id, "fatima.ansatt", "lise.leder")


def test_eligible_delegates_leave_out_actor(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment

    with engine.transaction(read_only=True):
        delegates = engine.tasks.eligible_delegates(engine.tasks.get(task_id), "lise.leder")

    assert ("fatima.ansatt", "Fatima Ali") in delegates
    assert "lise.leder" not in [username for username, _name in delegates]
    assert "erik.laerer" not in [username for username, _name in delegates]


def test_reassign_by_unit_leader(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.organisation.create_user("nils.ansatt", "Nils Nilsen", unit="sykehjem")
    engine.tasks.claim(task_id, "fatima.ansatt")

    engine.tasks.reassign(task_id, "nils.ansatt", "lise.leder")

    assert assignee(engine, task_id) == "nils.ansatt"


def test_reassign_is_audited(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.organisation.create_user("nils.ansatt", "Nils Nilsen", unit="sykehjem")
    engine.tasks.claim(task_id, "fatima.ansatt")

    engine.tasks.reassign(task_id, "nils.ansatt", "lise.leder")

    event = last_event(engine, "task_reassigned")
    assert event.actor == "lise.leder"
    assert event.task_id == task_id
    assert event.details == {"previous": "fatima.ansatt", "assignee": "nils.ansatt"}


def test_reassign_by_leader_above(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment

    engine.tasks.reassign(task_id, "fatima.ansatt", "kari.direktor")

    assert assignee(engine, task_id) == "fatima.ansatt"


def test_reassign_by_administrator(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "fatima.ansatt")

    engine.tasks.reassign(task_id, "lise.leder", "admin")

    assert assignee(engine, task_id) == "lise.leder"


@pytest.mark.parametrize("actor", ["per.leder", "nina.kommunalsjef", "fatima.ansatt"])
def test_reassign_by_others_rejected(assessment: tuple, actor: str) -> None:
    engine, instance_id, task_id = assessment
    engine.tasks.claim(task_id, "fatima.ansatt")
    before = snapshot(engine, instance_id)

    with pytest.raises(ReassignNotAllowed) as raised:
        engine.tasks.reassign(task_id, "ola.ansatt", actor)

    assert "Bare lederen for enheten til oppgaven" in str(raised.value)
    assert snapshot(engine, instance_id) == before


def test_reassign_to_other_unit_leader_rejected(assessment: tuple) -> None:
    engine, instance_id, task_id = assessment
    engine.tasks.claim(task_id, "fatima.ansatt")
    before = snapshot(engine, instance_id)

    with pytest.raises(ReassignTargetNotEligible) as raised:
        engine.tasks.reassign(task_id, "per.leder", "lise.leder")

    assert str(raised.value).startswith("Per Larsen kan ikke ta oppgaven «Vurder avvik».")
    assert snapshot(engine, instance_id) == before


def test_reassign_to_unit_colleague(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.organisation.create_user("nils.ansatt", "Nils Nilsen", unit="sykehjem")
    engine.tasks.claim(task_id, "lise.leder")

    engine.tasks.reassign(task_id, "nils.ansatt", "lise.leder")

    assert assignee(engine, task_id) == "nils.ansatt"


def test_reassign_to_reporter_rejected(assessment: tuple) -> None:
    """The reporter of a deviation does not assess it, though in the same unit."""
    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "lise.leder")

    with pytest.raises(ReassignTargetNotEligible):
        engine.tasks.reassign(task_id, "ola.ansatt", "lise.leder")

    assert assignee(engine, task_id) == "lise.leder"


def test_reassign_targets_of_unit(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment

    with engine.transaction(read_only=True):
        targets = engine.tasks.reassign_targets(engine.tasks.get(task_id))

    assert list(targets) == ["fatima.ansatt", "kari.direktor", "lise.leder",
                             "tor.kommunalsjef"]
    assert targets["fatima.ansatt"] == "Fatima Ali"


def test_reassign_targets_skip_inactive(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    with engine.transaction():
        engine.organisation.set_active("fatima.ansatt", False, actor="admin")

    with engine.transaction(read_only=True):
        targets = engine.tasks.reassign_targets(engine.tasks.get(task_id))

    assert "fatima.ansatt" not in targets


def test_reassign_to_unknown_user(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment

    with pytest.raises(AssigneeNotFound):
        engine.tasks.reassign(task_id, "ingen.slik", "lise.leder")

    assert assignee(engine, task_id) is None


def test_reassign_completed_task_rejected(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.tasks.complete(task_id, "lise.leder", ACCEPT)

    with pytest.raises(TaskAlreadyCompleted):
        engine.tasks.reassign(task_id, "fatima.ansatt", "admin")


def test_delegated_task_leaves_mine_list(assessment: tuple) -> None:
    engine, _instance_id, task_id = assessment
    engine.tasks.claim(task_id, "lise.leder")
    engine.tasks.delegate(task_id, "fatima.ansatt", "lise.leder")

    with engine.transaction(read_only=True):
        assert engine.tasks.list("lise.leder", "mine") == []
        assert [task.id for task in engine.tasks.list("fatima.ansatt", "mine")] == [task_id]
