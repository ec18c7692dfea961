"""/api/v1/instances: listing, reading, starting cases, their variables and history."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.api.conftest import REPORT_DATA, SessionCaller, assert_problem

INSTANCES = "/api/v1/instances"


def test_token_starts_case_as_its_actor(client: FlaskClient,
                                        token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(INSTANCES, json={"process": "avvik", "variables": REPORT_DATA},
                           headers=token_headers("instances:write", actor="ola.ansatt"))

    body = response.get_json()
    assert response.status_code == 201
    assert body["status"] == "running"
    assert [task["element_id"] for task in body["open_tasks"]] == ["VurderAvvik"]
    details = client.get(f"{INSTANCES}/{body['instance_id']}",
                         headers=token_headers("instances:read")).get_json()
    assert details["started_by"] == "ola.ansatt"


def test_start_keeps_given_business_key(client: FlaskClient,
                                        token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(INSTANCES, json={"process": "avvik", "variables": REPORT_DATA,
                                            "business_key": "ARKIV-2027-1"},
                           headers=token_headers("instances:write", actor="ola.ansatt"))

    assert response.get_json()["business_key"] == "ARKIV-2027-1"


def test_start_with_invalid_form_data_is_422(
        client: FlaskClient, token_headers: Callable[..., dict[str, str]]) -> None:
    variables = {**REPORT_DATA, "tittel": ""}

    response = client.post(INSTANCES, json={"process": "avvik", "variables": variables},
                           headers=token_headers("instances:write", actor="ola.ansatt"))

    body = assert_problem(response, 422, "form_invalid")
    assert "tittel" in body["errors"]
    assert body["detail"].startswith("Skjemaet har feil")


def test_start_unknown_process_is_404(client: FlaskClient,
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(INSTANCES, json={"process": "ukjent"},
                           headers=token_headers("instances:write"))

    assert_problem(response, 404, "definition_not_found")


def test_start_without_process_is_422(client: FlaskClient,
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(INSTANCES, json={"variables": {}, "ekstra": 1},
                           headers=token_headers("instances:write"))

    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"]["process"] == ["Feltet er påkrevd."]
    assert body["errors"]["ekstra"] == ["Ukjent felt."]


def test_start_by_signed_in_user(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("fatima.ansatt").post(
        INSTANCES, json={"process": "avvik", "variables": REPORT_DATA})

    assert response.status_code == 201


def test_token_lists_every_case(client: FlaskClient, report: Callable[..., int],
                                token_headers: Callable[..., dict[str, str]]) -> None:
    first, second = report(), report()

    response = client.get(INSTANCES, headers=token_headers("instances:read"))

    assert [item["id"] for item in response.get_json()["items"]] == [second, first]


def test_list_pages_with_cursor(client: FlaskClient, report: Callable[..., int],
                                token_headers: Callable[..., dict[str, str]]) -> None:
    ids = [report() for _ in range(3)]
    headers = token_headers("instances:read")

    first = client.get(f"{INSTANCES}?limit=2", headers=headers).get_json()
    second = client.get(f"{INSTANCES}?limit=2&cursor={first['next_cursor']}",
                        headers=headers).get_json()

    assert [item["id"] for item in first["items"]] == [ids[2], ids[1]]
    assert [item["id"] for item in second["items"]] == [ids[0]]
    assert second["next_cursor"] is None


def test_list_filters_by_business_key(client: FlaskClient, report: Callable[..., int],
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    report()
    wanted = report()
    headers = token_headers("instances:read")
    business_key = client.get(f"{INSTANCES}/{wanted}", headers=headers).get_json()[
        "business_key"]

    response = client.get(f"{INSTANCES}?business_key={business_key}&status=running"
                          "&process=avvik", headers=headers)

    assert [item["id"] for item in response.get_json()["items"]] == [wanted]


def test_list_rejects_bad_cursor(client: FlaskClient,
                                 token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{INSTANCES}?cursor=abc", headers=token_headers("instances:read"))

    body = assert_problem(response, 422, "invalid_request")
    assert list(body["errors"]) == ["cursor"]


def test_list_rejects_unknown_status(client: FlaskClient,
                                     token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{INSTANCES}?status=borte", headers=token_headers("instances:read"))

    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"]["status"][0].startswith("Må være en av:")


def test_user_lists_only_visible_cases(session_of: Callable[[str], SessionCaller],
                                       report: Callable[..., int]) -> None:
    instance_id = report()

    reporter = session_of("ola.ansatt").get(INSTANCES).get_json()["items"]
    leader = session_of("lise.leder").get(INSTANCES).get_json()["items"]
    outsider = session_of("erik.laerer").get(INSTANCES).get_json()["items"]

    assert [item["id"] for item in reporter] == [instance_id]
    assert [item["id"] for item in leader] == [instance_id]
    assert outsider == []


def test_details_show_tasks_and_audit(client: FlaskClient, report: Callable[..., int],
                                      token_headers: Callable[..., dict[str, str]]) -> None:
    instance_id = report()

    body = client.get(f"{INSTANCES}/{instance_id}",
                      headers=token_headers("instances:read")).get_json()

    assert body["process"] == "avvik"
    assert [task["element_id"] for task in body["open_tasks"]] == ["VurderAvvik"]
    assert body["audit"][0]["action"] == "instance_started"


def test_details_of_unknown_case_is_404(client: FlaskClient,
                                        token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{INSTANCES}/99999", headers=token_headers("instances:read"))

    body = assert_problem(response, 404, "instance_not_found")
    assert "99999" in body["detail"]


def test_outsider_may_not_read_case(session_of: Callable[[str], SessionCaller],
                                    report: Callable[..., int]) -> None:
    instance_id = report()

    response = session_of("erik.laerer").get(f"{INSTANCES}/{instance_id}")

    assert_problem(response, 403, "forbidden")


def test_variables_of_case(session_of: Callable[[str], SessionCaller],
                           report: Callable[..., int]) -> None:
    instance_id = report()

    response = session_of("lise.leder").get(f"{INSTANCES}/{instance_id}/variables")

    assert response.get_json()["variables"]["tittel"] == REPORT_DATA["tittel"]


def test_history_lists_events(client: FlaskClient, report: Callable[..., int],
                              token_headers: Callable[..., dict[str, str]]) -> None:
    instance_id = report()

    response = client.get(f"{INSTANCES}/{instance_id}/history",
                          headers=token_headers("history:read"))

    actions = [event["action"] for event in response.get_json()["items"]]
    assert actions[0] == "instance_started"
    assert "task_created" in actions


def test_history_of_unknown_case_is_404(client: FlaskClient,
                                        token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{INSTANCES}/99999/history", headers=token_headers("history:read"))

    assert_problem(response, 404, "instance_not_found")


def test_history_needs_history_scope(client: FlaskClient, report: Callable[..., int],
                                     token_headers: Callable[..., dict[str, str]]) -> None:
    instance_id = report()

    response = client.get(f"{INSTANCES}/{instance_id}/history",
                          headers=token_headers("instances:read"))

    assert_problem(response, 403, "forbidden")
