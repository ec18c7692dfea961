"""Who may read a case and start a process, and the start form of a process version."""

from __future__ import annotations

from typing import Any

import pytest

from engine.engine import ProcessEngine
from engine.errors import DefinitionNotFound

REPORT: dict[str, Any] = {
    "tittel": "Glatt gulv i gangen", "hva_skjedde": "En ansatt skled.",
    "tidspunkt": "2027-01-04T08:30:00+01:00", "sted": "Gang 1", "enhet": "sykehjem",
    "kategori": "hms", "alvorlighetsgrad": "Lav", "personopplysninger": False,
    "personskade": False, "alvorlig_hendelse": False,
}


def _may_see(engine: ProcessEngine, instance_id: int, username: str) -> bool:
    with engine.transaction(read_only=True):
        return engine.runtime.may_see(engine.runtime.instance(instance_id), username)


def test_case_visible_to_reporter_handlers_admin(demo_engine: ProcessEngine) -> None:
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id

    assert _may_see(demo_engine, instance_id, "ola.ansatt")
    assert _may_see(demo_engine, instance_id, "lise.leder")
    assert _may_see(demo_engine, instance_id, "fatima.ansatt")
    assert _may_see(demo_engine, instance_id, "admin")
    assert not _may_see(demo_engine, instance_id, "per.leder")
    assert not _may_see(demo_engine, instance_id, "jonas.ansatt")


def test_case_visible_to_past_assignee(demo_engine: ProcessEngine) -> None:
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    with demo_engine.transaction(read_only=True):
        task = demo_engine.tasks.open_tasks_of_instance(instance_id, "VurderAvvik")[0]
    with demo_engine.transaction():
        demo_engine.organisation.create_user("nora.ansatt", "Nora Vik", unit="sykehjem")
    assert not _may_see(demo_engine, instance_id, "nora.ansatt")
    demo_engine.tasks.reassign(task.id, "nora.ansatt", "admin")

    assert _may_see(demo_engine, instance_id, "nora.ansatt")


def test_may_start_without_starter_limits(demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction(read_only=True):
        definition = demo_engine.repository.latest("avvik")
        assert demo_engine.runtime.may_start(definition, "ola.ansatt")


def test_start_form_of_definition(demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction(read_only=True):
        definition = demo_engine.repository.latest("avvik")
        same = demo_engine.repository.definition(definition.id)
        form = demo_engine.forms.start_form(same)

    assert same.key == "avvik"
    assert form is not None
    assert form.id == "avvik-meld"


def test_definition_by_unknown_id_raises(demo_engine: ProcessEngine) -> None:
    with demo_engine.transaction(read_only=True), pytest.raises(DefinitionNotFound):
        demo_engine.repository.definition(99999)
