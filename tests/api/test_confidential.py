"""Cases of a confidential process over the API: tokens need confidential:read as well."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.api.conftest import SessionCaller, assert_problem
from tests.confidential import start_confidential_case

INSTANCES = "/api/v1/instances"
TASKS = "/api/v1/tasks"


@pytest.fixture
def confidential_case(demo_engine: ProcessEngine) -> int:
    return start_confidential_case(demo_engine)


def _task_of(engine: ProcessEngine, instance_id: int) -> str:
    with engine.transaction(read_only=True):
        return engine.tasks.open_tasks_of_instance(instance_id)[0].id


def test_unscoped_token_refused_case(
        client: FlaskClient, confidential_case: int,
        token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{INSTANCES}/{confidential_case}",
                          headers=token_headers("instances:read"))

    assert_problem(response, 403, "forbidden")


def test_scoped_token_reads_case(
        client: FlaskClient, confidential_case: int,
        token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{INSTANCES}/{confidential_case}",
                          headers=token_headers("instances:read", "confidential:read"))

    assert response.status_code == 200


def test_unscoped_token_list_omits_case(
        client: FlaskClient, confidential_case: int, report: Callable[..., int],
        token_headers: Callable[..., dict[str, str]]) -> None:
    open_case = report()

    items = client.get(INSTANCES, headers=token_headers("instances:read")).get_json()["items"]

    assert [item["id"] for item in items] == [open_case]


def test_scoped_token_lists_case(
        client: FlaskClient, confidential_case: int,
        token_headers: Callable[..., dict[str, str]]) -> None:
    items = client.get(INSTANCES, headers=token_headers(
        "instances:read", "confidential:read")).get_json()["items"]

    assert [item["id"] for item in items] == [confidential_case]


def test_unscoped_token_refused_history(
        client: FlaskClient, confidential_case: int,
        token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{INSTANCES}/{confidential_case}/history",
                          headers=token_headers("history:read"))

    assert_problem(response, 403, "forbidden")


def test_unscoped_token_refused_task(
        client: FlaskClient, demo_engine: ProcessEngine, confidential_case: int,
        token_headers: Callable[..., dict[str, str]]) -> None:
    task_id = _task_of(demo_engine, confidential_case)

    response = client.get(f"{TASKS}/{task_id}", headers=token_headers("tasks:read"))

    assert_problem(response, 403, "forbidden")


def test_unscoped_token_cannot_complete_task(
        client: FlaskClient, demo_engine: ProcessEngine, confidential_case: int,
        token_headers: Callable[..., dict[str, str]]) -> None:
    task_id = _task_of(demo_engine, confidential_case)

    response = client.post(f"{TASKS}/{task_id}/complete", json={"data": {}},
                           headers=token_headers("tasks:write", actor="fatima.ansatt"))

    assert_problem(response, 403, "forbidden")


def test_unscoped_token_list_omits_task(
        client: FlaskClient, confidential_case: int,
        token_headers: Callable[..., dict[str, str]]) -> None:
    items = client.get(TASKS, headers=token_headers("tasks:read")).get_json()["items"]

    assert items == []


def test_unit_leader_refused_case(
        session_of: Callable[[str], SessionCaller], confidential_case: int) -> None:
    response = session_of("lise.leder").get(f"{INSTANCES}/{confidential_case}")

    assert_problem(response, 403, "forbidden")


def test_reader_group_reads_variables(
        session_of: Callable[[str], SessionCaller], confidential_case: int) -> None:
    response = session_of("jonas.ansatt").get(f"{INSTANCES}/{confidential_case}/variables")

    assert response.status_code == 200
