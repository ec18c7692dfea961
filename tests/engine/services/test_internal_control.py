"""The internal-control report, from real cases run through the processes with the clock moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from engine.demo import load_organisation, load_processes
from engine.engine import ProcessEngine
from engine.errors import InvalidInput, UnitNotFound
from engine.runtime.clock import FixedClock
from engine.runtime.timeexpr import OSLO
from engine.services.internal_control import InternalControlReport
from tests.engine.processes import test_politisk_vedtak as decisions
from tests.engine.processes import test_risikovurdering as reviews
from tests.engine.processes.driver import ProcessDriver
from tests.engine.processes.test_avvik import ACCEPT, REPORT, handle_to_analysis


@pytest.fixture
def driver(make_engine: Callable[..., ProcessEngine], clock: FixedClock) -> ProcessDriver:
    setup = make_engine()
    load_organisation(setup)
    load_processes(setup)
    return ProcessDriver(make_engine, clock, restart=False)


def oslo(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=OSLO)


def deviation(driver: ProcessDriver, **changes: Any) -> int:
    """Report a deviation that happened an hour before the clock's time."""
    happened = (driver.clock.now() - timedelta(hours=1)).isoformat()
    return driver.start("avvik", "ola.ansatt", {**REPORT, "tidspunkt": happened, **changes})


def report(driver: ProcessDriver, year: int = 2027,
           unit: str | None = None) -> InternalControlReport:
    return driver.engine.internal_control.report(year, unit)


def counts(rows: list[Any]) -> dict[str, int]:
    return {row.key: row.count for row in rows}


def seed_deviations(driver: ProcessDriver) -> dict[str, int]:
    """Two deviations in May 2026, three in January and March 2027, one with measures."""
    driver.clock.set(oslo("2026-05-12T10:00"))
    deviation(driver)
    deviation(driver, enhet="hjemmetjenesten", kategori="hms")
    driver.clock.set(oslo("2027-01-04T09:00"))
    measured = deviation(driver)
    driver.complete(measured, "VurderAvvik", "lise.leder",
                    {**ACCEPT, "alvorlighetsgrad": "Kritisk"})
    handle_to_analysis(driver, measured, [
        {"tittel": "Innfør dobbeltkontroll", "ansvarlig": "fatima.ansatt",
         "frist": "2027-01-20"},
        {"tittel": "Oppdater rutinen", "ansvarlig": "lise.leder", "frist": "2027-03-31"},
    ])
    rejected = deviation(driver, kategori="hms", alvorlighetsgrad="Lav")
    driver.complete(rejected, "VurderAvvik", "lise.leder", {
        **ACCEPT, "alvorlighetsgrad": "Lav", "beslutning": "avvis",
        "begrunnelse": "Meldt to ganger."})
    driver.clock.set(oslo("2027-03-02T09:00"))
    other = deviation(driver, enhet="hjemmetjenesten", kategori="bygg",
                      alvorlighetsgrad="Høy")
    return {"measured": measured, "rejected": rejected, "other": other}


def test_deviation_counts_by_kind(driver: ProcessDriver) -> None:
    seed_deviations(driver)
    section = report(driver).deviations

    assert section.total == 3
    assert section.previous_total == 2
    assert counts(section.by_kind) == {"hms": 1, "tjeneste": 1, "informasjonssikkerhet": 0,
                                       "bygg": 1}
    assert {row.key: row.previous for row in section.by_kind}["hms"] == 1
    assert {row.key: row.label for row in section.by_kind}["tjeneste"] != "tjeneste"


def test_deviation_severity_follows_assessment(driver: ProcessDriver) -> None:
    seed_deviations(driver)
    section = report(driver).deviations

    assert [row.key for row in section.by_severity] == ["Kritisk", "Høy", "Middels", "Lav",
                                                        "Ubetydelig"]
    assert counts(section.by_severity) == {"Kritisk": 1, "Høy": 1, "Middels": 0, "Lav": 1,
                                           "Ubetydelig": 0}
    assert counts(section.by_status)["Avvist"] == 1


def test_deviation_trend_by_month(driver: ProcessDriver) -> None:
    seed_deviations(driver)
    section = report(driver).deviations

    assert [month.count for month in section.by_month] == [2, 0, 1] + [0] * 9
    assert [month.previous for month in section.by_month] == [0, 0, 0, 0, 2] + [0] * 7
    assert [tertial.count for tertial in section.by_tertial] == [3, 0, 0]
    assert [tertial.previous for tertial in section.by_tertial] == [0, 2, 0]


def test_deviation_units_sum_up_tree(driver: ProcessDriver) -> None:
    seed_deviations(driver)
    rows = {row.node.code: row for row in report(driver).deviation_units}

    assert rows["sykehjem"].own == 2
    assert rows["hjemmetjenesten"].own == 1
    assert rows["helse-omsorg"].own == 0
    assert rows["helse-omsorg"].total == 3
    assert rows["helse-omsorg"].previous_total == 2
    assert rows["eksempel"].total == 3
    assert rows["oppvekst"].total == 0


def test_unit_scope_leaves_out_other_units(driver: ProcessDriver) -> None:
    seed_deviations(driver)
    scoped = report(driver, unit="hjemmetjenesten")

    assert scoped.deviations.total == 1
    assert scoped.deviations.previous_total == 1
    assert [node.code for node in scoped.units] == ["hjemmetjenesten"]
    assert scoped.deviations.open_measures == []


def test_measures_open_overdue_and_on_time(driver: ProcessDriver) -> None:
    cases = seed_deviations(driver)
    driver.clock.set(oslo("2027-02-10T09:00"))
    first = next(task for task in driver.open_tasks(cases["measured"], "GjennomforTiltak")
                 if task.name.endswith("Innfør dobbeltkontroll"))
    driver.engine.tasks.complete(first.id, "fatima.ansatt", {"tiltak_element": {
        "status": "gjennomfort", "gjennomforing": "Gjort."}})
    driver.clock.set(oslo("2027-04-15T09:00"))

    section = report(driver).deviations
    assert [row.title for row in section.open_measures] == ["Oppdater rutinen"]
    assert section.open_measures[0].unit_name == "Eksempel sykehjem"
    assert section.open_measures[0].overdue is True
    assert section.overdue_measures == 1
    assert section.completed_measures == 1
    assert section.completed_on_time == 0
    assert section.on_time_share == 0.0


def test_past_year_counts_measures_at_year_end(driver: ProcessDriver) -> None:
    seed_deviations(driver)
    driver.clock.set(oslo("2028-02-01T09:00"))

    section = report(driver, 2027).deviations
    assert section.total == 3
    assert len(section.open_measures) == 2
    assert report(driver, 2028).deviations.previous_total == 3


def make_confidential(driver: ProcessDriver, file_name: str) -> None:
    """Deploy a new version of a process from bpmn/ marked confidential."""
    with open(driver.engine.config["BPMN_DIR"] + "/" + file_name, encoding="utf-8") as file:
        diagram = file.read()
    marked = diagram.replace(
        '<camunda:property name="titleVariable" value="tittel" />',
        '<camunda:property name="titleVariable" value="tittel" />'
        '<camunda:property name="confidential" value="true" />'
        '<camunda:property name="readerGroups" value="personvernombud" />', 1)
    assert marked != diagram
    driver.engine.repository.deploy([(file_name, marked.encode())], actor="admin")


def test_confidential_deviations_only_counted(driver: ProcessDriver) -> None:
    seed_deviations(driver)
    make_confidential(driver, "avvik.bpmn")

    section = report(driver).deviations
    assert section.confidential is True
    assert section.total == 3
    assert section.by_kind == []
    assert section.open_measures == []
    assert report(driver).deviation_units == []


def test_risk_matrix_counts_events(driver: ProcessDriver) -> None:
    approved = reviews.run_to_approval(driver)
    section = report(driver).risks

    assert section.total == 1
    assert section.by_status == [("Godkjent", 1)]
    assert section.events == 3
    cells = {(cell.likelihood, cell.consequence): cell for row in section.matrix
             for cell in row.cells}
    assert cells[(2, 4)].count == 1
    assert cells[(2, 3)].count == 1
    assert cells[(1, 2)].count == 1
    assert cells[(4, 4)].count == 0
    assert cells[(5, 5)].level == "Høy"
    assert {level.name: level.count for level in section.levels} == {
        "Høy": 0, "Middels": 2, "Lav": 1}
    assert section.high_risks == []
    assert approved > 0


def test_high_risk_without_approval_listed(driver: ProcessDriver) -> None:
    reviews.run_to_measures(driver)
    section = report(driver).risks

    assert section.by_status == [("Pågår", 1)]
    assert [risk.event_title for risk in section.high_risks] == ["Feil legemiddel gitt"]
    assert section.high_risks[0].level == "Høy"
    assert section.high_risks[0].measures == 2
    assert section.high_risks[0].unit_name == "Eksempel sykehjem"
    assert {level.name: level.count for level in section.levels}["Høy"] == 1


def test_approved_high_risk_left_out(driver: ProcessDriver) -> None:
    approved = reviews.run_to_measures(driver)
    reviews.carry_out_measures(driver, approved)
    # The risk owner accepts a residual risk that is still above the limit.
    reviews.approve_residual_risk(driver, approved, hendelser=[
        {"rest_sannsynlighet": 4, "rest_konsekvens": 4},
        {"rest_sannsynlighet": 2, "rest_konsekvens": 3},
        {"rest_sannsynlighet": 1, "rest_konsekvens": 2}])
    unapproved = reviews.run_to_measures(driver)

    section = report(driver).risks
    assert dict(section.by_status) == {"Godkjent": 1, "Pågår": 1}
    assert [risk.case_id for risk in section.high_risks] == [unapproved]
    assert section.high_risks[0].event_title == "Feil legemiddel gitt"


def test_past_year_review_status(driver: ProcessDriver) -> None:
    reviews.run_to_approval(driver)
    driver.clock.set(oslo("2028-03-01T09:00"))
    driver.advance(minutes=0)  # the yearly review has started a new round

    assert report(driver, 2027).risks.by_status == [("Godkjent", 1)]
    assert report(driver, 2028).risks.by_status == [("Planlagt", 1)]


def test_confidential_reviews_only_counted(driver: ProcessDriver) -> None:
    reviews.run_to_measures(driver)
    make_confidential(driver, "risikovurdering.bpmn")

    section = report(driver).risks
    assert section.confidential is True
    assert section.total == 1
    assert section.high_risks == []
    assert section.matrix == []


def test_confidential_decisions_only_counted(driver: ProcessDriver) -> None:
    instance_id = decisions.register(driver)
    decisions.distribute(driver, instance_id)
    make_confidential(driver, "politisk-vedtak.bpmn")

    section = report(driver).decisions
    assert section.confidential is True
    assert section.cases == 1
    assert section.open_points == []
    assert section.by_status == []


def test_decision_points_by_status(driver: ProcessDriver) -> None:
    instance_id = decisions.register(driver)
    decisions.distribute(driver, instance_id)
    decisions.carry_out(driver, instance_id, 1)
    driver.advance(days=120)  # past the report date 30.04
    decisions.report_all(driver, instance_id)

    section = report(driver).decisions
    statuses = dict(section.by_status)
    assert statuses["Fullført"] == 1
    assert statuses["Under arbeid"] == 1
    assert statuses["Ikke startet"] == 0
    assert [point.number for point in section.open_points] == [2]
    assert section.open_points[0].reported_status == "Under arbeid"
    assert section.open_points[0].unit_name == "Eksempel sykehjem"
    assert section.open_points[0].overdue is False


def test_decision_point_past_deadline(driver: ProcessDriver) -> None:
    instance_id = decisions.register(driver)
    decisions.distribute(driver, instance_id)
    driver.clock.set(oslo("2027-07-05T09:00"))
    driver.advance(hours=1)

    section = report(driver).decisions
    first = next(point for point in section.open_points if point.number == 1)
    assert first.overdue is True
    assert first.status == "Forsinket"
    assert section.overdue == 1


def test_past_year_decision_status(driver: ProcessDriver) -> None:
    instance_id = decisions.register(driver)
    decisions.distribute(driver, instance_id)
    driver.clock.set(oslo("2027-07-05T09:00"))
    driver.advance(hours=1)  # the implementation of point 1 is sent to the next leader
    driver.clock.set(oslo("2028-01-10T09:00"))
    decisions.carry_out(driver, instance_id, 1)

    last_year = {point.number: point for point in report(driver, 2027).decisions.open_points}
    this_year = {point.number: point for point in report(driver, 2028).decisions.open_points}

    assert last_year[1].status == "Forsinket"
    assert last_year[1].overdue is True
    assert 1 not in this_year
    assert dict(report(driver, 2028).decisions.by_status)["Fullført"] == 1


def test_decision_awaiting_body(driver: ProcessDriver) -> None:
    instance_id = decisions.register(driver)
    decisions.distribute(driver, instance_id)
    decisions.complete_point(driver, instance_id, "IverksettVedtak", 1, "anne.rektor", {
        "utfall": "hinder", "hinder": "Det mangler midler i budsjettet."})

    points = {point.number: point for point in report(driver).decisions.open_points}
    assert points[1].status == "Venter på politisk avklaring"
    assert points[2].status == "Ikke startet"


def test_decision_scope_by_point_unit(driver: ProcessDriver) -> None:
    instance_id = decisions.register(driver)
    decisions.distribute(driver, instance_id)

    school = report(driver, unit="oppvekst").decisions
    assert [point.number for point in school.open_points] == [1]
    assert school.cases == 1
    assert report(driver, unit="hjemmetjenesten").decisions.cases == 0


def test_suggestions_by_outcome(driver: ProcessDriver) -> None:
    driver.start("forbedringsforslag", "ola.ansatt", {
        "tittel": "Felles kalender", "beskrivelse": "Bruk én kalender for vaktene.",
        "forbedrer": "arbeidsflyt", "gevinst": "Færre feil.", "enhet": "sykehjem"})

    section = report(driver).suggestions
    assert section.total == 1
    assert [(row.status, row.count) for row in section.by_status] == [("Under vurdering", 1)]


def test_confidential_process_counted_without_detail(driver: ProcessDriver) -> None:
    from tests.confidential import start_confidential_case

    start_confidential_case(driver.engine)
    hidden = report(driver).confidential
    counted = {row.process_name: row.count for row in hidden}
    assert counted["Samtaletest"] == 1
    assert counted["Medarbeidersamtale"] == 0


def test_year_outside_range_rejected(driver: ProcessDriver) -> None:
    with pytest.raises(InvalidInput):
        report(driver, 1999)


def test_unknown_unit_rejected(driver: ProcessDriver) -> None:
    with pytest.raises(UnitNotFound):
        report(driver, unit="finnes-ikke")
