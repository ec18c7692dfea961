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


def test_small_groups_show_no_number(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("lise.leder").get(PAGE)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 samtaler er arkivert" in page
    assert page.count("Færre enn 3") == 2
    assert "Ola Olsen" not in page
    assert "opplæringen" not in page


def test_counts_shown_at_minimum(
        filed: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    filed.repository.set_setting("medarbeidersamtale.kompetanseplan", {"minste_gruppe": 2},
                                 actor="admin")

    page = login_as("hanne.hr").get(PAGE).get_data(as_text=True)

    assert "Færre enn" not in page
    assert "<td data-label=\"Antall medarbeidere\">2</td>" in page


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
