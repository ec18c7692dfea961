"""/api/v1/tasks: task lists, one task, claiming, putting back and completing."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.api.conftest import REPORT_DATA, SessionCaller, assert_problem, open_task_id

TASKS = "/api/v1/tasks"
ACCEPT = {"beslutning": "godta", "alvorlighetsgrad": "Middels"}


def assessment(demo_engine: ProcessEngine, report: Callable[..., int]) -> str:
    """Report a deviation and return its first task, offered to the nursing home."""
    return open_task_id(demo_engine, report(), "VurderAvvik")


def ids(response: object) -> list[str]:
    return [item["id"] for item in response.get_json()["items"]]  # type: ignore[attr-defined]


def test_group_view_lists_offered_task(session_of: Callable[[str], SessionCaller],
                                       demo_engine: ProcessEngine,
                                       report: Callable[..., int]) -> None:
    task_id = assessment(demo_engine, report)
    fatima = session_of("fatima.ansatt")

    assert ids(fatima.get(f"{TASKS}?view=group")) == [task_id]
    assert ids(fatima.get(TASKS)) == []


def test_user_list_pages_with_cursor(session_of: Callable[[str], SessionCaller],
                                     demo_engine: ProcessEngine,
                                     report: Callable[..., int]) -> None:
    first, second = assessment(demo_engine, report), assessment(demo_engine, report)
    fatima = session_of("fatima.ansatt")

    page = fatima.get(f"{TASKS}?view=group&limit=1").get_json()
    rest = fatima.get(f"{TASKS}?view=group&limit=1&cursor={page['next_cursor']}").get_json()

    assert sorted(item["id"] for item in page["items"] + rest["items"]) == sorted(
        [first, second])
    assert rest["next_cursor"] is None


def test_all_view_is_for_administrators(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("fatima.ansatt").get(f"{TASKS}?view=all")

    assert_problem(response, 403, "administrators_only")


def test_user_may_not_use_token_filters(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("fatima.ansatt").get(f"{TASKS}?assignee=lise.leder")

    body = assert_problem(response, 422, "invalid_input")
    assert "assignee" in body["detail"]


def test_token_filters_by_candidate_group(client: FlaskClient, demo_engine: ProcessEngine,
                                          report: Callable[..., int],
                                          token_headers: Callable[..., dict[str, str]]) -> None:
    task_id = assessment(demo_engine, report)
    headers = token_headers("tasks:read")

    offered = client.get(f"{TASKS}?candidate_group=behandler@sykehjem", headers=headers)
    elsewhere = client.get(f"{TASKS}?candidate_group=behandler@hjemmetjenesten",
                           headers=headers)

    assert ids(offered) == [task_id]
    assert ids(elsewhere) == []


def test_token_filters_by_assignee(client: FlaskClient, demo_engine: ProcessEngine,
                                   report: Callable[..., int],
                                   token_headers: Callable[..., dict[str, str]]) -> None:
    task_id = assessment(demo_engine, report)
    demo_engine.tasks.claim(task_id, "lise.leder")

    response = client.get(f"{TASKS}?assignee=lise.leder", headers=token_headers("tasks:read"))

    assert ids(response) == [task_id]


def test_token_may_not_use_view(client: FlaskClient,
                                token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{TASKS}?view=mine", headers=token_headers("tasks:read"))

    assert_problem(response, 422, "invalid_input")


def test_get_task_with_variables(session_of: Callable[[str], SessionCaller],
                                 demo_engine: ProcessEngine,
                                 report: Callable[..., int]) -> None:
    task_id = assessment(demo_engine, report)

    body = session_of("lise.leder").get(f"{TASKS}/{task_id}").get_json()

    assert body["name"] == "Vurder avvik"
    assert body["form"] == "avvik-vurder"
    assert body["variables"]["tittel"] == REPORT_DATA["tittel"]


def test_outsider_may_not_read_task(session_of: Callable[[str], SessionCaller],
                                    demo_engine: ProcessEngine,
                                    report: Callable[..., int]) -> None:
    task_id = assessment(demo_engine, report)

    response = session_of("erik.laerer").get(f"{TASKS}/{task_id}")

    assert_problem(response, 403, "forbidden")


def test_unknown_task_is_404_for_token(client: FlaskClient,
                                       token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{TASKS}/finnes-ikke", headers=token_headers("tasks:read"))

    assert_problem(response, 404, "task_not_found")


def test_claim_and_unclaim(session_of: Callable[[str], SessionCaller],
                           demo_engine: ProcessEngine, report: Callable[..., int]) -> None:
    task_id = assessment(demo_engine, report)
    lise = session_of("lise.leder")

    claimed = lise.post(f"{TASKS}/{task_id}/claim")
    mine = lise.get(TASKS)
    put_back = lise.post(f"{TASKS}/{task_id}/unclaim")

    assert claimed.get_json()["assignee"] == "lise.leder"
    assert ids(mine) == [task_id]
    assert put_back.get_json()["assignee"] is None


def test_claim_of_claimed_task_is_409(session_of: Callable[[str], SessionCaller],
                                      demo_engine: ProcessEngine,
                                      report: Callable[..., int]) -> None:
    task_id = assessment(demo_engine, report)
    demo_engine.tasks.claim(task_id, "lise.leder")

    response = session_of("fatima.ansatt").post(f"{TASKS}/{task_id}/claim")

    body = assert_problem(response, 409, "task_already_claimed")
    assert body["title"] == "Konflikt"
    assert "Lise Johansen" in body["detail"]


def test_complete_runs_case_on(session_of: Callable[[str], SessionCaller],
                               demo_engine: ProcessEngine, report: Callable[..., int]) -> None:
    task_id = assessment(demo_engine, report)

    response = session_of("fatima.ansatt").post(f"{TASKS}/{task_id}/complete",
                                                json={"variables": ACCEPT})

    body = response.get_json()
    assert response.status_code == 200
    assert body["task_id"] == task_id
    assert [task["element_id"] for task in body["open_tasks"]] == ["Strakstiltak"]


def test_complete_with_invalid_values_is_422(session_of: Callable[[str], SessionCaller],
                                             demo_engine: ProcessEngine,
                                             report: Callable[..., int]) -> None:
    task_id = assessment(demo_engine, report)

    response = session_of("fatima.ansatt").post(f"{TASKS}/{task_id}/complete",
                                                json={"variables": {}})

    body = assert_problem(response, 422, "form_invalid")
    assert "beslutning" in body["errors"]
    with demo_engine.transaction(read_only=True):
        assert demo_engine.tasks.get(task_id).state == "open"


def test_complete_twice_is_409(session_of: Callable[[str], SessionCaller],
                               demo_engine: ProcessEngine, report: Callable[..., int]) -> None:
    task_id = assessment(demo_engine, report)
    fatima = session_of("fatima.ansatt")
    fatima.post(f"{TASKS}/{task_id}/complete", json={"variables": ACCEPT})

    response = fatima.post(f"{TASKS}/{task_id}/complete", json={"variables": ACCEPT})

    assert_problem(response, 409, "task_already_completed")


def test_token_completes_as_its_actor(client: FlaskClient, demo_engine: ProcessEngine,
                                      report: Callable[..., int],
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    task_id = assessment(demo_engine, report)

    response = client.post(f"{TASKS}/{task_id}/complete", json={"variables": ACCEPT},
                           headers=token_headers("tasks:write", actor="fatima.ansatt"))

    assert response.status_code == 200
    with demo_engine.transaction(read_only=True):
        task = demo_engine.tasks.get(task_id)
        events = demo_engine.history.events(task.instance_id)
    assert task.completed_by == "fatima.ansatt"
    assert [event.actor for event in events if event.action == "task_completed"] == [
        "fatima.ansatt"]


def test_token_actor_must_be_candidate(client: FlaskClient, demo_engine: ProcessEngine,
                                       report: Callable[..., int],
                                       token_headers: Callable[..., dict[str, str]]) -> None:
    task_id = assessment(demo_engine, report)

    response = client.post(f"{TASKS}/{task_id}/complete", json={"variables": ACCEPT},
                           headers=token_headers("tasks:write", actor="erik.laerer"))

    assert_problem(response, 403, "not_a_candidate")


def test_token_without_write_scope_may_not_complete(
        client: FlaskClient, demo_engine: ProcessEngine, report: Callable[..., int],
        token_headers: Callable[..., dict[str, str]]) -> None:
    task_id = assessment(demo_engine, report)

    response = client.post(f"{TASKS}/{task_id}/complete", json={"variables": ACCEPT},
                           headers=token_headers("tasks:read", actor="fatima.ansatt"))

    assert_problem(response, 403, "forbidden")
