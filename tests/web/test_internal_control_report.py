"""The internal-control report page and its downloads: content, who may see which units, the
file headers, and clear messages for bad input."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from engine.runtime.timeexpr import parse_instant
from tests.engine.processes import test_politisk_vedtak as decisions
from tests.engine.processes import test_risikovurdering as reviews
from tests.engine.processes.driver import ProcessDriver
from tests.web.conftest import MEASURES, handle_to_analysis, open_task_id

PAGE = "/internkontroll?ar=2027"


@pytest.fixture
def deviations(demo_engine: ProcessEngine, report: Callable[..., int]) -> dict[str, int]:
    """A deviation with two measures at the nursing home and one in the home care."""
    nursing_home = report()
    analysis = handle_to_analysis(demo_engine, nursing_home)
    demo_engine.tasks.complete(analysis, "lise.leder", {
        "aarsak": "Feil dosett.", "faktisk_konsekvens": "Kvalme.",
        "potensiell_konsekvens": "Forgiftning.", "tiltak": MEASURES})
    home_care = report(enhet="hjemmetjenesten", kategori="hms", tittel="Stikkskade i hjemmet")
    return {"nursing_home": nursing_home, "home_care": home_care}


def test_report_shows_counts_and_charts(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("admin").get(PAGE)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Internkontrollrapport" in page
    assert "2 avvik ble meldt i 2027" in page
    assert page.count('<svg class="ic-chart"') == 4
    assert "Innfør dobbeltkontroll" in page
    assert "Eksempel sykehjem" in page
    assert "Hjemmetjenesten" in page


def test_scope_and_year_separated(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    client = login_as("admin")
    page = client.get(PAGE).get_data(as_text=True)
    download = client.get("/internkontroll/rapport.html?ar=2027").get_data(as_text=True)

    expected = "Omfang: hele kommunen (Eksempel kommune). År: 2027."
    assert expected in page
    assert expected in download


@pytest.fixture
def driver(demo_engine: ProcessEngine, make_engine: Callable[..., ProcessEngine],
           clock: FixedClock) -> ProcessDriver:
    """A driver on the database of the page's engine, to run cases through the processes."""
    return ProcessDriver(make_engine, clock, restart=False)


def section(page: str, heading_id: str) -> str:
    """Return the report from the heading `heading_id` up to the next h2."""
    return page.split(f'id="{heading_id}"', 1)[1].split("<h2", 1)[0]


def test_high_risk_lists_unapproved_round(
        driver: ProcessDriver, login_as: Callable[[str], FlaskClient]) -> None:
    approved = reviews.run_to_measures(driver)
    reviews.carry_out_measures(driver, approved)
    reviews.approve_residual_risk(driver, approved, hendelser=[
        {"rest_sannsynlighet": 4, "rest_konsekvens": 4},
        {"rest_sannsynlighet": 2, "rest_konsekvens": 3},
        {"rest_sannsynlighet": 1, "rest_konsekvens": 2}])
    reviews.run_to_measures(driver)

    risks = section(login_as("admin").get(PAGE).get_data(as_text=True), "risiko")
    high_risks = risks.split("<caption>Hendelser over akseptgrensen", 1)[1]
    rows = high_risks.split("<tbody>", 1)[1].split("</tbody>", 1)[0]

    assert rows.count("<tr>") == 1
    assert "<td>Pågår</td>" in rows
    assert "<td>Godkjent</td>" not in rows
    assert "Feil legemiddel gitt" in rows


def test_past_year_decision_at_year_end(
        driver: ProcessDriver, clock: FixedClock,
        login_as: Callable[[str], FlaskClient]) -> None:
    instance_id = decisions.register(driver)
    decisions.distribute(driver, instance_id)
    clock.set(parse_instant("2027-07-05T09:00"))
    driver.advance(hours=1)
    clock.set(parse_instant("2028-01-10T09:00"))
    decisions.carry_out(driver, instance_id, 1)

    client = login_as("admin")
    last_year = section(client.get(PAGE).get_data(as_text=True), "vedtak")
    this_year = section(client.get("/internkontroll?ar=2028").get_data(as_text=True),
                        "vedtak")

    # Point 1 was still open and sent to the next leader at the end of 2027.
    assert re.search(r"<td>1\. [^<]*</td><td>[^<]*</td><td>[^<]*</td><td>Forsinket", last_year)
    assert "<td>1. " not in this_year


def test_report_names_no_people(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    page = login_as("admin").get(PAGE).get_data(as_text=True)
    body = page.split('<main', 1)[1]

    for name in ("Fatima Ali", "Lise Johansen", "Ola Olsen", "fatima.ansatt", "ola.ansatt"):
        assert name not in body


def test_report_has_no_inline_style(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    page = login_as("admin").get(PAGE).get_data(as_text=True)

    assert " style=" not in page
    assert "<style" not in page
    assert "<script>" not in page


def test_employee_refused(deviations: dict[str, int],
                          login_as: Callable[[str], FlaskClient]) -> None:
    employee = login_as("ola.ansatt")

    assert employee.get(PAGE).status_code == 403
    assert employee.get("/internkontroll/rapport.csv?ar=2027").status_code == 403
    assert employee.get("/internkontroll/rapport.html?ar=2027").status_code == 403
    assert "/internkontroll" not in employee.get("/").get_data(as_text=True)


def test_leader_sees_only_own_units(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("per.leder").get(PAGE)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "1 avvik ble meldt i 2027" in page
    assert "Innfør dobbeltkontroll" not in page
    assert 'value="sykehjem"' not in page
    assert 'value="hjemmetjenesten" selected' in page


def test_leader_refused_other_unit(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("per.leder").get(PAGE + "&enhet=sykehjem")
    page = response.get_data(as_text=True)

    assert response.status_code == 403
    assert "enhetene du leder" in page
    assert "Innfør dobbeltkontroll" not in page


def test_area_leader_sees_units_below(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    page = login_as("tor.kommunalsjef").get(PAGE).get_data(as_text=True)

    assert "2 avvik ble meldt i 2027" in page
    assert 'value="sykehjem"' in page
    assert 'value="eksempel-skole"' not in page


def test_director_sees_municipality(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    client = login_as("kari.direktor")
    page = client.get(PAGE).get_data(as_text=True)

    assert "hele kommunen" in page
    assert 'value="eksempel-skole"' in page
    assert 'href="/internkontroll"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("year", ["abc", "1999", "20277", "-1"])
def test_bad_year_gives_message(deviations: dict[str, int],
                                login_as: Callable[[str], FlaskClient], year: str) -> None:
    response = login_as("admin").get(f"/internkontroll?ar={year}")
    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "er ikke et gyldig år" in page
    assert "fra 2000 til 2100" in page


def test_bad_year_on_download_gives_message(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("admin").get("/internkontroll/rapport.csv?ar=x")

    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    assert "er ikke et gyldig år" in response.get_data(as_text=True)


def test_unknown_unit_gives_message(
        deviations: dict[str, int], login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("admin").get(PAGE + "&enhet=finnes-ikke")

    assert response.status_code == 404
    assert "Ingen enhet har koden finnes-ikke" in response.get_data(as_text=True)


def test_html_download(deviations: dict[str, int],
                       login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("admin").get("/internkontroll/rapport.html?ar=2027")
    body = response.get_data(as_text=True)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="internkontroll-2027-eksempel.html"'
    assert "<style>" in body
    assert ".ic-bar.ic-series-0" in body
    assert "&#34;" not in body.split("</style>", 1)[0]
    assert "<link" not in body
    assert body.count('<svg class="ic-chart"') == 4
    assert "2 avvik ble meldt i 2027" in body


def read_csv(response: Any) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_csv_download(deviations: dict[str, int],
                      login_as: Callable[[str], FlaskClient]) -> None:
    response = login_as("admin").get("/internkontroll/rapport.csv?ar=2027&enhet=sykehjem")
    rows = read_csv(response)

    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="internkontroll-2027-sykehjem.csv"'
    kinds = rows[rows.index(["Avvik etter type"]) + 2:]
    assert kinds[0][0].startswith("HMS")
    assert kinds[0][1:] == ["0", "0"]
    assert kinds[1][0].startswith("Tjenesteavvik")
    assert kinds[1][1:] == ["1", "0"]
    measures = rows[rows.index(["Åpne tiltak"]) + 2:]
    assert measures[0][1:4] == ["Innfør dobbeltkontroll", "Eksempel sykehjem", "20.01.2027"]


def test_csv_share_uses_decimal_comma(
        demo_engine: ProcessEngine, deviations: dict[str, int],
        login_as: Callable[[str], FlaskClient]) -> None:
    case = deviations["nursing_home"]
    with demo_engine.transaction(read_only=True):
        measures = demo_engine.tasks.open_tasks_of_instance(case, "GjennomforTiltak")
    for task in measures[:1]:
        demo_engine.tasks.complete(task.id, task.assignee or "", {"tiltak_element": {
            "status": "gjennomfort", "gjennomforing": "Gjort."}})

    rows = read_csv(login_as("admin").get("/internkontroll/rapport.csv?ar=2027"))
    summary = rows[rows.index(["Tiltak"]) + 2]
    assert summary == ["1", "0", "1", "1", "100,0"]
    assert open_task_id(demo_engine, case, "GjennomforTiltak")


def test_csv_neutralises_formulas(
        demo_engine: ProcessEngine, report: Callable[..., int],
        login_as: Callable[[str], FlaskClient]) -> None:
    case = report()
    analysis = handle_to_analysis(demo_engine, case)
    demo_engine.tasks.complete(analysis, "lise.leder", {
        "aarsak": "Feil dosett.", "faktisk_konsekvens": "Kvalme.",
        "potensiell_konsekvens": "Forgiftning.",
        "tiltak": [{**MEASURES[0], "tittel": "=HYPERLINK(\"http://x\")"}]})

    rows = read_csv(login_as("admin").get("/internkontroll/rapport.csv?ar=2027"))
    measures = rows[rows.index(["Åpne tiltak"]) + 2:]
    assert measures[0][1] == "'=HYPERLINK(\"http://x\")"
