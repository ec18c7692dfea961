"""Person pickers (valuesKey brukere): active personal accounts only, scoped by the field's
brukerutvalg from the case's unit. The demo tree is Eksempel kommune > Helse og omsorg >
Eksempel sykehjem and Hjemmetjenesten."""

from __future__ import annotations

from typing import Any

import pytest

from engine.engine import ProcessEngine
from engine.errors import DefinitionInvalid, FormValidationFailed
from tests.engine.forms.factories import component, form

NURSING_HOME = {"lise.leder", "ola.ansatt", "fatima.ansatt"}
MUNICIPALITY_STAFF = {"kari.direktor", "pia.personvern", "siri.sekretariat",
                      "eva.okonomisjef", "jon.okonomi", "hanne.hr", "paal.prosesseier"}


def picker(scope: str | None = None, key: str = "ansvarlig") -> dict[str, Any]:
    settings: dict[str, Any] = {"valuesKey": "brukere"}
    if scope is not None:
        settings["properties"] = {"brukerutvalg": scope}
    return component("select", key, **settings)


def offered(engine: ProcessEngine, scope: str | None, unit: str | None) -> set[str]:
    spec = form(picker(scope))
    variables = {"enhet": unit} if unit else {}
    with engine.transaction(read_only=True):
        options = engine.forms.options(spec, variables)
    (entries,) = options.values()
    return {entry["value"] for entry in entries}


def test_default_scope_is_case_unit(demo_engine: ProcessEngine) -> None:
    assert offered(demo_engine, None, "sykehjem") == NURSING_HOME


def test_unit_and_above(demo_engine: ProcessEngine) -> None:
    expected = NURSING_HOME | {"tor.kommunalsjef"} | MUNICIPALITY_STAFF

    assert offered(demo_engine, "enhet-og-over", "sykehjem") == expected


def test_unit_and_below(demo_engine: ProcessEngine) -> None:
    expected = {"tor.kommunalsjef", "per.leder", "jonas.ansatt"} | NURSING_HOME

    assert offered(demo_engine, "enhet-og-under", "helse-omsorg") == expected


@pytest.mark.parametrize("scope, unit", [
    ("kommune", "sykehjem"), ("enhet-og-over", "sykehjem"), (None, None),
])
def test_admin_account_never_offered(demo_engine: ProcessEngine, scope: str | None,
                                     unit: str | None) -> None:
    assert "admin" not in offered(demo_engine, scope, unit)


def test_whole_municipality_without_admin(demo_engine: ProcessEngine) -> None:
    everyone = offered(demo_engine, "kommune", "sykehjem")

    assert "jonas.ansatt" in everyone
    assert "erik.laerer" in everyone
    assert "nina.kommunalsjef" in everyone


def test_inactive_user_not_offered(demo_engine: ProcessEngine) -> None:
    demo_engine.organisation.set_active("ola.ansatt", False, actor="admin")

    assert offered(demo_engine, None, "sykehjem") == NURSING_HOME - {"ola.ansatt"}


def test_employee_who_administers_offered(demo_engine: ProcessEngine) -> None:
    demo_engine.organisation.grant_role("lise.leder", "administrator", actor="admin")

    assert "lise.leder" in offered(demo_engine, None, "sykehjem")


def test_account_without_unit_not_offered(demo_engine: ProcessEngine) -> None:
    demo_engine.organisation.create_user("arkiv", "Arkivsystemet", actor="admin")

    assert "arkiv" not in offered(demo_engine, "kommune", None)


def test_submitted_admin_rejected(demo_engine: ProcessEngine) -> None:
    spec = form(picker())

    with demo_engine.transaction(read_only=True), pytest.raises(FormValidationFailed) as failed:
        demo_engine.forms.validate(spec, {"ansvarlig": "admin"}, {"enhet": "sykehjem"}, "json")

    assert "ansvarlig" in failed.value.errors


def test_submitted_other_unit_rejected(demo_engine: ProcessEngine) -> None:
    spec = form(picker("enhet-og-over"))

    with demo_engine.transaction(read_only=True), pytest.raises(FormValidationFailed) as failed:
        demo_engine.forms.validate(spec, {"ansvarlig": "jonas.ansatt"},
                                   {"enhet": "sykehjem"}, "json")

    assert "ansvarlig" in failed.value.errors


def test_two_scopes_in_one_form(demo_engine: ProcessEngine) -> None:
    spec = form(picker(None, "behandler"), picker("kommune", "deltaker"))

    with demo_engine.transaction(read_only=True):
        clean = demo_engine.forms.validate(
            spec, {"behandler": "fatima.ansatt", "deltaker": "jonas.ansatt"},
            {"enhet": "sykehjem"}, "json")

    assert clean == {"behandler": "fatima.ansatt", "deltaker": "jonas.ansatt"}


def test_unknown_scope_rejected_at_deploy() -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        form(picker("alle"))

    assert "brukerutvalg" in str(refused.value.problems[0])
