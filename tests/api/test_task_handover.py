"""/api/v1/tasks/<id>/delegate and /reassign: who may, to whom, and the problems returned."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.api.conftest import SessionCaller, assert_problem, open_task_id

TASKS = "/api/v1/tasks"


def claimed_task(engine: ProcessEngine, report: Callable[..., int], username: str) -> str:
    task_id = open_task_id(engine, report(), "VurderAvvik")
    engine.tasks.claim(task_id, username)
    return task_id


def test_delegate_returns_new_assignee(session_of: Callable[[str], SessionCaller],
                                       demo_engine: ProcessEngine,
                                       report: Callable[..., int]) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")

    response = session_of("lise.leder").post(f"{TASKS}/{task_id}/delegate",
                                             json={"assignee": "fatima.ansatt"})

    assert response.status_code == 200
    assert response.get_json()["assignee"] == "fatima.ansatt"


def test_delegate_to_outsider_is_422(session_of: Callable[[str], SessionCaller],
                                     demo_engine: ProcessEngine,
                                     report: Callable[..., int]) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")

    response = session_of("lise.leder").post(f"{TASKS}/{task_id}/delegate",
                                             json={"assignee": "erik.laerer"})

    body = assert_problem(response, 422, "delegate_not_eligible")
    assert "Erik Moen kan ikke ta oppgaven" in body["detail"]


def test_delegate_by_non_assignee_is_403(session_of: Callable[[str], SessionCaller],
                                         demo_engine: ProcessEngine,
                                         report: Callable[..., int]) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")

    response = session_of("lise.leder").post(f"{TASKS}/{task_id}/delegate",
                                             json={"assignee": "lise.leder"})

    assert_problem(response, 403, "not_assignee")


def test_delegate_without_assignee_is_422(session_of: Callable[[str], SessionCaller],
                                          demo_engine: ProcessEngine,
                                          report: Callable[..., int]) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")

    response = session_of("lise.leder").post(f"{TASKS}/{task_id}/delegate", json={})

    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"] == {"assignee": ["Feltet er påkrevd."]}


def test_token_delegates_as_its_actor(client: FlaskClient, demo_engine: ProcessEngine,
                                      report: Callable[..., int],
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")

    response = client.post(f"{TASKS}/{task_id}/delegate", json={"assignee": "fatima.ansatt"},
                           headers=token_headers("tasks:write", actor="lise.leder"))

    assert response.status_code == 200
    with demo_engine.transaction(read_only=True):
        events = demo_engine.history.events(demo_engine.tasks.get(task_id).instance_id)
    delegated = [event for event in events if event.action == "task_delegated"]
    assert [event.actor for event in delegated] == ["lise.leder"]
    assert delegated[0].details == {"previous": "lise.leder", "assignee": "fatima.ansatt"}


def test_leader_reassigns_task(session_of: Callable[[str], SessionCaller],
                               demo_engine: ProcessEngine,
                               report: Callable[..., int]) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")
    demo_engine.organisation.create_user("nils.ansatt", "Nils Nilsen", unit="sykehjem")

    response = session_of("lise.leder").post(f"{TASKS}/{task_id}/reassign",
                                             json={"assignee": "nils.ansatt"})

    assert response.status_code == 200
    assert response.get_json()["assignee"] == "nils.ansatt"


def test_reassign_by_employee_is_403(session_of: Callable[[str], SessionCaller],
                                     demo_engine: ProcessEngine,
                                     report: Callable[..., int]) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")

    response = session_of("fatima.ansatt").post(f"{TASKS}/{task_id}/reassign",
                                                json={"assignee": "ola.ansatt"})

    body = assert_problem(response, 403, "reassign_not_allowed")
    assert "Bare lederen for enheten til oppgaven" in body["detail"]


def test_reassign_to_unknown_user_is_422(session_of: Callable[[str], SessionCaller],
                                         demo_engine: ProcessEngine,
                                         report: Callable[..., int]) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")

    response = session_of("admin").post(f"{TASKS}/{task_id}/reassign",
                                        json={"assignee": "ingen.slik"})

    assert_problem(response, 422, "assignee_not_found")


def test_reassign_to_other_unit_is_422(session_of: Callable[[str], SessionCaller],
                                       demo_engine: ProcessEngine,
                                       report: Callable[..., int]) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")

    response = session_of("lise.leder").post(f"{TASKS}/{task_id}/reassign",
                                             json={"assignee": "per.leder"})

    body = assert_problem(response, 422, "reassign_target_not_eligible")
    assert body["detail"].startswith("Per Larsen kan ikke ta oppgaven «Vurder avvik».")


def test_openapi_lists_hand_over_operations(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert "post" in paths["/api/v1/tasks/{task_id}/delegate"]
    assert "post" in paths["/api/v1/tasks/{task_id}/reassign"]
