"""The task page: access, claim, put back, complete, rejections and escaping."""

from __future__ import annotations

from typing import Any

from engine.engine import ProcessEngine
from tests.web.conftest import (
    ACCEPT_FORM,
    ANALYSIS_DATA,
    MEASURES,
    handle_to_analysis,
    open_task_id,
)


def _task_state(engine: ProcessEngine, task_id: str) -> tuple[str, str | None]:
    with engine.transaction(read_only=True):
        task = engine.tasks.get(task_id)
        return task.state, task.assignee


def test_unassigned_task_offers_claim(login_as: Any, report: Any,
                                      demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")

    html = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert "<h1 class=\"ds-heading\">Vurder avvik</h1>" in html
    assert "Tildel meg" in html
    assert 'name="beslutning"' not in html
    assert "Les meldingen, og avgjør" in html


def test_task_page_shows_report_read_only(login_as: Any, report: Any,
                                          demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")

    html = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert "Opplysninger i saken" in html
    assert "<dt>Hvor skjedde det?</dt>" in html
    assert "Avdeling 2" in html
    assert 'name="sted"' not in html


def test_claim_then_complete_moves_case_on(login_as: Any, report: Any,
                                           demo_engine: ProcessEngine) -> None:
    instance_id = report()
    task_id = open_task_id(demo_engine, instance_id, "VurderAvvik")
    client = login_as("lise.leder")

    claimed = client.post(f"/oppgaver/{task_id}/tildel")
    page = client.get(claimed.headers["Location"]).get_data(as_text=True)
    completed = client.post(f"/oppgaver/{task_id}", data=ACCEPT_FORM)

    assert 'name="beslutning"' in page
    assert "Legg tilbake" in page
    assert completed.status_code == 302
    assert _task_state(demo_engine, task_id) == ("completed", "lise.leder")
    with demo_engine.transaction(read_only=True):
        assert demo_engine.runtime.instance(instance_id).case_status == "Under behandling"
    # The assessor keeps the case, so the next step is theirs and opens at once.
    next_id = open_task_id(demo_engine, instance_id, "Strakstiltak")
    assert completed.headers["Location"] == f"/oppgaver/{next_id}"
    next_page = client.get(completed.headers["Location"]).get_data(as_text=True)
    assert "«Vurder avvik» er fullført. Neste steg: «Gjennomfør strakstiltak»." in next_page
    assert 'name="strakstiltak"' in next_page


def test_complete_with_missing_choice_returns_422(login_as: Any, report: Any,
                                                  demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")

    response = login_as("lise.leder").post(f"/oppgaver/{task_id}",
                                           data={"alvorlighetsgrad": "Høy"})
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert 'id="field-beslutning:error"' in html
    assert 'value="Høy" checked' in html
    assert _task_state(demo_engine, task_id) == ("open", "lise.leder")


def test_complete_others_task_rejected(login_as: Any, report: Any,
                                                  demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "fatima.ansatt")

    response = login_as("lise.leder").post(
        f"/oppgaver/{task_id}", data={**ACCEPT_FORM, "alvorlighetsgrad": "Høy"})
    html = response.get_data(as_text=True)

    assert response.status_code == 403
    assert "Oppgaven er tildelt Fatima Ali, ikke deg. Ingenting ble endret." in html
    assert "Ingenting ble lagret. Dette er det du fylte ut" in html
    assert "<dd>Høy</dd>" in html
    assert _task_state(demo_engine, task_id) == ("open", "fatima.ansatt")


def test_complete_finished_task_rejected(login_as: Any, report: Any,
                                           demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.complete(task_id, "fatima.ansatt", {
        "beslutning": "godta", "alvorlighetsgrad": "Middels", "personopplysninger": False,
        "personskade": False, "alvorlig_hendelse": False})

    response = login_as("lise.leder").post(f"/oppgaver/{task_id}", data=ACCEPT_FORM)

    assert response.status_code == 409
    assert "Oppgaven er allerede fullført av Fatima Ali." in response.get_data(as_text=True)


def test_claim_of_taken_task_shows_holder(login_as: Any, report: Any,
                                          demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "fatima.ansatt")
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}/tildel")
    html = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Oppgaven er allerede tildelt Fatima Ali." in html
    assert "Fatima Ali har denne oppgaven." in html
    assert 'name="beslutning"' not in html
    assert _task_state(demo_engine, task_id) == ("open", "fatima.ansatt")


def test_put_back_returns_task_to_group(login_as: Any, report: Any,
                                        demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")

    response = login_as("lise.leder").post(f"/oppgaver/{task_id}/legg-tilbake")

    assert response.headers["Location"] == f"/oppgaver/{task_id}"
    assert _task_state(demo_engine, task_id) == ("open", None)


def test_task_hidden_from_outsider(login_as: Any, report: Any,
                                   demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    client = login_as("per.leder")

    assert client.get(f"/oppgaver/{task_id}").status_code == 404
    assert client.post(f"/oppgaver/{task_id}", data=ACCEPT_FORM).status_code == 404
    assert client.post(f"/oppgaver/{task_id}/tildel").status_code == 404
    assert _task_state(demo_engine, task_id) == ("open", None)


def test_missing_task_is_404(login_as: Any) -> None:
    assert login_as("lise.leder").get("/oppgaver/finnes-ikke").status_code == 404


def test_task_page_escapes_user_text(login_as: Any, report: Any,
                                     demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(tittel="<script>alert(1)</script>"),
                           "VurderAvvik")

    html = login_as("lise.leder").get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_add_row_rerenders_without_completing(login_as: Any, report: Any,
                                              demo_engine: ProcessEngine) -> None:
    instance_id = report()
    demo_engine.tasks.complete(open_task_id(demo_engine, instance_id, "VurderAvvik"),
                               "lise.leder", {"beslutning": "godta",
                                              "alvorlighetsgrad": "Middels"})
    demo_engine.tasks.complete(open_task_id(demo_engine, instance_id, "Strakstiltak"),
                               "lise.leder", {"strakstiltak": "Legevakt kontaktet."})
    task_id = open_task_id(demo_engine, instance_id, "AnalyserAarsak")
    demo_engine.tasks.claim(task_id, "lise.leder")

    response = login_as("lise.leder").post(f"/oppgaver/{task_id}", data={
        "aarsak": "Medisinene lå i feil dosett.", "tiltak[0].tittel": "Dobbeltkontroll",
        "_action": "add:tiltak"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert 'value="Dobbeltkontroll"' in html
    assert 'name="tiltak[1].tittel"' in html
    assert "Medisinene lå i feil dosett." in html
    assert _task_state(demo_engine, task_id) == ("open", "lise.leder")


def test_measure_task_shows_readonly_fields_as_text(login_as: Any, report: Any,
                                                    demo_engine: ProcessEngine) -> None:
    instance_id = report()
    demo_engine.tasks.complete(handle_to_analysis(demo_engine, instance_id), "lise.leder",
                               {**ANALYSIS_DATA, "tiltak": MEASURES[:1]})
    task_id = open_task_id(demo_engine, instance_id, "GjennomforTiltak")

    html = login_as("fatima.ansatt").get(f"/oppgaver/{task_id}").get_data(as_text=True)
    form = html[html.index('<form class="sloyfe-form"'):]

    assert '<dt class="ds-label">Hva skal gjøres?</dt>' in form
    assert "<dd>Innfør dobbeltkontroll</dd>" in form
    assert "<dd>20.01.2027</dd>" in form
    assert 'name="tiltak_element.tittel"' not in form
    assert 'name="tiltak_element.frist"' not in form
    assert "dd.mm.åååå" not in form
    assert 'name="tiltak_element.gjennomforing"' in form
