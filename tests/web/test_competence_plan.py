"""The competence plan page: development needs counted per unit, without names."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.conversation import hold, plan_nursing_home

PAGE = "/kompetanseplan?enhet=sykehjem&ar=2027"


@pytest.fixture
def filed(demo_engine: ProcessEngine) -> ProcessEngine:
    """Both nursing home conversations held, each with the needs ledelse and digital."""
    _planning_id, conversations = plan_nursing_home(demo_engine)
    for employee, conversation_id in conversations.items():
        hold(demo_engine, conversation_id, employee)
    return demo_engine


def test_two_conversations_show_nothing(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("lise.leder").get(PAGE)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Færre enn 3 arkiverte samtaler" in page
    assert "enhetene under den. Et behov" in page
    assert "Ledelse" not in page
    assert "Ola Olsen" not in page
    assert "opplæringen" not in page


@pytest.mark.parametrize("unit", ["sykehjem", "helse-omsorg", "eksempel"])
def test_levels_show_no_need_of_two(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient], unit: str) -> None:
    page = login_as("hanne.hr").get(f"/kompetanseplan?enhet={unit}&ar=2027").get_data(
        as_text=True)

    assert "Ledelse" not in page
    assert "<td data-label=\"Antall medarbeidere\">" not in page


def test_shared_need_counted_at_minimum(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    filed.repository.set_setting("medarbeidersamtale.kompetanseplan", {"minste_gruppe": 2},
                                 actor="admin")

    page = login_as("hanne.hr").get(PAGE).get_data(as_text=True)

    assert "2 arkiverte samtaler telles" in page
    assert "<td data-label=\"Antall medarbeidere\">" not in page


def test_menu_names_competence_plan(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    page = login_as("lise.leder").get(PAGE).get_data(as_text=True)

    assert "Kompetanseplan</a>" in page
    assert "Kompetansebehov" not in page


def test_other_unit_leader_refused(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("per.leder").get(PAGE)

    assert response.status_code == 403
    assert "Færre enn" not in response.get_data(as_text=True)


def test_leader_above_sees_unit(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    assert login_as("tor.kommunalsjef").get(PAGE).status_code == 200


def test_employee_refused(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    assert login_as("ola.ansatt").get(PAGE).status_code == 403


def test_bad_year_explained(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("lise.leder").get("/kompetanseplan?enhet=sykehjem&ar=tjue")

    assert response.status_code == 400
    assert "Velg et år i listen" in response.get_data(as_text=True)
