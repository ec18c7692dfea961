"""Start forms that break a rule spanning fields or records: the form comes back with the
message at the field and every value the user typed. The test clock is at 09:00 in Oslo
on 04.01.2027."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from engine.engine import ProcessEngine
from tests.web.conftest import REPORT_FORM

DECISION_FORM: dict[str, str] = {
    "utvalg": "kommunestyret",
    "motedato": "14.12.2026",
    "politisk_saksnummer": "PS 112/26",
    "arkivsaksnummer": "2027/123",
    "tittel": "Handlingsprogram 2027–2030",
    "vedtakstype": "ordinart",
    "vedtakstekst": "Kommunedirektøren utreder leksehjelp.",
    "vedtakspunkter[0].tekst": "Kommunedirektøren utreder leksehjelp.",
}


def field_error(html: str, key: str) -> str | None:
    match = re.search(rf'id="field-{re.escape(key)}:error">\s*<p>([^<]+)</p>', html)
    return html_lib.unescape(match.group(1)) if match else None


def case_count(engine: ProcessEngine, key: str) -> int:
    with engine.transaction(read_only=True):
        return len(engine.runtime.instances(key=key))


def test_event_in_future_keeps_values(login_as: Any, demo_engine: ProcessEngine) -> None:
    data = {**REPORT_FORM, "tidspunkt:time": "10:00"}

    response = login_as("ola.ansatt").post("/start/avvik", data=data)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_error(html, "tidspunkt") == (
        "Tidspunktet for hendelsen, 04.01.2027 10:00, er frem i tid. Oppgi når hendelsen "
        "skjedde, senest nå.")
    assert 'value="10:00"' in html
    assert 'value="Feil medisin gitt på kveldsvakt"' in html
    assert case_count(demo_engine, "avvik") == 0


def test_event_at_clock_time_accepted(login_as: Any, demo_engine: ProcessEngine) -> None:
    data = {**REPORT_FORM, "tidspunkt:time": "09:00"}

    response = login_as("ola.ansatt").post("/start/avvik", data=data)

    assert response.status_code == 302
    assert case_count(demo_engine, "avvik") == 1


def test_discovery_before_event_keeps_values(login_as: Any,
                                             demo_engine: ProcessEngine) -> None:
    data = {**REPORT_FORM, "kategori": "informasjonssikkerhet", "personopplysninger": "true",
            "oppdaget:date": "04.01.2027", "oppdaget:time": "08:00"}

    response = login_as("ola.ansatt").post("/start/avvik", data=data)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_error(html, "oppdaget") == (
        "Bruddet kan ikke være oppdaget (04.01.2027 08:00) før hendelsen skjedde "
        "(04.01.2027 08:30). Rett ett av de to tidspunktene.")
    assert 'value="08:00"' in html


def test_subcategory_of_other_kind_keeps_values(login_as: Any,
                                                demo_engine: ProcessEngine) -> None:
    data = {**REPORT_FORM, "kategori": "hms", "underkategori": "tjeneste/legemidler"}

    response = login_as("ola.ansatt").post("/start/avvik", data=data)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_error(html, "underkategori") == (
        "Underkategorien «Tjenesteavvik – Legemidler» hører ikke til typen «HMS – helse, "
        "miljø og sikkerhet for ansatte». Velg en underkategori av denne typen, eller bytt "
        "type.")
    assert '<option value="tjeneste/legemidler" selected>' in html


def test_subcategory_of_chosen_kind_accepted(login_as: Any,
                                             demo_engine: ProcessEngine) -> None:
    data = {**REPORT_FORM, "underkategori": "tjeneste/legemidler"}

    response = login_as("ola.ansatt").post("/start/avvik", data=data)

    assert response.status_code == 302


def test_used_archive_number_keeps_values(login_as: Any, demo_engine: ProcessEngine) -> None:
    client = login_as("siri.sekretariat")
    first = client.post("/start/politisk-vedtak", data=DECISION_FORM)
    assert first.status_code == 302

    response = client.post("/start/politisk-vedtak",
                           data={**DECISION_FORM, "tittel": "Ny tittel"})
    html = response.get_data(as_text=True)

    assert response.status_code == 409
    assert field_error(html, "arkivsaksnummer") == (
        "Arkivsaksnummer 2027/123 er allerede registrert i saken 2027/123 "
        "«Handlingsprogram 2027–2030». Sjekk nummeret, eller åpne den saken.")
    assert 'value="Ny tittel"' in html
    assert 'value="2027/123"' in html
    assert case_count(demo_engine, "politisk-vedtak") == 1


def test_new_archive_number_accepted(login_as: Any, demo_engine: ProcessEngine) -> None:
    client = login_as("siri.sekretariat")
    client.post("/start/politisk-vedtak", data=DECISION_FORM)

    response = client.post("/start/politisk-vedtak",
                           data={**DECISION_FORM, "arkivsaksnummer": "2027/124"})

    assert response.status_code == 302
    assert case_count(demo_engine, "politisk-vedtak") == 2
