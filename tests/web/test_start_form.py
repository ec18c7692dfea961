"""The start page and the start form "Meld avvik"."""

from __future__ import annotations

import re
from typing import Any

from engine.engine import ProcessEngine
from tests.web.conftest import REPORT_FORM


def test_start_page_offers_deviation_report(login_as: Any) -> None:
    html = login_as("ola.ansatt").get("/").get_data(as_text=True)

    assert 'href="/start/avvik"' in html
    assert "Meld avvik" in html
    assert "Hei, Ola Olsen!" in html


def test_start_page_hides_unit_tasks_from_employees(login_as: Any) -> None:
    html = login_as("ola.ansatt").get("/").get_data(as_text=True)

    assert "Enhetens oppgaver" not in html


def test_start_page_shows_unit_tasks_to_leaders(login_as: Any) -> None:
    html = login_as("lise.leder").get("/").get_data(as_text=True)

    assert "Enhetens oppgaver" in html


def test_start_form_renders_unit_choices(login_as: Any) -> None:
    response = login_as("ola.ansatt").get("/start/avvik")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert '<option value="sykehjem">Eksempel sykehjem</option>' in html
    assert "Send inn" in html


def test_start_form_creates_case(login_as: Any, demo_engine: ProcessEngine) -> None:
    client = login_as("ola.ansatt")

    response = client.post("/start/avvik", data=REPORT_FORM)

    assert response.status_code == 302
    case_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Avviket er meldt. Saksnummer AVVIK-2027-" in case_page
    assert "Feil medisin gitt på kveldsvakt" in case_page
    with demo_engine.transaction(read_only=True):
        cases = demo_engine.runtime.instances(started_by="ola.ansatt")
    assert len(cases) == 1
    assert cases[0].case_status == "Meldt"


def test_start_form_missing_field_keeps_values(login_as: Any,
                                               demo_engine: ProcessEngine) -> None:
    client = login_as("ola.ansatt")
    data = {**REPORT_FORM, "sted": ""}

    response = client.post("/start/avvik", data=data)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert 'value="Feil medisin gitt på kveldsvakt"' in html
    assert "En beboer fikk tablettene til en annen beboer." in html
    assert '<option value="sykehjem" selected>' in html
    error = re.search(r'id="field-sted:error">\s*<p>([^<]+)</p>', html)
    assert error is not None
    assert "obligatorisk" in error.group(1)
    with demo_engine.transaction(read_only=True):
        assert demo_engine.runtime.instances(started_by="ola.ansatt") == []


def test_start_form_unknown_process_is_404(login_as: Any) -> None:
    response = login_as("ola.ansatt").get("/start/finnes-ikke")
    html = response.get_data(as_text=True)

    assert response.status_code == 404
    assert "Siden finnes ikke" in html
    assert "BPMN" not in html
    assert "sloyfe definitions" not in html
