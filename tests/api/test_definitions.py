"""/api/v1/definitions: listing, reading and deploying processes."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.api.conftest import SessionCaller, assert_problem

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
DEFINITIONS = "/api/v1/definitions"

SIMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
<bpmn:process id="enkel" name="Enkel prosess" isExecutable="true">
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gjor" />
  <bpmn:userTask id="gjor" name="Gj\xc3\xb8r noe" camunda:candidateUsers="admin" />
  <bpmn:sequenceFlow id="f2" sourceRef="gjor" targetRef="slutt" />
  <bpmn:endEvent id="slutt" />
</bpmn:process></bpmn:definitions>"""

# A form reference that no deployed form satisfies, on line 7.
MISSING_FORM = SIMPLE.replace(b'camunda:candidateUsers="admin"',
                              b'camunda:candidateUsers="admin" camunda:formRef="finnes-ikke"')


def upload(*files: tuple[str, bytes], note: str | None = None) -> dict[str, object]:
    data: dict[str, object] = {"files": [(io.BytesIO(content), name) for name, content in files]}
    if note is not None:
        data["change_note"] = note
    return data


def test_list_shows_newest_versions(client: FlaskClient,
                                    token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(DEFINITIONS, headers=token_headers("definitions:read"))

    items = {item["key"]: item for item in response.get_json()["items"]}
    assert set(items) == {path.stem for path in BPMN_DIR.glob("*.bpmn")}
    assert items["avvik"]["version"] == 1


def test_get_names_start_form(client: FlaskClient,
                              token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{DEFINITIONS}/avvik", headers=token_headers("definitions:read"))

    assert response.status_code == 200
    assert response.get_json()["start_form"] == "avvik-meld"


def test_get_unknown_key_is_404(client: FlaskClient,
                                token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.get(f"{DEFINITIONS}/ukjent", headers=token_headers("definitions:read"))

    body = assert_problem(response, 404, "definition_not_found")
    assert body["title"] == "Finnes ikke"
    assert "ukjent" in body["detail"]


def test_employee_may_read_definitions(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("ola.ansatt").get(f"{DEFINITIONS}/avvik")

    assert response.status_code == 200


def test_process_owner_deploys(session_of: Callable[[str], SessionCaller],
                               demo_engine: ProcessEngine) -> None:
    response = session_of("paal.prosesseier").post(
        DEFINITIONS, data=upload(("enkel.bpmn", SIMPLE), note="Første versjon"),
        content_type="multipart/form-data")

    assert response.status_code == 201
    assert response.get_json()["deployed"] == [
        {"kind": "process", "key": "enkel", "version": 1, "name": "Enkel prosess",
         "changed": True}]
    with demo_engine.transaction(read_only=True):
        definition = demo_engine.repository.latest("enkel")
        assert definition.deployed_by == "paal.prosesseier"
        assert definition.change_note == "Første versjon"


def test_token_deploys_as_its_actor(client: FlaskClient, demo_engine: ProcessEngine,
                                    token_headers: Callable[..., dict[str, str]]) -> None:
    headers = token_headers("definitions:write", actor="paal.prosesseier")

    response = client.post(DEFINITIONS, data=upload(("enkel.bpmn", SIMPLE)),
                           headers=headers, content_type="multipart/form-data")

    assert response.status_code == 201
    with demo_engine.transaction(read_only=True):
        assert demo_engine.repository.latest("enkel").deployed_by == "paal.prosesseier"


def test_same_file_again_is_unchanged(session_of: Callable[[str], SessionCaller]) -> None:
    owner = session_of("paal.prosesseier")
    owner.post(DEFINITIONS, data=upload(("enkel.bpmn", SIMPLE)),
               content_type="multipart/form-data")

    response = owner.post(DEFINITIONS, data=upload(("enkel.bpmn", SIMPLE)),
                          content_type="multipart/form-data")

    assert response.get_json()["deployed"][0]["changed"] is False
    assert response.get_json()["deployed"][0]["version"] == 1


def test_invalid_definition_lists_problems(session_of: Callable[[str], SessionCaller]
                                           ) -> None:
    response = session_of("paal.prosesseier").post(
        DEFINITIONS, data=upload(("enkel.bpmn", MISSING_FORM), ("notat.txt", b"hei")),
        content_type="multipart/form-data")

    body = assert_problem(response, 422, "definition_invalid")
    problems = {problem["file"]: problem for problem in body["problems"]}
    assert body["title"] == "Ugyldige data"
    assert body["detail"] == "enkel.bpmn, notat.txt ble ikke publisert."
    assert problems["enkel.bpmn"]["element_id"] == "gjor"
    assert problems["enkel.bpmn"]["line"] == 7
    assert "finnes-ikke" in problems["enkel.bpmn"]["message"]
    assert problems["notat.txt"]["line"] is None


def test_deploy_without_files_is_422(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("paal.prosesseier").post(
        DEFINITIONS, data={"change_note": "tom"}, content_type="multipart/form-data")

    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"] == {"files": ["Feltet er påkrevd."]}


def test_employee_may_not_deploy(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("ola.ansatt").post(
        DEFINITIONS, data=upload(("enkel.bpmn", SIMPLE)), content_type="multipart/form-data")

    assert_problem(response, 403, "forbidden")


def test_process_owner_may_not_deploy_others_process(
        session_of: Callable[[str], SessionCaller]) -> None:
    budsjett = (BPMN_DIR / "budsjett.bpmn").read_bytes()

    response = session_of("paal.prosesseier").post(
        DEFINITIONS, data=upload(("budsjett.bpmn", budsjett)), content_type="multipart/form-data")

    assert_problem(response, 403, "not_process_owner")


def test_owner_group_member_deploys_avvik(session_of: Callable[[str], SessionCaller]) -> None:
    text = (BPMN_DIR / "avvik.bpmn").read_text(encoding="utf-8")
    avvik = text.replace('name="Avvikshåndtering"', 'name="Avvik"').encode()

    response = session_of("paal.prosesseier").post(
        DEFINITIONS, data=upload(("avvik.bpmn", avvik)), content_type="multipart/form-data")

    assert response.status_code == 201, response.get_data(as_text=True)


def test_token_without_write_scope_may_not_deploy(
        client: FlaskClient, token_headers: Callable[..., dict[str, str]]) -> None:
    response = client.post(DEFINITIONS, data=upload(("enkel.bpmn", SIMPLE)),
                           headers=token_headers("definitions:read"),
                           content_type="multipart/form-data")

    assert_problem(response, 403, "forbidden")
