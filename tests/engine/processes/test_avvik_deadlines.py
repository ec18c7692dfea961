"""Deadlines of a deviation: evaluation and closing count from when each task opens, the
immediate measures and the analysis from the report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.engine.processes.driver import ProcessDriver
from tests.engine.processes.test_avvik import accept, handle_to_analysis, report

MEASURE = {"tittel": "Innfør dobbeltkontroll", "ansvarlig": "lise.leder", "frist": "2027-01-20"}


@pytest.fixture
def processes() -> list[str]:
    return ["avvik.bpmn"]


def carry_out_measure(driver: ProcessDriver, instance_id: int) -> None:
    [measure] = driver.open_tasks(instance_id, "GjennomforTiltak")
    driver.engine.tasks.complete(measure.id, measure.assignee, {"tiltak_element": {
        "status": "gjennomfort", "gjennomforing": "Gjort."}})


def test_evaluation_due_two_weeks_after(driver: ProcessDriver) -> None:
    instance_id = report(driver)
    accept(driver, instance_id)
    handle_to_analysis(driver, instance_id, [MEASURE])
    driver.advance(days=10)

    carry_out_measure(driver, instance_id)

    task = driver.task(instance_id, "EvaluerTiltak")
    assert task.due_at == driver.clock.now() + timedelta(days=14)


def test_closing_due_a_week_after(driver: ProcessDriver) -> None:
    instance_id = report(driver)
    accept(driver, instance_id)
    driver.advance(days=2)

    handle_to_analysis(driver, instance_id, [])

    task = driver.task(instance_id, "LukkAvvik")
    assert task.due_at == driver.clock.now() + timedelta(days=7)


def test_evaluation_deadline_is_a_setting(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting(
        "avvik.frister", {"standard": {"evaluering": "P30D"}}, actor="admin")
    instance_id = report(driver)
    accept(driver, instance_id)
    handle_to_analysis(driver, instance_id, [MEASURE])

    carry_out_measure(driver, instance_id)

    task = driver.task(instance_id, "EvaluerTiltak")
    assert task.due_at == driver.clock.now() + timedelta(days=30)


def test_late_assessment_keeps_handling_deadlines(driver: ProcessDriver) -> None:
    reported_at = driver.clock.now()
    instance_id = report(driver)
    driver.advance(days=5)

    accept(driver, instance_id)

    measures = driver.task(instance_id, "Strakstiltak")
    assert measures.due_at == reported_at + timedelta(days=1)
    variables = driver.variables(instance_id)
    assert variables["frist_analyse"] == (reported_at + timedelta(days=14)).isoformat()


def test_severity_change_recounts_from_report(driver: ProcessDriver) -> None:
    reported_at = driver.clock.now()
    instance_id = report(driver)
    driver.advance(days=2)

    accept(driver, instance_id, alvorlighetsgrad="Høy")

    measures = driver.task(instance_id, "Strakstiltak")
    assert measures.due_at == reported_at + timedelta(days=1)
    variables = driver.variables(instance_id)
    assert variables["frist_analyse"] == (reported_at + timedelta(days=7)).isoformat()
