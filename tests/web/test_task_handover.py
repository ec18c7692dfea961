"""Delegating and reassigning from the task page, with plain form posts (no JavaScript)."""

from __future__ import annotations

from typing import Any

import pytest

from engine.engine import ProcessEngine
from tests.web.conftest import open_task_id


@pytest.fixture(autouse=True)
def colleague(demo_engine: ProcessEngine) -> str:
    """A nursing-home employee who did not report the case and may be given its tasks."""
    demo_engine.organisation.create_user("nils.ansatt", "Nils Nilsen", unit="sykehjem",
                                         password="demo")
    return "nils.ansatt"


def assignee(engine: ProcessEngine, task_id: str) -> str | None:
    with engine.transaction(read_only=True):
        return engine.tasks.get(task_id).assignee


def claimed_task(engine: ProcessEngine, report: Any, username: str) -> str:
    task_id = open_task_id(engine, report(), "VurderAvvik")
    engine.tasks.claim(task_id, username)
    return task_id


def test_assignee_sees_eligible_colleagues(login_as: Any, report: Any,
                                           demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")

    html = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert "Gi oppgaven til en kollega" in html
    assert '<option value="fatima.ansatt">Fatima Ali</option>' in html
    assert '<option value="erik.laerer">' not in html


def test_delegate_form_moves_task(login_as: Any, report: Any,
                                  demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}/deleger", data={"til": "fatima.ansatt"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert response.status_code == 302
    assert response.headers["Location"] == "/oppgaver?visning=mine"
    assert "Oppgaven «Vurder avvik» er nå tildelt Fatima Ali." in page
    assert assignee(demo_engine, task_id) == "fatima.ansatt"


def test_delegate_to_outsider_shows_reason(login_as: Any, report: Any,
                                           demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}/deleger", data={"til": "erik.laerer"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Erik Moen kan ikke ta oppgaven «Vurder avvik»" in page
    assert assignee(demo_engine, task_id) == "lise.leder"


def test_delegate_without_colleague_asks(login_as: Any, report: Any,
                                         demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}/deleger", data={"til": " "})
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Velg kollegaen som tar over oppgaven." in page
    assert assignee(demo_engine, task_id) == "lise.leder"


def test_reassign_form_only_for_leaders(login_as: Any, report: Any,
                                        demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")

    leader = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)
    employee = login_as("fatima.ansatt").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert "Tildel oppgaven til en annen" in leader
    assert "Tildel oppgaven til en annen" not in employee


def test_leader_reassigns_by_user_name(login_as: Any, report: Any,
                                       demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")
    client = login_as("tor.kommunalsjef")

    response = client.post(f"/oppgaver/{task_id}/tildel-annen", data={"til": "nils.ansatt"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Oppgaven «Vurder avvik» er nå tildelt Nils Nilsen." in page
    assert "Tor Hansen (kommunalsjef) tildelte oppgaven «Vurder avvik» til Nils Nilsen i " \
           "stedet for Fatima Ali." in page
    assert assignee(demo_engine, task_id) == "nils.ansatt"


def test_reassign_lists_allowed_people(login_as: Any, report: Any,
                                       demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")

    html = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert '<select class="ds-input" id="reassign-to" name="til"' in html
    assert '<option value="nils.ansatt">Nils Nilsen</option>' in html
    assert '<option value="per.leder">' not in html
    assert '<option value="erik.laerer">' not in html


def test_leader_reassigns_to_unit_colleague(login_as: Any, report: Any,
                                            demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}/tildel-annen", data={"til": "nils.ansatt"})

    assert response.status_code == 302
    assert assignee(demo_engine, task_id) == "nils.ansatt"


def test_reassign_to_other_unit_leader_refused(login_as: Any, report: Any,
                                               demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}/tildel-annen", data={"til": "per.leder"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Per Larsen kan ikke ta oppgaven «Vurder avvik»." in page
    assert assignee(demo_engine, task_id) == "fatima.ansatt"


def test_reassign_rejection_keeps_choice(login_as: Any, report: Any,
                                         demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")
    client = login_as("tor.kommunalsjef")
    with demo_engine.transaction():
        demo_engine.organisation.set_active("nils.ansatt", False, actor="admin")

    response = client.post(f"/oppgaver/{task_id}/tildel-annen", data={"til": "nils.ansatt"})
    with demo_engine.transaction():
        demo_engine.organisation.set_active("nils.ansatt", True, actor="admin")
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert response.headers["Location"] == f"/oppgaver/{task_id}?til=nils.ansatt"
    assert "Brukeren nils.ansatt er deaktivert" in page
    assert '<option value="nils.ansatt" selected>Nils Nilsen</option>' in page


def test_reassign_by_employee_rejected(login_as: Any, report: Any,
                                       demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")
    client = login_as("fatima.ansatt")

    response = client.post(f"/oppgaver/{task_id}/tildel-annen", data={"til": "nils.ansatt"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Bare lederen for enheten til oppgaven" in page
    assert assignee(demo_engine, task_id) == "fatima.ansatt"


def test_reassign_to_unknown_user_named(login_as: Any, report: Any,
                                        demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}/tildel-annen", data={"til": "ola.ansat"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Ingen aktiv bruker har brukernavnet ola.ansat." in page
    assert assignee(demo_engine, task_id) == "fatima.ansatt"


def test_outsider_cannot_reach_delegate(login_as: Any, report: Any,
                                        demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "lise.leder")

    response = login_as("erik.laerer").post(f"/oppgaver/{task_id}/deleger",
                                            data={"til": "erik.laerer"})

    assert response.status_code == 404
    assert assignee(demo_engine, task_id) == "lise.leder"


# --- typed work when the task changes hands ---------------------------------------------------

TYPED = {"beslutning": "avvis", "begrunnelse": "Meldt to ganger, se forrige sak."}


def test_reassigned_while_typing_lists_text(login_as: Any, report: Any,
                                            demo_engine: ProcessEngine) -> None:
    task_id = claimed_task(demo_engine, report, "fatima.ansatt")
    client = login_as("fatima.ansatt")
    demo_engine.tasks.reassign(task_id, "nils.ansatt", "lise.leder")

    response = client.post(f"/oppgaver/{task_id}", data=TYPED)
    page = response.get_data(as_text=True)

    assert response.status_code == 403
    assert "Oppgaven er tildelt Nils Nilsen" in page
    assert "Ingenting ble lagret. Dette er det du fylte ut, så du kan kopiere det:" in page
    assert "Meldt to ganger, se forrige sak." in page
    assert assignee(demo_engine, task_id) == "nils.ansatt"


def test_reassigned_out_of_sight_lists_text(login_as: Any, report: Any,
                                            demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.reassign(task_id, "nils.ansatt", "lise.leder")
    client = login_as("nils.ansatt")
    demo_engine.tasks.reassign(task_id, "fatima.ansatt", "lise.leder")

    response = client.post(f"/oppgaver/{task_id}", data=TYPED)
    page = response.get_data(as_text=True)

    assert response.status_code == 404
    assert "Ingenting ble lagret" in page
    assert "Meldt to ganger, se forrige sak." in page
    assert "Vurder avvik" not in page
