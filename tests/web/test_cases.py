"""Mine saker and the case page: what the reporter may read, and who may open a case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.models import ProcessInstance
from engine.runtime.timeexpr import OSLO
from tests.web.conftest import open_task_id

ACCEPT = {"beslutning": "godta", "alvorlighetsgrad": "Høy", "personopplysninger": False,
          "personskade": False, "alvorlig_hendelse": False}


def test_my_cases_lists_reported_case(login_as: Any, report: Any) -> None:
    instance_id = report()

    html = login_as("ola.ansatt").get("/saker").get_data(as_text=True)

    assert "AVVIK-2027-00001" in html
    assert f'href="/saker/{instance_id}"' in html
    assert '<td data-label="Status">Meldt</td>' in html
    assert "04.01.2027" in html


def test_my_cases_empty_state(login_as: Any) -> None:
    html = login_as("lise.leder").get("/saker").get_data(as_text=True)

    assert "Du har ikke startet noen saker." in html


def test_case_page_shows_status_history(login_as: Any, report: Any,
                                        demo_engine: ProcessEngine) -> None:
    instance_id = report()
    demo_engine.tasks.complete(open_task_id(demo_engine, instance_id, "VurderAvvik"),
                               "lise.leder", ACCEPT)

    html = login_as("ola.ansatt").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert "Saken ble registrert." in html
    assert "Status endret til Meldt." in html
    assert "Status endret til Under behandling." in html
    assert "04.01.2027 09:00" in html


def test_case_page_keeps_handlers_values_from_reporter(login_as: Any, report: Any,
                                                       demo_engine: ProcessEngine) -> None:
    instance_id = report()
    demo_engine.tasks.complete(open_task_id(demo_engine, instance_id, "VurderAvvik"),
                               "lise.leder", ACCEPT)

    html = login_as("ola.ansatt").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert "Høy" not in html
    assert "Lise Johansen" not in html
    assert "Gjennomfør strakstiltak" not in html


def test_case_page_lists_open_tasks_for_handler(login_as: Any, report: Any) -> None:
    instance_id = report()

    html = login_as("lise.leder").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert "Åpne oppgaver" in html
    assert "Vurder avvik" in html


def test_case_hidden_from_outsider(login_as: Any, report: Any) -> None:
    instance_id = report()

    assert login_as("per.leder").get(f"/saker/{instance_id}").status_code == 404
    assert login_as("fatima.ansatt").get(f"/saker/{instance_id}").status_code == 200
    assert login_as("admin").get(f"/saker/{instance_id}").status_code == 200


def test_missing_case_is_404(login_as: Any) -> None:
    assert login_as("ola.ansatt").get("/saker/9999").status_code == 404


def test_case_page_shows_reporters_own_report(login_as: Any, report: Any,
                                              demo_engine: ProcessEngine) -> None:
    instance_id = report(alvorlighetsgrad="Lav")
    demo_engine.tasks.complete(open_task_id(demo_engine, instance_id, "VurderAvvik"),
                               "lise.leder", ACCEPT)

    html = login_as("ola.ansatt").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert "Opplysninger ved oppstart" in html
    assert "Lav" in html
    assert "Høy" not in html


def test_rejected_case_shows_reason_to_reporter(login_as: Any, report: Any,
                                                demo_engine: ProcessEngine) -> None:
    instance_id = report()
    demo_engine.tasks.complete(open_task_id(demo_engine, instance_id, "VurderAvvik"),
                               "lise.leder", {**ACCEPT, "beslutning": "avvis",
                                              "begrunnelse": "Gjelder en klage på maten."})

    html = login_as("ola.ansatt").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert "Utfall" in html
    assert "Begrunnelse for avvisningen" in html
    assert "Gjelder en klage på maten." in html


def budget_case_started_by_timer(demo_engine: ProcessEngine, clock: Any) -> int:
    clock.set(datetime(2028, 1, 1, tzinfo=OSLO))
    demo_engine.management.run_due()
    with demo_engine.transaction(read_only=True):
        return demo_engine.uow.session.scalars(
            select(ProcessInstance.id).where(ProcessInstance.definition_key == "budsjett")
            .order_by(ProcessInstance.id.desc())).first()


def test_timer_started_case_has_no_start_details(login_as: Any, demo_engine: ProcessEngine,
                                                 clock: Any) -> None:
    instance_id = budget_case_started_by_timer(demo_engine, clock)

    html = login_as("eva.okonomisjef").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert "Budsjett og økonomiplan 2028: regnskap 2027, budsjett 2029" in html
    assert "Opplysninger ved oppstart" not in html



def test_registered_decision_shows_no_outcome(login_as: Any,
                                              demo_engine: ProcessEngine) -> None:
    """The decision text is among the details given at the start, not an outcome."""
    instance_id = demo_engine.runtime.start("politisk-vedtak", "siri.sekretariat", {
        "utvalg": "kommunestyret", "motedato": "2026-12-14", "politisk_saksnummer": "PS 1/26",
        "arkivsaksnummer": "26/00001", "tittel": "Leksehjelp", "vedtakstype": "verbalvedtak",
        "vedtakstekst": "Kommunedirektøren utreder leksehjelp.",
        "vedtakspunkter": [{"tekst": "Kommunedirektøren utreder leksehjelp."}]}).instance_id

    html = login_as("siri.sekretariat").get(f"/saker/{instance_id}").get_data(as_text=True)

    assert "Opplysninger ved oppstart" in html
    assert 'id="outcome-heading"' not in html
