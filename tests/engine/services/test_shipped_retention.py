"""Retention of the shipped processes: every diagram in bpmn/ declares a valid retention, and
a finished employee conversation is deleted two years after it ended, not a second before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.engine import ProcessEngine
from engine.models import ProcessInstance
from engine.runtime.timeexpr import parse_duration
from engine.runtime.validation import (
    RETENTION_ACTION_PROPERTY,
    RETENTION_ACTIONS,
    RETENTION_PROPERTY,
)
from tests.conversation import hold, open_task, plan_nursing_home

BPMN_DIR = Path(__file__).resolve().parents[3] / "bpmn"
SHIPPED = sorted(BPMN_DIR.glob("*.bpmn"))
FOLLOW_UP = datetime(2027, 9, 1, 6, 0, tzinfo=UTC)  # 08:00 in Oslo, after the follow-up timer


def process_key(path: Path) -> str:
    namespaces = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    (process,) = etree.parse(str(path)).getroot().findall("bpmn:process", namespaces)
    return process.get("id")


def test_seven_diagrams_ship() -> None:
    assert len(SHIPPED) == 7


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_shipped_process_declares_retention(demo_engine: ProcessEngine, path: Path) -> None:
    with demo_engine.transaction(read_only=True):
        definition = demo_engine.repository.latest(process_key(path))
        properties = demo_engine.specs.get(definition.id).facts.properties

    assert RETENTION_PROPERTY in properties
    assert not parse_duration(properties[RETENTION_PROPERTY]).is_zero()
    assert properties.get(RETENTION_ACTION_PROPERTY) in RETENTION_ACTIONS


@pytest.mark.parametrize("key, period, action", [
    ("medarbeidersamtale", "P2Y", "delete"),
    ("politisk-vedtak", "P10Y", "anonymise"),
    ("budsjett", "P10Y", "anonymise"),
    ("avvik", "P5Y", "anonymise"),
])
def test_policy_of_shipped_process(demo_engine: ProcessEngine, key: str, period: str,
                                   action: str) -> None:
    with demo_engine.transaction(read_only=True):
        definition = demo_engine.repository.latest(key)
        policy = demo_engine.retention.policy(definition)

    assert policy is not None
    assert (policy.period_text, policy.action) == (period, action)


def closed_conversation(engine: ProcessEngine, clock: Any) -> tuple[int, datetime]:
    """Hold Ola's conversation and its autumn follow-up, and return the case and its end."""
    _planning_id, conversations = plan_nursing_home(engine)
    conversation_id = conversations["ola.ansatt"]
    hold(engine, conversation_id, "ola.ansatt")
    clock.set(FOLLOW_UP)
    engine.management.run_due()
    task = open_task(engine, conversation_id, "Oppfolgingssamtale")
    engine.tasks.complete(task.id, "lise.leder", {"oppfolging_status": "Kurset er fullført."})
    with engine.transaction(read_only=True) as session:
        instance = session.get(ProcessInstance, conversation_id)
        assert instance.status == "completed"
        return conversation_id, instance.ended_at


def conversation_exists(engine: ProcessEngine, conversation_id: int) -> bool:
    with engine.transaction(read_only=True) as session:
        return session.get(ProcessInstance, conversation_id) is not None


def test_conversation_kept_until_two_years(demo_engine: ProcessEngine, clock: Any) -> None:
    conversation_id, ended_at = closed_conversation(demo_engine, clock)
    clock.set(ended_at.replace(year=ended_at.year + 2) - timedelta(seconds=1))

    report = demo_engine.retention.run("retention")

    assert conversation_id not in [item.instance_id for item in report.items]
    assert conversation_exists(demo_engine, conversation_id)


def test_conversation_deleted_after_two_years(demo_engine: ProcessEngine, clock: Any) -> None:
    conversation_id, ended_at = closed_conversation(demo_engine, clock)
    clock.set(ended_at.replace(year=ended_at.year + 2))

    report = demo_engine.retention.run("retention")

    assert [item.action for item in report.items
            if item.instance_id == conversation_id] == ["delete"]
    assert not conversation_exists(demo_engine, conversation_id)


def test_running_conversation_never_deleted(demo_engine: ProcessEngine, clock: Any) -> None:
    _planning_id, conversations = plan_nursing_home(demo_engine)
    clock.set(datetime(2037, 1, 4, 8, 0, tzinfo=UTC))

    demo_engine.retention.run("retention")

    assert conversation_exists(demo_engine, conversations["ola.ansatt"])
