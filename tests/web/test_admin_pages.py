"""The administration pages: instance list, instance page, open incidents and heatmap."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from tests.confidential import start_confidential_case
from tests.web.conftest import open_task_id
from tests.web.operations_helpers import NO_HANDLER, ONE_TASK, WAIT_AN_HOUR, failing_handler

Login = Callable[[str], FlaskClient]


@pytest.fixture
def admin_engine(demo_engine: ProcessEngine) -> ProcessEngine:
    demo_engine.handlers.register("test.feiler", failing_handler)
    demo_engine.repository.deploy([("enkel.bpmn", ONE_TASK.encode()),
                                   ("vent.bpmn", WAIT_AN_HOUR.encode()),
                                   ("feiler.bpmn", NO_HANDLER.encode())])
    return demo_engine


@pytest.fixture
def admin(app: Any, admin_engine: ProcessEngine, login_as: Login) -> FlaskClient:
    return login_as("admin")


def start(engine: ProcessEngine, key: str, actor: str = "admin") -> int:
    return engine.runtime.start(key, actor, {}).instance_id


def failed_instance(engine: ProcessEngine) -> int:
    """Start the process whose service call always fails and run its job into an incident."""
    instance_id = start(engine, "feiler")
    engine.management.run_due()
    return instance_id


def count(html: str, status: str) -> int:
    match = re.search(rf'data-count="{status}">(\d+)<', html)
    assert match, f"no count for {status}"
    return int(match.group(1))


def listed_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-instance="(\d+)"', html)]


# --- access ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin/saker", "/admin/feil",
                                  "/admin/prosesser/enkel/varmekart"])
def test_employee_gets_403(admin_engine: ProcessEngine, login_as: Login, path: str) -> None:
    response = login_as("ola.ansatt").get(path)

    assert response.status_code == 403


def test_employee_gets_403_on_instance(admin_engine: ProcessEngine, login_as: Login) -> None:
    instance_id = start(admin_engine, "enkel")

    response = login_as("ola.ansatt").get(f"/admin/saker/{instance_id}/markorer.json")

    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/admin/saker", "/admin/feil",
                                  "/admin/prosesser/enkel/varmekart"])
def test_admin_gets_page(admin: FlaskClient, path: str) -> None:
    response = admin.get(path)

    assert response.status_code == 200


def test_unknown_instance_is_404(admin: FlaskClient) -> None:
    assert admin.get("/admin/saker/999999").status_code == 404


def test_menu_links_administration(admin: FlaskClient, login_as: Login) -> None:
    assert 'href="/admin/saker"' in admin.get("/").get_data(as_text=True)
    assert 'href="/admin/saker"' not in login_as("ola.ansatt").get("/").get_data(as_text=True)


# --- list, filters and counts ----------------------------------------------------------------

def test_counts_per_status(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    running = start(admin_engine, "enkel")
    done = start(admin_engine, "enkel")
    admin_engine.tasks.complete(open_task_id(admin_engine, done, "gjor"), "admin", {})
    start(admin_engine, "vent")
    failed_instance(admin_engine)

    html = admin.get("/admin/saker").get_data(as_text=True)

    assert count(html, "aktiv") == 3
    assert count(html, "venter") == 2  # vent waits for its timer, feiler for the incident
    assert count(html, "feil") == 1
    assert count(html, "fullfort") == 1
    assert count(html, "alle") == 4
    assert running in listed_ids(html)


def test_filter_by_status_waiting(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    start(admin_engine, "enkel")
    waiting = start(admin_engine, "vent")

    html = admin.get("/admin/saker?status=venter").get_data(as_text=True)

    assert listed_ids(html) == [waiting]


def test_counts_follow_process_filter(admin_engine: ProcessEngine,
                                      admin: FlaskClient) -> None:
    start(admin_engine, "enkel")
    start(admin_engine, "vent")

    html = admin.get("/admin/saker?prosess=vent&status=aktiv").get_data(as_text=True)

    assert count(html, "alle") == 1
    assert count(html, "venter") == 1


def test_filter_by_started_by(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    start(admin_engine, "enkel", "admin")
    own = start(admin_engine, "enkel", "lise.leder")

    html = admin.get("/admin/saker?startet_av=lise.leder").get_data(as_text=True)

    assert listed_ids(html) == [own]


def test_filter_overdue(admin_engine: ProcessEngine, clock: FixedClock,
                        login_as: Login) -> None:
    late = start(admin_engine, "enkel")
    clock.advance(timedelta(days=2))
    start(admin_engine, "enkel")

    html = login_as("admin").get("/admin/saker?forfalt=ja").get_data(as_text=True)

    assert listed_ids(html) == [late]


def test_filter_by_start_dates(admin_engine: ProcessEngine, clock: FixedClock,
                               login_as: Login) -> None:
    start(admin_engine, "enkel")
    clock.advance(timedelta(days=3))
    later = start(admin_engine, "enkel")

    response = login_as("admin").get("/admin/saker?fra=2027-01-06&til=2027-01-07")
    html = response.get_data(as_text=True)

    assert listed_ids(html) == [later]


def test_search_by_case_number_prefix(admin_engine: ProcessEngine, report: Any,
                                      admin: FlaskClient) -> None:
    case_id = report()
    start(admin_engine, "enkel")
    with admin_engine.transaction(read_only=True):
        number = admin_engine.runtime.instance(case_id).business_key
    assert number

    html = admin.get(f"/admin/saker?sok={number[:4]}").get_data(as_text=True)

    assert listed_ids(html) == [case_id]


def test_filter_by_version(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    first = start(admin_engine, "enkel")
    admin_engine.repository.deploy([("enkel.bpmn", ONE_TASK.replace(
        "Gjør det", "Gjør det nå").encode())])
    second = start(admin_engine, "enkel")

    html_one = admin.get("/admin/saker?prosess=enkel&versjon=1").get_data(as_text=True)
    html_two = admin.get("/admin/saker?prosess=enkel&versjon=2").get_data(as_text=True)

    assert listed_ids(html_one) == [first]
    assert listed_ids(html_two) == [second]


@pytest.mark.parametrize("query, words", [
    ("status=kjorer", "Statusen «kjorer» er ikke gyldig"),
    ("fra=31.01.2027", "er ikke en dato"),
    ("prosess=finnes-ikke", "Ingen prosess har nøkkelen «finnes-ikke»"),
    ("versjon=2", "Velg en prosess"),
    ("prosess=enkel&versjon=9", "Prosessen enkel har ikke versjon «9»"),
    ("side=abc", "Sidelenken er skadet"),
    ("antall=100000", "Sidestørrelsen må være"),
    ("fra=2027-02-01&til=2027-01-01", "er etter sluttdatoen"),
])
def test_invalid_filter_gives_message(admin: FlaskClient, query: str, words: str) -> None:
    response = admin.get(f"/admin/saker?{query}")
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert words in html


def test_invalid_filter_keeps_input(admin: FlaskClient) -> None:
    html = admin.get("/admin/saker?fra=31.01.2027&startet_av=ola.ansatt").get_data(
        as_text=True)

    assert 'value="31.01.2027"' in html
    assert 'value="ola.ansatt"' in html


def test_empty_result_message(admin: FlaskClient) -> None:
    html = admin.get("/admin/saker?startet_av=ingen.her").get_data(as_text=True)

    assert "Ingen prosessinstanser passer til filtrene." in html


def test_pages_follow_each_other(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    started = [start(admin_engine, "enkel") for _ in range(5)]

    first = admin.get("/admin/saker?prosess=enkel&antall=2").get_data(as_text=True)
    cursor = re.search(r'side=(\d+)" rel="next"', first)
    assert cursor, "the first page has no next page link"
    second = admin.get(f"/admin/saker?prosess=enkel&antall=2&side={cursor.group(1)}"
                       ).get_data(as_text=True)

    assert listed_ids(first) == [started[4], started[3]]
    assert listed_ids(second) == [started[2], started[1]]
    assert count(second, "alle") == 5


# --- instance page ---------------------------------------------------------------------------

def test_instance_page_shows_incident(admin_engine: ProcessEngine,
                                      admin: FlaskClient) -> None:
    instance_id = failed_instance(admin_engine)

    html = admin.get(f"/admin/saker/{instance_id}").get_data(as_text=True)

    assert "the test handler always fails" in html
    assert "Kall" in html


def test_instance_markers(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    instance_id = failed_instance(admin_engine)

    data = admin.get(f"/admin/saker/{instance_id}/markorer.json").get_json()
    elements = {item["id"]: item for item in data["elements"]}

    assert "incident" in elements["kall"]["markers"]
    assert data["diagram_url"] == f"/admin/saker/{instance_id}/diagram.bpmn"


def test_instance_markers_count_passed(admin_engine: ProcessEngine,
                                       admin: FlaskClient) -> None:
    instance_id = start(admin_engine, "enkel")
    admin_engine.tasks.complete(open_task_id(admin_engine, instance_id, "gjor"), "admin", {})

    data = admin.get(f"/admin/saker/{instance_id}/markorer.json").get_json()
    elements = {item["id"]: item for item in data["elements"]}

    assert elements["gjor"]["done"] == 1
    assert elements["gjor"]["active"] == 0


def test_instance_page_has_strict_policy(admin_engine: ProcessEngine,
                                         admin: FlaskClient) -> None:
    instance_id = start(admin_engine, "enkel")

    policy = admin.get(f"/admin/saker/{instance_id}").headers["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


def test_instance_diagram_is_its_version(admin_engine: ProcessEngine,
                                         admin: FlaskClient) -> None:
    instance_id = start(admin_engine, "enkel")
    admin_engine.repository.deploy([("enkel.bpmn", ONE_TASK.replace(
        "Gjør det", "Gjør det nå").encode())])

    xml = admin.get(f"/admin/saker/{instance_id}/diagram.bpmn").get_data(as_text=True)

    assert 'name="Gjør det"' in xml


def test_instance_page_shows_variables(admin_engine: ProcessEngine, report: Any,
                                       admin: FlaskClient) -> None:
    case_id = report()

    html = admin.get(f"/admin/saker/{case_id}").get_data(as_text=True)

    assert "Feil medisin gitt på kveldsvakt" in html
    assert "instance_started" in html


def test_confidential_case_hides_variables(admin_engine: ProcessEngine,
                                           admin: FlaskClient) -> None:
    instance_id = start_confidential_case(admin_engine)

    response = admin.get(f"/admin/saker/{instance_id}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "data-variables-hidden" in html
    assert "sykehjem" not in html
    assert "Ola" not in html
    assert "instance_started" not in html


def test_confidential_case_listed_without_details(admin_engine: ProcessEngine,
                                                  admin: FlaskClient) -> None:
    instance_id = start_confidential_case(admin_engine)

    html = admin.get("/admin/saker?prosess=samtaletest").get_data(as_text=True)

    assert listed_ids(html) == [instance_id]
    assert "ola.ansatt" not in html
    assert "Konfidensiell" in html


# --- incidents -------------------------------------------------------------------------------

def test_incident_list_shows_open_incident(admin_engine: ProcessEngine,
                                           admin: FlaskClient) -> None:
    instance_id = failed_instance(admin_engine)
    start(admin_engine, "enkel")

    html = admin.get("/admin/feil").get_data(as_text=True)

    assert html.count("data-incident=") == 1
    assert f'href="/admin/saker/{instance_id}"' in html
    assert "the test handler always fails" in html


def test_incident_list_filters_by_process(admin_engine: ProcessEngine,
                                          admin: FlaskClient) -> None:
    failed_instance(admin_engine)

    html = admin.get("/admin/feil?prosess=enkel").get_data(as_text=True)

    assert "data-incident=" not in html
    assert "Ingen åpne feil passer til filtrene." in html


def test_incident_list_filters_by_kind(admin_engine: ProcessEngine,
                                       admin: FlaskClient) -> None:
    failed_instance(admin_engine)

    matching = admin.get("/admin/feil?type=handler").get_data(as_text=True)
    unknown = admin.get("/admin/feil?type=tull")

    assert matching.count("data-incident=") == 1
    assert unknown.status_code == 400


# --- heatmap ---------------------------------------------------------------------------------

def test_heatmap_numbers(admin_engine: ProcessEngine, clock: FixedClock,
                         login_as: Login) -> None:
    # Three tasks completed after 1, 2 and 10 hours; one instance still at the task.
    for hours in (1, 2, 10):
        instance_id = start(admin_engine, "enkel")
        clock.advance(timedelta(hours=hours))
        admin_engine.tasks.complete(open_task_id(admin_engine, instance_id, "gjor"),
                                    "admin", {})
    start(admin_engine, "enkel")
    admin = login_as("admin")

    data = admin.get("/admin/prosesser/enkel/varmekart.json").get_json()
    gjor = {item["id"]: item for item in data["elements"]}["gjor"]
    html = admin.get("/admin/prosesser/enkel/varmekart").get_data(as_text=True)
    row = re.search(r'<tr data-element="gjor">(.*?)</tr>', html, re.S)
    assert row, "the table has no row for gjor"

    assert gjor["active"] == 1
    assert gjor["done"] == 3
    assert gjor["median_seconds"] == 2 * 3600
    assert gjor["p90_seconds"] == 10 * 3600
    assert "<td data-label=\"Fullførte oppgaver\" data-completed>3</td>" in row.group(1)
    assert "2 t" in row.group(1)


def test_heatmap_unknown_process_is_404(admin: FlaskClient) -> None:
    assert admin.get("/admin/prosesser/finnes-ikke/varmekart").status_code == 404


def test_filter_by_unit(admin_engine: ProcessEngine, report: Any,
                        admin: FlaskClient) -> None:
    case_id = report()
    start(admin_engine, "enkel")

    html = admin.get("/admin/saker?enhet=sykehjem").get_data(as_text=True)

    assert listed_ids(html) == [case_id]


def test_counts_suspended_and_terminated(admin_engine: ProcessEngine,
                                         admin: FlaskClient) -> None:
    suspended = start(admin_engine, "enkel")
    terminated = start(admin_engine, "enkel")
    admin_engine.admin.suspend(suspended, "admin", "Venter på svar.")
    admin_engine.admin.terminate(terminated, "admin", "Startet ved en feil.")

    html = admin.get("/admin/saker").get_data(as_text=True)

    assert count(html, "pause") == 1
    assert count(html, "avsluttet") == 1
    assert count(html, "aktiv") == 0


def test_process_filter_links_heatmap(admin: FlaskClient) -> None:
    html = admin.get("/admin/saker?prosess=enkel").get_data(as_text=True)

    assert 'href="/admin/prosesser/enkel/varmekart"' in html


def test_terminated_instance_page(admin_engine: ProcessEngine, admin: FlaskClient) -> None:
    instance_id = start(admin_engine, "enkel")
    admin_engine.admin.terminate(instance_id, "admin", "Startet ved en feil.")

    response = admin.get(f"/admin/saker/{instance_id}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "instance_terminated" in html
    assert 'data-action="avslutt"' not in html


def test_starter_filter_skips_confidential(admin_engine: ProcessEngine,
                                           admin: FlaskClient) -> None:
    start_confidential_case(admin_engine)
    own = start(admin_engine, "enkel", "ola.ansatt")

    html = admin.get("/admin/saker?startet_av=ola.ansatt").get_data(as_text=True)

    assert listed_ids(html) == [own]
    assert count(html, "alle") == 1
