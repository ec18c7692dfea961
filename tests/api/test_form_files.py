"""The form editor's endpoints: a deployed .form file, checking an uploaded one, and forms kept
as file text in a draft, deployed and downloaded byte for byte."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.api.conftest import SessionCaller, assert_problem

ROOT = Path(__file__).resolve().parents[2]
AVVIK = (ROOT / "bpmn" / "avvik.bpmn").read_text(encoding="utf-8")
VURDER = (ROOT / "forms" / "avvik-vurder.form").read_bytes()


def vurder_with(**extra_field: Any) -> str:
    """avvik-vurder as Camunda Modeler writes it (tabs, no final newline), with one more field."""
    schema = json.loads(VURDER)
    schema["components"].append({"type": "textfield", "id": "Field_ny", **extra_field})
    return json.dumps(schema, ensure_ascii=False, indent="\t")


def vurder_without(key: str) -> dict[str, Any]:
    schema = json.loads(VURDER)
    schema["components"] = [item for item in schema["components"] if item.get("key") != key]
    return schema


def check(session: SessionCaller, source: str, **extra: Any) -> dict[str, Any]:
    response = session.post("/api/v1/forms/check", json={"source": source, **extra})
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def test_download_gives_deployed_bytes(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("paal.prosesseier").get("/api/v1/forms/avvik-vurder/file")

    assert response.get_data() == VURDER


def test_download_names_the_file(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("paal.prosesseier").get("/api/v1/forms/avvik-vurder/file")

    assert response.headers["Content-Disposition"] == "attachment; filename=avvik-vurder.form"


def test_form_gives_version_and_source(session_of: Callable[[str], SessionCaller]) -> None:
    body = session_of("paal.prosesseier").get("/api/v1/forms/avvik-vurder").get_json()

    assert (body["version"], body["source"]) == (1, VURDER.decode("utf-8"))


def test_unknown_form_is_404(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("paal.prosesseier").get("/api/v1/forms/finnes-ikke")

    assert_problem(response, 404, "form_not_found")


def test_check_lists_written_fields(session_of: Callable[[str], SessionCaller]) -> None:
    body = check(session_of("paal.prosesseier"), vurder_with(key="merknad", label="Merknad"))

    assert "merknad" in body["fields"]


def test_check_refuses_bad_json(session_of: Callable[[str], SessionCaller]) -> None:
    body = check(session_of("paal.prosesseier"), '{"id": "x", "components": [')

    assert body["errors"][0]["message"].startswith("Fila er ikke gyldig JSON")


def test_check_refuses_missing_id(session_of: Callable[[str], SessionCaller]) -> None:
    body = check(session_of("paal.prosesseier"), '{"components": []}')

    assert body["errors"][0]["message"].startswith("Skjemaet mangler id")


def test_check_refuses_a_key_used_twice(session_of: Callable[[str], SessionCaller]) -> None:
    body = check(session_of("paal.prosesseier"), vurder_with(key="beslutning", label="Igjen"))

    assert "beslutning brukes av flere felt" in body["errors"][0]["message"]


def test_check_refuses_unsupported_type(session_of: Callable[[str], SessionCaller]) -> None:
    source = '{"id": "x", "components": [{"type": "filepicker", "id": "f", "key": "fil"}]}'

    body = check(session_of("paal.prosesseier"), source)

    assert "filepicker støttes ikke" in body["errors"][0]["message"]


def test_check_refuses_another_form_id(session_of: Callable[[str], SessionCaller]) -> None:
    body = check(session_of("paal.prosesseier"), VURDER.decode("utf-8"), form_id="avvik-meld")

    assert body["errors"][0]["message"] == (
        "Fila er skjemaet avvik-vurder, ikke avvik-meld. Last den opp som et nytt skjema, "
        "eller gi den id-en avvik-meld.")


def test_draft_keeps_form_text(session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")
    text = vurder_with(key="merknad", label="Merknad")
    created = session.post("/api/v1/drafts", json={
        "bpmn_xml": AVVIK, "forms": {"avvik-vurder": text}}).get_json()

    draft = session.get(f"/api/v1/drafts/{created['id']}").get_json()

    assert draft["forms"] == {"avvik-vurder": text}


def test_deploy_keeps_uploaded_bytes(session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")
    text = vurder_with(key="merknad", label="Merknad")
    created = session.post("/api/v1/drafts", json={
        "bpmn_xml": AVVIK, "forms": {"avvik-vurder": text}}).get_json()
    session.post(f"/api/v1/drafts/{created['id']}/deploy", json={"change_note": "Merknad"})

    response = session.get("/api/v1/forms/avvik-vurder/file")

    assert response.get_data() == text.encode("utf-8")


def test_deploy_makes_a_new_form_version(session_of: Callable[[str], SessionCaller]) -> None:
    session = session_of("paal.prosesseier")
    created = session.post("/api/v1/drafts", json={
        "bpmn_xml": AVVIK,
        "forms": {"avvik-vurder": vurder_with(key="merknad", label="Merknad")}}).get_json()
    session.post(f"/api/v1/drafts/{created['id']}/deploy", json={"change_note": "Merknad"})

    body = session.get("/api/v1/forms/avvik-vurder").get_json()

    assert body["version"] == 2


def test_non_owner_may_not_save_forms(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("ola.ansatt").post("/api/v1/drafts", json={
        "bpmn_xml": AVVIK, "forms": {"avvik-vurder": vurder_with(key="merknad")}})

    assert_problem(response, 403, "not_process_owner")


def test_draft_refuses_a_number_as_form(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("paal.prosesseier").post("/api/v1/drafts", json={
        "bpmn_xml": AVVIK, "forms": {"avvik-vurder": 7}})

    assert response.status_code == 422


def test_validate_flags_a_removed_field(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("paal.prosesseier").post("/api/v1/definitions/validate", json={
        "bpmn_xml": AVVIK,
        "forms": {"avvik-vurder": json.dumps(vurder_without("beslutning"), indent=2)}})

    flagged = [item["message"] for item in response.get_json()["warnings"]
               if item["kind"] == "condition_field"]
    assert any("beslutning" in message for message in flagged)


def test_validate_reports_broken_form_text(session_of: Callable[[str], SessionCaller]) -> None:
    response = session_of("paal.prosesseier").post("/api/v1/definitions/validate", json={
        "bpmn_xml": AVVIK, "forms": {"avvik-vurder": '{"id": "avvik-vurder", '}})

    assert [item["file"] for item in response.get_json()["errors"]] == ["avvik-vurder.form"]
