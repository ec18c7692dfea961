"""The case pages of the employee conversations: the two who talk and HR, nobody else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.conversation import hold, plan_nursing_home

READERS = ("ola.ansatt", "lise.leder", "hanne.hr")
OTHERS = ("fatima.ansatt", "per.leder", "tor.kommunalsjef", "admin")


@pytest.fixture
def conversation_id(demo_engine: ProcessEngine) -> int:
    _planning_id, conversations = plan_nursing_home(demo_engine)
    hold(demo_engine, conversations["ola.ansatt"], "ola.ansatt")
    return conversations["ola.ansatt"]


@pytest.mark.parametrize("user", READERS)
def test_participants_and_hr_read_summary(
        conversation_id: int, login_as: Callable[[str], FlaskClient], user: str) -> None:
    response = login_as(user).get(f"/saker/{conversation_id}")

    assert response.status_code == 200
    assert "opplæringen av nye vikarer" in response.get_data(as_text=True)


@pytest.mark.parametrize("user", OTHERS)
def test_others_get_404(
        conversation_id: int, login_as: Callable[[str], FlaskClient], user: str) -> None:
    response = login_as(user).get(f"/saker/{conversation_id}")

    assert response.status_code == 404


def test_other_unit_leader_cannot_open_planning(
        demo_engine: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    planning_id, _conversations = plan_nursing_home(demo_engine)

    assert login_as("per.leder").get(f"/saker/{planning_id}").status_code == 404
    assert login_as("ola.ansatt").get(f"/saker/{planning_id}").status_code == 404
    assert login_as("tor.kommunalsjef").get(f"/saker/{planning_id}").status_code == 200
