"""Budget forms that break a rule the form alone cannot check: the form comes back with the
message at the field and every value the user typed. The test clock is at 09:00 in Oslo on
04.01.2027."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from engine.runtime.timeexpr import OSLO
from tests.web.conftest import open_task_id
from tests.web.test_start_form_checks import field_error

FINANCE = "jon.okonomi"
DIRECTOR = "kari.direktor"


def budget_cases(engine: ProcessEngine) -> list[Any]:
    with engine.transaction(read_only=True):
        return engine.runtime.instances(key="budsjett")


@pytest.mark.parametrize("year", ["1999", "2028"])
def test_start_year_outside_range_keeps_value(login_as: Any, demo_engine: ProcessEngine,
                                              year: str) -> None:
    response = login_as(FINANCE).post("/start/budsjett", data={"budsjettaar": year})
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_error(html, "budsjettaar") == (
        f"Budsjettåret {year} kan ikke startes nå. Skriv et år fra og med 2026 til og med "
        "2027.")
    assert f'value="{year}"' in html
    assert budget_cases(demo_engine) == []


def test_start_last_year_accepted(login_as: Any, demo_engine: ProcessEngine) -> None:
    response = login_as(FINANCE).post("/start/budsjett", data={"budsjettaar": "2026"})

    assert response.status_code == 302
    assert len(budget_cases(demo_engine)) == 1


def test_start_year_with_case_names_it(login_as: Any, demo_engine: ProcessEngine) -> None:
    client = login_as(FINANCE)
    assert client.post("/start/budsjett", data={"budsjettaar": "2027"}).status_code == 302
    [first] = budget_cases(demo_engine)

    response = client.post("/start/budsjett", data={"budsjettaar": "2027"})
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_error(html, "budsjettaar") == (
        f"Budsjettåret 2027 har allerede den åpne saken {first.business_key}. Fortsett i den "
        "saken, eller avbryt den før du starter året på nytt.")
    assert 'value="2027"' in html
    assert len(budget_cases(demo_engine)) == 1


def walk_to_frames(engine: ProcessEngine, clock: FixedClock) -> int:
    """Start budget year 2027 with the nursing home as the one reporting unit, and complete
    every task before the frames."""
    engine.repository.set_setting("budsjett.syklus", {"enheter": ["sykehjem"]}, actor="admin")
    instance_id = engine.runtime.start("budsjett", FINANCE, {"budsjettaar": "2027"}).instance_id
    engine.tasks.complete(open_task_id(engine, instance_id, "AvleggAarsregnskap"), FINANCE, {
        "regnskap_avlagt": "2027-01-04", "netto_driftsresultat": 0})
    clock.set(datetime(2027, 5, 1, 8, 0, tzinfo=OSLO))
    engine.management.run_due()
    engine.tasks.complete(open_task_id(engine, instance_id, "T1LeverPrognose"), "lise.leder", {
        "prognose": {"ramme": 80_000_000, "aarsprognose": 80_000_000,
                     "forklaring": "I balanse."}})
    engine.tasks.complete(open_task_id(engine, instance_id, "T1Tertialrapport"), FINANCE, {
        "tertial_vurdering": "I balanse."})
    return instance_id


def frames_task_of_director(engine: ProcessEngine, clock: FixedClock) -> tuple[int, str]:
    instance_id = walk_to_frames(engine, clock)
    task_id = open_task_id(engine, instance_id, "FastsettRammer")
    engine.tasks.claim(task_id, DIRECTOR)
    return instance_id, task_id


def test_frames_with_repeated_unit_keep_rows(login_as: Any, demo_engine: ProcessEngine,
                                             clock: FixedClock) -> None:
    _, task_id = frames_task_of_director(demo_engine, clock)
    data = {"rammer[0].enhet": "sykehjem", "rammer[0].ramme": "80 000 000",
            "rammer[0].virksomhetsplan": "Færre vikarer.",
            "rammer[1].enhet": "sykehjem", "rammer[1].ramme": "1 500 000",
            "rammer[1].virksomhetsplan": "Ny dagavdeling."}

    response = login_as(DIRECTOR).post(f"/oppgaver/{task_id}", data=data)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert field_error(html, "rammer[1].enhet") == (
        "Rad 2 gjentar enheten Eksempel sykehjem fra rad 1. Gi hver enhet én rad med hele "
        "rammen, og fjern denne raden eller velg en annen enhet.")
    assert field_error(html, "rammer[0].enhet") is None
    assert "Ny dagavdeling." in html
    assert "Færre vikarer." in html


def test_frames_with_one_row_per_unit_accepted(login_as: Any, demo_engine: ProcessEngine,
                                               clock: FixedClock) -> None:
    instance_id, task_id = frames_task_of_director(demo_engine, clock)

    response = login_as(DIRECTOR).post(f"/oppgaver/{task_id}", data={
        "rammer[0].enhet": "sykehjem", "rammer[0].ramme": "0"})

    assert response.status_code == 302
    with demo_engine.transaction(read_only=True):
        assert demo_engine.tasks.open_tasks_of_instance(instance_id, "FastsettRammer") == []
