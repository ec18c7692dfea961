"""Person pickers on task pages: the nursing home's deviation offers its own people and
those of the units above it, never the admin account or people of other units."""

from __future__ import annotations

from typing import Any

from engine.engine import ProcessEngine
from tests.web.conftest import ANALYSIS_DATA, handle_to_analysis


def analysis_page(login_as: Any, report: Any, demo_engine: ProcessEngine) -> tuple[Any, str]:
    instance_id = report()
    task_id = handle_to_analysis(demo_engine, instance_id)
    demo_engine.tasks.claim(task_id, "lise.leder")
    return login_as("lise.leder"), task_id


def test_measure_owner_choices(login_as: Any, report: Any,
                               demo_engine: ProcessEngine) -> None:
    client, task_id = analysis_page(login_as, report, demo_engine)

    html = client.get(f"/oppgaver/{task_id}").get_data(as_text=True)

    assert 'value="fatima.ansatt"' in html
    assert 'value="tor.kommunalsjef"' in html
    assert 'value="admin"' not in html
    assert 'value="jonas.ansatt"' not in html


def test_other_unit_owner_rejected(login_as: Any, report: Any,
                                   demo_engine: ProcessEngine) -> None:
    client, task_id = analysis_page(login_as, report, demo_engine)

    response = client.post(f"/oppgaver/{task_id}", data={
        **ANALYSIS_DATA, "tiltak[0].tittel": "Dobbeltkontroll",
        "tiltak[0].ansvarlig": "jonas.ansatt", "tiltak[0].frist": "2027-01-20"})
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "Velg et av alternativene i listen." in html
    assert 'value="Dobbeltkontroll"' in html
    assert ANALYSIS_DATA["aarsak"] in html
