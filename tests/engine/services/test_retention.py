"""Retention: finished cases are anonymised or deleted once their retention time has run out,
and not a second earlier; running cases are never touched."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.demo import load_organisation
from engine.engine import ProcessEngine
from engine.errors import DefinitionInvalid
from engine.models import AuditEvent, ProcessInstance, Task
from tests.attachment_files import PDF

SECRET = "Ola Nordmann skled i dusjen"


def process(key: str, properties: dict[str, str]) -> bytes:
    rows = "".join(f'<camunda:property name="{name}" value="{value}" />'
                   for name, value in properties.items())
    extension = (f"<bpmn:extensionElements><camunda:properties>{rows}</camunda:properties>"
                 "</bpmn:extensionElements>") if rows else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="{key}" name="Melding" isExecutable="true">
    {extension}
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="skriv" />
    <bpmn:userTask id="skriv" name="Skriv notat" camunda:assignee="ola.ansatt" />
    <bpmn:sequenceFlow id="f2" sourceRef="skriv" targetRef="slutt" />
    <bpmn:endEvent id="slutt" />
  </bpmn:process>
</bpmn:definitions>""".encode()


@pytest.fixture
def retention_engine(make_engine: Any) -> ProcessEngine:
    engine = make_engine()
    load_organisation(engine)
    engine.repository.deploy([
        ("anonym.bpmn", process("anonym", {"retention": "P1Y", "retentionAction": "anonymise"})),
        ("slett.bpmn", process("slett", {"retention": "P2Y", "retentionAction": "delete"})),
        ("evig.bpmn", process("evig", {})),
    ])
    return engine


def finished_case(engine: ProcessEngine, key: str, attach: bool = False) -> int:
    instance_id = engine.runtime.start(key, "ola.ansatt", {"tittel": SECRET}).instance_id
    with engine.transaction(read_only=True):
        (task,) = engine.tasks.open_tasks_of_instance(instance_id)
    if attach:
        engine.attachments.add(task.id, "ola.ansatt", "notat.pdf", io.BytesIO(PDF))
    engine.tasks.complete(task.id, "ola.ansatt", {"notat": SECRET})
    return instance_id


def due_ids(engine: ProcessEngine) -> list[int]:
    return [item.instance_id for item in engine.retention.due()]


def state_of(engine: ProcessEngine, instance_id: int) -> str:
    with engine.transaction(read_only=True) as session:
        return session.scalar(select(ProcessInstance.state).where(
            ProcessInstance.id == instance_id))


def audit_actions(engine: ProcessEngine, instance_id: int) -> list[str]:
    with engine.transaction(read_only=True) as session:
        return list(session.scalars(select(AuditEvent.action).where(
            AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)))


def test_not_due_second_before(retention_engine: ProcessEngine, clock: Any) -> None:
    finished_case(retention_engine, "anonym")
    clock.advance(days=365, seconds=-1)

    assert due_ids(retention_engine) == []


def test_due_when_time_runs_out(retention_engine: ProcessEngine, clock: Any) -> None:
    instance_id = finished_case(retention_engine, "anonym")
    clock.advance(days=366)

    assert due_ids(retention_engine) == [instance_id]


def test_running_case_is_never_due(retention_engine: ProcessEngine, clock: Any) -> None:
    retention_engine.runtime.start("anonym", "ola.ansatt", {"tittel": SECRET})
    clock.advance(days=3650)

    assert due_ids(retention_engine) == []


def test_process_without_retention_keeps_its_cases(retention_engine: ProcessEngine,
                                                   clock: Any) -> None:
    finished_case(retention_engine, "evig")
    clock.advance(days=3650)

    assert due_ids(retention_engine) == []


def test_configured_default_applies_without_property(make_engine: Any, clock: Any) -> None:
    engine = make_engine(RETENTION_PERIOD="P6M", RETENTION_ACTION="delete")
    load_organisation(engine)
    engine.repository.deploy([("evig.bpmn", process("evig", {}))])
    instance_id = finished_case(engine, "evig")
    clock.advance(days=200)

    (item,) = engine.retention.due()
    assert (item.instance_id, item.action, item.retention) == (instance_id, "delete", "P6M")


def test_dry_run_changes_nothing(retention_engine: ProcessEngine, clock: Any) -> None:
    instance_id = finished_case(retention_engine, "anonym")
    clock.advance(days=366)

    report = retention_engine.retention.run("retention", dry_run=True)

    assert report.count("anonymise") == 1
    assert SECRET in state_of(retention_engine, instance_id)
    assert due_ids(retention_engine) == [instance_id]


def test_anonymised_case_keeps_no_content(retention_engine: ProcessEngine, clock: Any) -> None:
    instance_id = finished_case(retention_engine, "anonym")
    clock.advance(days=366)

    retention_engine.retention.run("retention")

    assert SECRET not in state_of(retention_engine, instance_id)
    with retention_engine.transaction(read_only=True) as session:
        instance = session.get(ProcessInstance, instance_id)
        task = session.scalar(select(Task).where(Task.instance_id == instance_id))
        assert instance.title is None
        assert instance.start_data is None
        assert instance.status == "completed"
        assert task.submitted_data is None
        assert task.completed_by == "ola.ansatt"


def test_anonymised_case_still_loads(retention_engine: ProcessEngine, clock: Any) -> None:
    instance_id = finished_case(retention_engine, "anonym")
    clock.advance(days=366)
    retention_engine.retention.run("retention")

    assert retention_engine.runtime.variables(instance_id) == {}


def test_anonymised_case_is_recorded_and_not_taken_again(retention_engine: ProcessEngine,
                                                         clock: Any) -> None:
    instance_id = finished_case(retention_engine, "anonym")
    clock.advance(days=366)
    retention_engine.retention.run("retention")

    assert audit_actions(retention_engine, instance_id)[-1] == "instance_anonymised"
    assert due_ids(retention_engine) == []


def test_deleted_case_leaves_only_the_audit_trail(retention_engine: ProcessEngine,
                                                  clock: Any) -> None:
    instance_id = finished_case(retention_engine, "slett")
    before = audit_actions(retention_engine, instance_id)
    clock.advance(days=731)

    retention_engine.retention.run("retention")

    with retention_engine.transaction(read_only=True) as session:
        assert session.get(ProcessInstance, instance_id) is None
        assert session.scalar(select(func.count()).select_from(Task).where(
            Task.instance_id == instance_id)) == 0
    assert audit_actions(retention_engine, instance_id) == [*before, "instance_deleted"]


def test_attachment_files_go_with_the_case(retention_engine: ProcessEngine, clock: Any,
                                           tmp_path: Path) -> None:
    finished_case(retention_engine, "slett", attach=True)
    files = [path for path in Path(retention_engine.config["ATTACHMENT_DIR"]).rglob("*")
             if path.is_file()]
    clock.advance(days=731)

    report = retention_engine.retention.run("retention")

    assert report.attachments_deleted == 1
    assert all(not path.exists() for path in files)
    assert files


def test_only_cases_past_their_time_are_touched(retention_engine: ProcessEngine,
                                                clock: Any) -> None:
    old = finished_case(retention_engine, "slett")
    clock.advance(days=400)
    recent = finished_case(retention_engine, "slett")
    clock.advance(days=400)

    retention_engine.retention.run("retention")

    with retention_engine.transaction(read_only=True) as session:
        assert session.get(ProcessInstance, old) is None
        assert session.get(ProcessInstance, recent) is not None


@pytest.mark.parametrize("properties, message", [
    ({"retention": "fem år"}, "må være en ISO 8601-varighet"),
    ({"retention": "P0D"}, "må være lengre enn null"),
    ({"retention": "P5Y", "retentionAction": "arkiver"}, "må være anonymise eller delete"),
])
def test_deploy_refuses_a_bad_retention_property(retention_engine: ProcessEngine,
                                                 properties: dict[str, str],
                                                 message: str) -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        retention_engine.repository.deploy([("feil.bpmn", process("feil", properties))])

    assert message in str(refused.value.problems[0])


def test_command_dry_run_in_norwegian(retention_engine: ProcessEngine,
                                      database_url: str) -> None:
    from click.testing import CliRunner

    from engine.cli import main

    instance_id = finished_case(retention_engine, "anonym")
    result = CliRunner().invoke(main, ["retention", "--dry-run"], env={
        "SLOYFE_DATABASE_URL": database_url, "SLOYFE_SMTP_HOST": "",
        "SLOYFE_NOW": "2028-06-01T09:00"}, catch_exceptions=False)

    assert "Prøvekjøring. Anonymiseres: 1. Slettes: 0. Ingenting ble endret." in result.stdout
    assert f"\n{instance_id} " in result.stdout
    assert SECRET in state_of(retention_engine, instance_id)
