"""/api/v1/instances/...: administrators hold, resume, cancel, edit, move and migrate cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.api.conftest import SessionCaller, assert_problem, open_task_id
from tests.engine.services.test_admin_actions import line

INSTANCES = "/api/v1/instances"
REASON = {"reason": "Saken sto fast"}


def deploy_line(engine: ProcessEngine, steps: list[str]) -> int:
    engine.repository.deploy([("linje.bpmn", line("linje", steps))], actor="admin")
    with engine.transaction(read_only=True):
        return engine.repository.latest("linje").id


@pytest.fixture
def case(demo_engine: ProcessEngine) -> int:
    deploy_line(demo_engine, ["a", "b"])
    return demo_engine.runtime.start("linje", "admin", {"belop": 100}).instance_id


def status(engine: ProcessEngine, instance_id: int) -> str:
    with engine.transaction(read_only=True):
        return engine.runtime.instance(instance_id).status


def test_suspend_and_resume(session_of: Callable[[str], SessionCaller],
                            demo_engine: ProcessEngine, case: int) -> None:
    admin = session_of("admin")

    suspended = admin.post(f"{INSTANCES}/{case}/suspend", json=REASON)
    held = status(demo_engine, case)
    resumed = admin.post(f"{INSTANCES}/{case}/resume", json=REASON)

    assert suspended.get_json()["status"] == "suspended"
    assert held == "suspended"
    assert resumed.get_json() == {"instance_id": case, "status": "running",
                                  "case_status": None}


def test_employee_may_not_suspend(session_of: Callable[[str], SessionCaller],
                                  demo_engine: ProcessEngine, case: int) -> None:
    response = session_of("ola.ansatt").post(f"{INSTANCES}/{case}/suspend", json=REASON)

    assert_problem(response, 403, "forbidden")
    assert status(demo_engine, case) == "running"


def test_token_acting_as_employee_is_403(client: FlaskClient, case: int,
                                         token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(f"{INSTANCES}/{case}/terminate", json=REASON,
                           headers=token_headers("instances:admin", actor="ola.ansatt"))

    assert_problem(response, 403, "administrators_only")


def test_blank_reason_is_422(session_of: Callable[[str], SessionCaller], case: int) -> None:
    response = session_of("admin").post(f"{INSTANCES}/{case}/terminate",
                                        json={"reason": "  "})

    body = assert_problem(response, 422, "reason_required")
    assert "Skriv hvorfor" in body["detail"]


def test_terminate_ends_case(client: FlaskClient, demo_engine: ProcessEngine, case: int,
                             token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(f"{INSTANCES}/{case}/terminate", json=REASON,
                           headers=token_headers("instances:admin"))

    assert response.get_json()["status"] == "terminated"
    with demo_engine.transaction(read_only=True):
        assert demo_engine.tasks.open_tasks_of_instance(case) == []


def test_set_variable(session_of: Callable[[str], SessionCaller],
                      demo_engine: ProcessEngine, case: int) -> None:
    admin = session_of("admin")

    response = admin.client.put(f"{INSTANCES}/{case}/variables/belop",
                                json={**REASON, "value": {"kroner": 250}},
                                headers={"X-CSRFToken": admin.csrf})

    assert response.get_json() == {"instance_id": case, "name": "belop"}
    assert demo_engine.runtime.variables(case)["belop"] == {"kroner": 250}


def test_internal_variable_is_422(session_of: Callable[[str], SessionCaller],
                                  case: int) -> None:
    admin = session_of("admin")

    response = admin.client.put(f"{INSTANCES}/{case}/variables/_intern",
                                json={**REASON, "value": 1},
                                headers={"X-CSRFToken": admin.csrf})

    assert_problem(response, 422, "variable_not_editable")


def test_move_back(session_of: Callable[[str], SessionCaller],
                   demo_engine: ProcessEngine, case: int) -> None:
    demo_engine.tasks.complete(open_task_id(demo_engine, case, "a"), "admin", {})

    response = session_of("admin").post(f"{INSTANCES}/{case}/move",
                                         json={**REASON, "element_id": "a"})

    assert response.status_code == 200
    assert open_task_id(demo_engine, case, "a")


def test_move_to_unreached_task_is_409(session_of: Callable[[str], SessionCaller],
                                       case: int) -> None:
    response = session_of("admin").post(f"{INSTANCES}/{case}/move",
                                         json={**REASON, "element_id": "b"})

    body = assert_problem(response, 409, "move_back_not_possible")
    assert "ikke fullført" in body["detail"]


def test_migrate(session_of: Callable[[str], SessionCaller],
                 demo_engine: ProcessEngine, case: int) -> None:
    newer = deploy_line(demo_engine, ["a", "ny", "b"])

    response = session_of("admin").post(f"{INSTANCES}/{case}/migrate",
                                        json={**REASON, "definition_id": newer})

    assert response.get_json()["definition_id"] == newer
    assert response.get_json()["version"] == 2


def test_migrate_past_removed_step_is_409(session_of: Callable[[str], SessionCaller],
                                          demo_engine: ProcessEngine, case: int) -> None:
    newer = deploy_line(demo_engine, ["x", "b"])

    response = session_of("admin").post(f"{INSTANCES}/{case}/migrate",
                                        json={**REASON, "definition_id": newer})

    body = assert_problem(response, 409, "migration_not_possible")
    assert "hindrer det: Steg a." in body["detail"]


def test_batch_reports_each_case(session_of: Callable[[str], SessionCaller],
                                 demo_engine: ProcessEngine, case: int) -> None:
    other = demo_engine.runtime.start("linje", "admin", {}).instance_id
    admin = session_of("admin")
    admin.post(f"{INSTANCES}/{other}/terminate", json=REASON)

    response = admin.post(f"{INSTANCES}/batch", json={
        **REASON, "action": "suspend", "instance_ids": [case, other, 99999]})

    items = response.get_json()["items"]
    assert [item["ok"] for item in items] == [True, False, False]
    assert items[1]["code"] == "instance_not_running"
    assert items[2]["code"] == "instance_not_found"
    assert status(demo_engine, case) == "suspended"


def test_administrator_reassigns_with_reason(session_of: Callable[[str], SessionCaller],
                                             demo_engine: ProcessEngine, case: int) -> None:
    task_id = open_task_id(demo_engine, case, "a")

    response = session_of("admin").post(f"/api/v1/tasks/{task_id}/reassign",
                                        json={**REASON, "assignee": "ola.ansatt"})

    assert response.get_json()["assignee"] == "ola.ansatt"
    with demo_engine.transaction(read_only=True):
        actions = [event.action for event in demo_engine.history.events(case)]
    assert "task_reassigned_by_administrator" in actions


def test_routes_are_in_openapi(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    for path in ("/api/v1/instances/{instance_id}/suspend",
                 "/api/v1/instances/{instance_id}/resume",
                 "/api/v1/instances/{instance_id}/terminate",
                 "/api/v1/instances/{instance_id}/variables/{name}",
                 "/api/v1/instances/{instance_id}/move",
                 "/api/v1/instances/{instance_id}/migrate",
                 "/api/v1/instances/batch"):
        assert path in paths, path
