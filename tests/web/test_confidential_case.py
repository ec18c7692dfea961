"""The case page of a confidential process: its reader groups and participants only."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.confidential import start_confidential_case


def test_unit_leader_gets_404(
        demo_engine: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    instance_id = start_confidential_case(demo_engine)

    response = login_as("lise.leder").get(f"/saker/{instance_id}")

    assert response.status_code == 404


def test_administrator_gets_404(
        demo_engine: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    instance_id = start_confidential_case(demo_engine)

    response = login_as("admin").get(f"/saker/{instance_id}")

    assert response.status_code == 404


def test_reader_group_sees_case(
        demo_engine: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    instance_id = start_confidential_case(demo_engine)

    response = login_as("jonas.ansatt").get(f"/saker/{instance_id}")

    assert response.status_code == 200


def test_task_candidate_sees_case(
        demo_engine: ProcessEngine, login_as: Callable[[str], FlaskClient]) -> None:
    instance_id = start_confidential_case(demo_engine)

    response = login_as("fatima.ansatt").get(f"/saker/{instance_id}")

    assert response.status_code == 200
