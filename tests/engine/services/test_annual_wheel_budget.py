"""The shipped budget process in the annual wheel: its legal dates every year, and a running
budget case replacing them without showing its escalations."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from engine.demo import load_organisation, load_processes
from engine.engine import ProcessEngine
from engine.runtime.clock import FixedClock
from engine.runtime.timeexpr import OSLO
from engine.services.annual_wheel import AnnualWheel
from engine.services.annual_wheel_timers import ESCALATION, LEGAL_DEADLINE, REMINDER
from tests.engine.processes.driver import ProcessDriver

LEGAL_DATES = {
    "Avlegg årsregnskapet": "22.02",
    "Legg fram årsrapporten": "31.03",
    "Tall per 30.04": "30.04",
    "Tall per 31.08": "31.08",
    "Legg ut formannskapets innstilling": "17.12",
    "Registrer vedtak i kommunestyret": "31.12",
}


@pytest.fixture
def driver(make_engine: Callable[..., ProcessEngine], clock: FixedClock) -> ProcessDriver:
    setup = make_engine()
    load_organisation(setup)
    load_processes(setup)
    return ProcessDriver(make_engine, clock, restart=False)


def budget_entries(wheel: AnnualWheel) -> list[tuple[str, str, str, int | None]]:
    return [(entry.title, entry.at.astimezone(OSLO).strftime("%d.%m"), entry.kind,
             entry.instance_id)
            for entry in wheel.entries if entry.process_key == "budsjett"]


def legal_dates(wheel: AnnualWheel) -> dict[str, str]:
    return {title: day for title, day, kind, _case in budget_entries(wheel)
            if kind == LEGAL_DEADLINE}


def test_legal_dates_every_year(driver: ProcessDriver) -> None:
    for year in (2027, 2028):
        wheel = driver.engine.annual_wheel.wheel("ola.ansatt", year)

        assert legal_dates(wheel) == LEGAL_DATES


def test_running_case_replaces_legal_dates(driver: ProcessDriver) -> None:
    instance_id = driver.start("budsjett", "jon.okonomi", {"budsjettaar": "2027"})

    entries = budget_entries(driver.engine.annual_wheel.wheel("admin", 2027))
    titles = [title for title, _day, _kind, _case in entries]

    for title in ("Avlegg årsregnskapet", "Legg fram årsrapporten", "Tall per 30.04",
                  "Tall per 31.08"):
        assert titles.count(title) == 1, title
    accounts = next(entry for entry in entries if entry[0] == "Avlegg årsregnskapet")
    assert accounts == ("Avlegg årsregnskapet", "22.02", LEGAL_DEADLINE, instance_id)
    figures = next(entry for entry in entries if entry[0] == "Tall per 30.04")
    assert figures[3] == instance_id
    # The escalations follow deadlines the wheel already shows.
    assert "Frist for årsregnskapet passert" not in titles
    assert "Frist for årsrapporten passert" not in titles
    assert [kind for title, _day, kind, _case in entries
            if title == "Frist for budsjettvedtak nærmer seg"] == [REMINDER]
    assert ESCALATION not in {kind for _title, _day, kind, _case in entries}
