"""The forms of the administrator actions on the instance page and the instance list."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.web.conftest import open_task_id
from tests.web.operations_helpers import NO_HANDLER, ONE_TASK, failing_handler
from tests.web.test_admin_pages import listed_ids

Login = Callable[[str], FlaskClient]


@pytest.fixture
def admin_engine(demo_engine: ProcessEngine) -> ProcessEngine:
    demo_engine.handlers.register("test.feiler", failing_handler)
    demo_engine.repository.deploy([("enkel.bpmn", ONE_TASK.encode()),
                                   ("feiler.bpmn", NO_HANDLER.encode())])
    return demo_engine


@pytest.fixture
def admin(app: Any, admin_engine: ProcessEngine, login_as: Login) -> FlaskClient:
    return login_as("admin")


def status_of(engine: ProcessEngine, instance_id: int) -> str:
    with engine.transaction(read_only=True):
        return engine.runtime.instance(instance_id).status


def test_suspend_with_reason(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id

    response = admin.post(f"/admin/saker/{instance_id}/handling",
                          data={"handling": "pause", "begrunnelse": "Venter på svar."})

    assert response.status_code == 302
    assert status_of(admin_engine, instance_id) == "suspended"


def test_missing_reason_keeps_input(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id

    response = admin.post(f"/admin/saker/{instance_id}/handling",
                          data={"handling": "variabel", "begrunnelse": " ",
                                "navn": "belop", "verdi": "125"})
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "Skriv hvorfor du gjør endringen" in html
    assert 'value="belop"' in html
    assert ">125</textarea>" in html
    assert status_of(admin_engine, instance_id) == "running"


def test_set_variable_form(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id

    response = admin.post(f"/admin/saker/{instance_id}/handling",
                          data={"handling": "variabel", "begrunnelse": "Rett beløp.",
                                "navn": "belop", "verdi": "125"})

    assert response.status_code == 302
    assert admin_engine.runtime.variables(instance_id)["belop"] == 125


def test_reassign_form(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id
    task_id = open_task_id(admin_engine, instance_id, "gjor")

    response = admin.post(f"/admin/saker/{instance_id}/handling",
                          data={"handling": "tildel", "begrunnelse": "Ferie.",
                                "oppgave": task_id, "bruker": "lise.leder"})

    assert response.status_code == 302
    with admin_engine.transaction(read_only=True):
        assert admin_engine.tasks.get(task_id).assignee == "lise.leder"


def test_retry_without_change_is_rejected(admin_engine: ProcessEngine,
                                          admin: FlaskClient) -> None:
    instance_id = admin_engine.runtime.start("feiler", "admin", {}).instance_id
    admin_engine.management.run_due()
    with admin_engine.transaction(read_only=True):
        incident_id = admin_engine.management.incidents(instance_id)[0].id

    response = admin.post(f"/admin/saker/{instance_id}/handling",
                          data={"handling": "prov-igjen", "begrunnelse": "Prøv igjen.",
                                "feil": str(incident_id)})

    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    with admin_engine.transaction(read_only=True):
        assert len(admin_engine.management.incidents(instance_id)) == 1


def test_unknown_action_gives_message(admin_engine: ProcessEngine,
                                      admin: FlaskClient) -> None:
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id

    response = admin.post(f"/admin/saker/{instance_id}/handling",
                          data={"handling": "slett", "begrunnelse": "Test."})

    assert response.status_code == 400
    assert "Handlingen slett finnes ikke" in response.get_data(as_text=True)


def test_employee_cannot_post_action(admin_engine: ProcessEngine, login_as: Login) -> None:
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id

    response = login_as("ola.ansatt").post(f"/admin/saker/{instance_id}/handling",
                                           data={"handling": "pause", "begrunnelse": "x"})

    assert response.status_code == 403
    assert status_of(admin_engine, instance_id) == "running"


def test_batch_suspends_selected(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    first = admin_engine.runtime.start("enkel", "admin", {}).instance_id
    second = admin_engine.runtime.start("enkel", "admin", {}).instance_id
    other = admin_engine.runtime.start("enkel", "admin", {}).instance_id

    response = admin.post("/admin/saker/samlet", data={
        "handling": "pause", "begrunnelse": "Vedlikehold.",
        "instans": [str(first), str(second)], "tilbake": "/admin/saker?prosess=enkel"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/saker?prosess=enkel"
    assert status_of(admin_engine, first) == "suspended"
    assert status_of(admin_engine, second) == "suspended"
    assert status_of(admin_engine, other) == "running"


def test_batch_without_selection(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    response = admin.post("/admin/saker/samlet", data={
        "handling": "pause", "begrunnelse": "Vedlikehold."}, follow_redirects=True)

    assert "Velg minst én instans i listen." in response.get_data(as_text=True)


def test_instance_page_offers_actions(admin_engine: ProcessEngine,
                                      admin: FlaskClient) -> None:
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id

    html = admin.get(f"/admin/saker/{instance_id}").get_data(as_text=True)

    assert 'data-action="pause"' in html
    assert 'data-action="avslutt"' in html
    assert 'data-action="fortsett"' not in html


def test_suspended_instance_offers_variable(admin_engine: ProcessEngine,
                                            admin: FlaskClient) -> None:
    instance_id = admin_engine.runtime.start("enkel", "admin", {}).instance_id
    admin_engine.admin.suspend(instance_id, "admin", "Venter på svar.")

    html = admin.get(f"/admin/saker/{instance_id}").get_data(as_text=True)

    assert 'data-action="variabel"' in html
    assert 'data-action="fortsett"' in html
    assert 'data-action="pause"' not in html


def checked_ids(html: str) -> set[int]:
    return {int(found) for found in re.findall(
        r'name="instans" value="(\d+)"[^>]*\bchecked\b', html)}


def test_batch_without_reason_keeps_selection(admin_engine: ProcessEngine,
                                              admin: FlaskClient) -> None:
    first = admin_engine.runtime.start("enkel", "admin", {}).instance_id
    second = admin_engine.runtime.start("enkel", "admin", {}).instance_id

    response = admin.post("/admin/saker/samlet", data={
        "handling": "avslutt", "begrunnelse": "  ", "instans": [str(first)],
        "tilbake": "/admin/saker?prosess=enkel"})
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "Skriv hvorfor du gjør endringen" in html
    assert checked_ids(html) == {first}
    assert second in listed_ids(html)
    assert '<option value="avslutt" selected>' in html
    assert 'name="tilbake" value="/admin/saker?prosess=enkel"' in html
    assert status_of(admin_engine, first) == "running"


def test_batch_without_selection_keeps_reason(admin_engine: ProcessEngine,
                                              admin: FlaskClient) -> None:
    admin_engine.runtime.start("enkel", "admin", {})

    response = admin.post("/admin/saker/samlet", data={
        "handling": "pause", "begrunnelse": "Vedlikehold i kveld."})
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "Velg minst én instans i listen." in html
    assert ">Vedlikehold i kveld.</textarea>" in html


def test_batch_partly_rejected_keeps_rejected(admin_engine: ProcessEngine,
                                              admin: FlaskClient) -> None:
    running = admin_engine.runtime.start("enkel", "admin", {}).instance_id
    held = admin_engine.runtime.start("enkel", "admin", {}).instance_id
    admin_engine.admin.suspend(held, "admin", "Venter på svar.")

    response = admin.post("/admin/saker/samlet", data={
        "handling": "pause", "begrunnelse": "Vedlikehold i kveld.",
        "instans": [str(running), str(held)]})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "1 av 2 instanser ble endret." in html
    assert f"Instans {held}:" in html
    assert checked_ids(html) == {held}
    assert ">Vedlikehold i kveld.</textarea>" in html
    assert status_of(admin_engine, running) == "suspended"
