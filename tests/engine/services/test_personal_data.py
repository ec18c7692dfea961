"""Personal-data variables: the shipped declarations, who may read them, and the audit trail of
an edit."""

from __future__ import annotations

import pytest

from engine.engine import ProcessEngine
from engine.services.personal_data import hidden_variables, is_personal, listed_variables
from tests.confidential import start_confidential_case
from tests.web.conftest import REPORT_DATA


def report(engine: ProcessEngine) -> int:
    return engine.runtime.start("avvik", "ola.ansatt", REPORT_DATA).instance_id


def hidden_for(engine: ProcessEngine, instance_id: int, username: str) -> frozenset[str]:
    with engine.transaction(read_only=True):
        instance = engine.runtime.instance(instance_id)
        variables = engine.runtime.variables(instance_id)
        return hidden_variables(engine, instance, username, variables)


@pytest.mark.parametrize(("key", "name"), [
    ("avvik", "hva_skjedde"), ("avvik", "aarsak"),
    ("medarbeidersamtale-planlegging", "forsinkede_liste"),
    ("medarbeidersamtale", "leders_forberedelse")])
def test_shipped_processes_declare_variables(demo_engine: ProcessEngine, key: str,
                                             name: str) -> None:
    with demo_engine.transaction(read_only=True):
        definition = demo_engine.repository.latest(key)
        properties = demo_engine.specs.get(definition.id).facts.properties

    assert name in listed_variables(properties)


def test_admin_not_entitled_sees_hidden(demo_engine: ProcessEngine) -> None:
    hidden = hidden_for(demo_engine, report(demo_engine), "admin")

    assert "hva_skjedde" in hidden
    assert "tittel" not in hidden
    assert "enhet" not in hidden


def test_unit_leader_sees_everything(demo_engine: ProcessEngine) -> None:
    assert hidden_for(demo_engine, report(demo_engine), "lise.leder") == frozenset()


def test_candidate_admin_sees_everything(demo_engine: ProcessEngine) -> None:
    instance_id = report(demo_engine)
    demo_engine.organisation.add_member("behandler@sykehjem", "admin", actor="admin")
    demo_engine.organisation.forget_profiles()

    assert hidden_for(demo_engine, instance_id, "admin") == frozenset()


def test_confidential_variables_all_personal(demo_engine: ProcessEngine) -> None:
    instance_id = start_confidential_case(demo_engine)
    with demo_engine.transaction(read_only=True):
        instance = demo_engine.runtime.instance(instance_id)

        assert is_personal(demo_engine, instance, "enhet")


def test_edit_of_personal_variable_masked(demo_engine: ProcessEngine) -> None:
    instance_id = report(demo_engine)
    demo_engine.admin.set_variable(instance_id, "hva_skjedde", '"Rettet beskrivelse"', "admin",
                                   "Melderen ba om retting")

    with demo_engine.transaction(read_only=True):
        event = [event for event in demo_engine.history.events(instance_id)
                 if event.action == "variable_set"][-1]
        details = dict(event.details or {})
    assert details["masked"] is True
    assert details["new_value"] == "***"
    assert details["old_value"] == "***"
