"""What follows a completed or put-back task: the message and the page the user lands on."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from engine.engine import ProcessEngine
from tests.web.conftest import ANALYSIS_DATA, MEASURES, handle_to_analysis, open_task_id


def _measure_ids(engine: ProcessEngine, instance_id: int) -> dict[str, str]:
    """Map each measure's owner to the id of their open measure task."""
    with engine.transaction(read_only=True):
        tasks = engine.tasks.open_tasks_of_instance(instance_id, "GjennomforTiltak")
        return {task.assignee or "": task.id for task in tasks}


def _analysis_post(measures: list[dict[str, str]]) -> dict[str, str]:
    data = dict(ANALYSIS_DATA)
    for index, measure in enumerate(measures):
        data[f"tiltak[{index}].tittel"] = measure["tittel"]
        data[f"tiltak[{index}].ansvarlig"] = measure["ansvarlig"]
        data[f"tiltak[{index}].frist"] = measure["frist"]
    return data


def _flash(client: FlaskClient, location: str) -> str:
    return client.get(location).get_data(as_text=True)


def test_completion_lists_only_own_next_steps(login_as: Any, report: Any,
                                              demo_engine: ProcessEngine) -> None:
    instance_id = report()
    task_id = handle_to_analysis(demo_engine, instance_id)
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}", data=_analysis_post(MEASURES))
    measures = _measure_ids(demo_engine, instance_id)
    html = _flash(client, response.headers["Location"])

    assert response.headers["Location"] == f"/oppgaver/{measures['lise.leder']}"
    assert ("«Analyser årsak» er fullført. Neste steg: «Gjennomfør tiltak – Oppdater rutinen»."
            in html)
    assert "Neste steg: «Gjennomfør tiltak – Innfør dobbeltkontroll»" not in html


def test_two_own_next_steps_lead_to_my_tasks(login_as: Any, report: Any,
                                             demo_engine: ProcessEngine) -> None:
    instance_id = report()
    task_id = handle_to_analysis(demo_engine, instance_id)
    both_mine = [{**measure, "ansvarlig": "lise.leder"} for measure in MEASURES]
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}", data=_analysis_post(both_mine))
    html = _flash(client, response.headers["Location"])

    assert response.headers["Location"] == "/oppgaver?visning=mine"
    assert "Neste steg: «Gjennomfør tiltak – Innfør dobbeltkontroll», «Gjennomfør tiltak – " \
        "Oppdater rutinen»." in html


def test_others_next_step_is_not_named(login_as: Any, report: Any,
                                       demo_engine: ProcessEngine) -> None:
    instance_id = report()
    demo_engine.tasks.complete(handle_to_analysis(demo_engine, instance_id), "lise.leder",
                               {**ANALYSIS_DATA, "tiltak": MEASURES})
    fatima_task = _measure_ids(demo_engine, instance_id)["fatima.ansatt"]
    client = login_as("fatima.ansatt")

    response = client.post(f"/oppgaver/{fatima_task}", data={
        "tiltak_element.status": "gjennomfort", "tiltak_element.gjennomforing": "Gjort."})
    html = _flash(client, response.headers["Location"])

    assert response.headers["Location"] == "/oppgaver?visning=felles"
    assert "«Gjennomfør tiltak – Innfør dobbeltkontroll» er fullført." in html
    assert "Neste steg" not in html


def test_completion_goes_to_my_tasks_when_assigned(login_as: Any, report: Any,
                                                   demo_engine: ProcessEngine) -> None:
    other = report(tittel="Fall i gangen")
    demo_engine.tasks.claim(open_task_id(demo_engine, other, "VurderAvvik"), "fatima.ansatt")
    instance_id = report()
    demo_engine.tasks.complete(handle_to_analysis(demo_engine, instance_id), "lise.leder",
                               {**ANALYSIS_DATA, "tiltak": MEASURES})
    fatima_task = _measure_ids(demo_engine, instance_id)["fatima.ansatt"]

    response = login_as("fatima.ansatt").post(f"/oppgaver/{fatima_task}", data={
        "tiltak_element.status": "gjennomfort", "tiltak_element.gjennomforing": "Gjort."})

    assert response.headers["Location"] == "/oppgaver?visning=mine"


def test_put_back_names_receiving_group(login_as: Any, report: Any,
                                        demo_engine: ProcessEngine) -> None:
    task_id = open_task_id(demo_engine, report(), "VurderAvvik")
    demo_engine.tasks.claim(task_id, "fatima.ansatt")
    client = login_as("fatima.ansatt")

    response = client.post(f"/oppgaver/{task_id}/legg-tilbake")
    html = _flash(client, response.headers["Location"])

    assert response.headers["Location"] == f"/oppgaver/{task_id}"
    assert "Oppgaven er lagt tilbake til behandlere, Eksempel sykehjem." in html


def test_put_back_by_outsider_goes_to_my_tasks(login_as: Any, report: Any,
                                               demo_engine: ProcessEngine) -> None:
    instance_id = report()
    demo_engine.tasks.complete(handle_to_analysis(demo_engine, instance_id), "lise.leder",
                               {**ANALYSIS_DATA, "tiltak": [
                                   {**MEASURES[0], "ansvarlig": "hanne.hr"}]})
    task_id = _measure_ids(demo_engine, instance_id)["hanne.hr"]
    client = login_as("hanne.hr")

    response = client.post(f"/oppgaver/{task_id}/legg-tilbake")
    html = _flash(client, response.headers["Location"])

    # Hanne works at the municipality level above the nursing home and is no handler of it,
    # so once the measure is back with the nursing home's handlers, she may no longer open it.
    assert response.headers["Location"] == "/oppgaver?visning=mine"
    assert "Oppgaven er lagt tilbake til behandlere, Eksempel sykehjem." in html


def test_offered_next_step_is_named(login_as: Any, report: Any,
                                    demo_engine: ProcessEngine) -> None:
    instance_id = report()
    task_id = open_task_id(demo_engine, instance_id, "VurderAvvik")
    client = login_as("lise.leder")
    client.post(f"/oppgaver/{task_id}/tildel")

    response = client.post(f"/oppgaver/{task_id}", data={
        "beslutning": "godta", "alvorlighetsgrad": "Høy", "personskade": "true",
        "alvorlig_hendelse": "true"})
    html = _flash(client, response.headers["Location"])

    # The alert to the authorities is offered to the unit's leader, who is lise.leder.
    assert "«Varsle Arbeidstilsynet og politi»" in html
    assert "«Gjennomfør strakstiltak»" in html


def test_step_offered_to_others_is_not_named(login_as: Any, report: Any,
                                             demo_engine: ProcessEngine) -> None:
    instance_id = report()
    task_id = open_task_id(demo_engine, instance_id, "VurderAvvik")
    client = login_as("fatima.ansatt")
    client.post(f"/oppgaver/{task_id}/tildel")

    response = client.post(f"/oppgaver/{task_id}", data={
        "beslutning": "godta", "alvorlighetsgrad": "Høy", "personskade": "true",
        "alvorlig_hendelse": "true"})
    html = _flash(client, response.headers["Location"])

    assert "Neste steg: «Gjennomfør strakstiltak»." in html
    assert "«Varsle Arbeidstilsynet og politi»" not in html


def test_step_open_before_is_not_named(login_as: Any, report: Any,
                                       demo_engine: ProcessEngine) -> None:
    """The leader's alert task opened with the report, so it is no next step of the
    analysis."""
    instance_id = report(personskade=True, alvorlig_hendelse=True)
    task_id = handle_to_analysis(demo_engine, instance_id)
    client = login_as("lise.leder")

    response = client.post(f"/oppgaver/{task_id}", data=_analysis_post(MEASURES))
    html = _flash(client, response.headers["Location"])

    assert "Neste steg: «Gjennomfør tiltak – Oppdater rutinen»." in html
    assert "Varsle Arbeidstilsynet" not in html.split("Neste steg", 1)[1][:300]
