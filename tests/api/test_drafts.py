"""The modeler's endpoints: drafts, validation, versions, diffs and pick lists, called with the
web session and its CSRF header, as the modeler page calls them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.api.conftest import SessionCaller, assert_problem

ROOT = Path(__file__).resolve().parents[2]
AVVIK = (ROOT / "bpmn" / "avvik.bpmn").read_text(encoding="utf-8")
HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')
SIMPLE = (HEADER + '<bpmn:process id="ny" name="Ny prosess" isExecutable="true">\n'
          '<bpmn:startEvent id="start" />\n'
          '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="oppgave" />\n'
          '<bpmn:userTask id="oppgave" name="Gjør noe" '
          'camunda:candidateGroups="personvernombud" />\n'
          '<bpmn:sequenceFlow id="f2" sourceRef="oppgave" targetRef="slutt" />\n'
          '<bpmn:endEvent id="slutt" />\n</bpmn:process>\n</bpmn:definitions>\n')


def send(session: SessionCaller, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"X-CSRFToken": session.csrf, **kwargs.pop("headers", {})}
    return session.client.open(path, method=method, headers=headers, **kwargs)


def create(session: SessionCaller, xml: str = SIMPLE, **extra: Any) -> dict[str, Any]:
    response = session.post("/api/v1/drafts", json={"bpmn_xml": xml, **extra})
    assert response.status_code == 201, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def test_owner_creates_a_draft_of_avvik(session_of: Callable[[str], SessionCaller]) -> None:
    body = create(session_of("paal.prosesseier"), AVVIK)

    assert (body["process_key"], body["author"], body["base_version"]) == (
        "avvik", "paal.prosesseier", 1)


def test_non_owner_gets_403_in_bokmal(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("ola.ansatt").post("/api/v1/drafts", json={"bpmn_xml": AVVIK})

    body = assert_problem(response, 403, "not_process_owner")
    assert body["detail"] == ("Du kan ikke endre prosessen avvik. Den eies av gruppene Kvalitet "
                              "og internkontroll. Spør en av dem eller en administrator.")


def test_non_owner_may_not_list_drafts(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("hanne.hr").get("/api/v1/drafts?process=avvik")

    assert_problem(response, 403, "not_process_owner")


def test_admin_lists_drafts_of_a_process(session_of: Callable[[str], SessionCaller]) -> None:
    created = create(session_of("paal.prosesseier"), AVVIK, label="Ny frist")

    response = session_of("admin").get("/api/v1/drafts?process=avvik")

    assert [(item["id"], item["label"]) for item in response.get_json()["items"]] == [
        (created["id"], "Ny frist")]


def test_draft_lifecycle(session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")
    draft_id = create(session)["id"]

    updated = send(session, "PUT", f"/api/v1/drafts/{draft_id}",
                   json={"bpmn_xml": SIMPLE.replace("Gjør noe", "Gjør mer"), "label": "V1"})
    deployed = session.post(f"/api/v1/drafts/{draft_id}/deploy",
                            json={"change_note": "Første versjon"})
    deleted = send(session, "DELETE", f"/api/v1/drafts/{draft_id}")
    gone = session.get(f"/api/v1/drafts/{draft_id}")

    assert updated.get_json()["label"] == "V1"
    assert deployed.get_json()["deployed_version"] == 1
    assert deleted.status_code == 204
    assert_problem(gone, 404, "draft_not_found")


def test_other_user_may_not_change_a_draft(
        session_of: Callable[[str], SessionCaller]) -> None:
    admin = session_of("admin")
    draft_id = create(admin, SIMPLE.replace(
        'isExecutable="true">', 'isExecutable="true"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="ownerGroups" value="okonomi" /></camunda:properties>'
        '</bpmn:extensionElements>'))["id"]
    admin.post(f"/api/v1/drafts/{draft_id}/deploy", json={"change_note": "Første versjon"})

    response = send(session_of("paal.prosesseier"), "DELETE", f"/api/v1/drafts/{draft_id}")

    assert_problem(response, 403, "not_draft_editor")


def test_deploy_without_change_note_is_refused(
        session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")
    draft_id = create(session)["id"]

    response = session.post(f"/api/v1/drafts/{draft_id}/deploy", json={"change_note": " "})

    assert_problem(response, 422, "change_note_missing")


def test_deploy_with_errors_lists_element_ids(
        session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")
    draft_id = create(session, SIMPLE.replace(' camunda:candidateGroups="personvernombud"',
                                              ""))["id"]

    response = session.post(f"/api/v1/drafts/{draft_id}/deploy", json={"change_note": "Ny"})

    body = assert_problem(response, 422, "definition_invalid")
    assert [problem["element_id"] for problem in body["problems"]] == ["oppgave"]


def test_validate_returns_errors_and_warnings(
        session_of: Callable[[str], SessionCaller]) -> None:
    broken = SIMPLE.replace(' camunda:candidateGroups="personvernombud"',
                            ' camunda:formKey="gammelt"')

    response = session_of("paal.prosesseier").post("/api/v1/definitions/validate",
                                                   json={"bpmn_xml": broken})

    body = response.get_json()
    assert body["valid"] is False
    assert [(item["kind"], item["element_id"]) for item in body["errors"]] == [
        ("model", "oppgave")]
    assert [(item["kind"], item["element_id"]) for item in body["warnings"]] == [
        ("reference", "oppgave")]


def test_versions_diff_and_xml(session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")
    draft_id = create(session)["id"]
    session.post(f"/api/v1/drafts/{draft_id}/deploy", json={"change_note": "Første"})
    send(session, "PUT", f"/api/v1/drafts/{draft_id}",
         json={"bpmn_xml": SIMPLE.replace("Gjør noe", "Gjør mer")})
    session.post(f"/api/v1/drafts/{draft_id}/deploy", json={"change_note": "Nytt navn"})

    versions = session.get("/api/v1/definitions/ny/versions").get_json()["items"]
    diff = session.get("/api/v1/definitions/ny/versions/1/diff/2").get_json()
    xml = session.get("/api/v1/definitions/ny/versions/1/xml")

    assert [(v["version"], v["change_note"]) for v in versions] == [
        (2, "Nytt navn"), (1, "Første")]
    assert diff["changed"] == [{"id": "oppgave", "type": "userTask", "name": "Gjør mer",
                                "changes": [{"field": "name", "before": "Gjør noe",
                                             "after": "Gjør mer"}]}]
    assert xml.get_data(as_text=True) == SIMPLE
    assert xml.headers["Content-Disposition"] == 'attachment; filename="ny-v1.bpmn"'


def test_unknown_version_is_404(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("ola.ansatt").get("/api/v1/definitions/avvik/versions/9/xml")

    assert_problem(response, 404, "version_not_found")


def test_pick_lists(session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")

    topics = session.get("/api/v1/handlers/topics").get_json()["items"]
    forms = {item["id"]: item for item in session.get("/api/v1/forms").get_json()["items"]}
    groups = [item["key"] for item in session.get("/api/v1/groups").get_json()["items"]]

    assert "avvik.varsle-melder" in topics
    assert "avvik-meld" in forms
    assert "kvalitet" in groups


def test_session_call_without_csrf_header_is_refused(
        session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")

    response = session.client.post("/api/v1/drafts", json={"bpmn_xml": SIMPLE})

    assert_problem(response, 400, "csrf_failed")


def test_cross_site_request_is_refused(session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")
    draft_id = create(session)["id"]

    response = session.client.delete(f"/api/v1/drafts/{draft_id}",
                                     headers={"Origin": "https://angriper.example"})

    assert_problem(response, 400, "csrf_failed")


def test_anonymous_caller_gets_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/drafts?process=avvik")

    assert response.status_code == 401
