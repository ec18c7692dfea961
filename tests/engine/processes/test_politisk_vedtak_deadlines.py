"""Deadlines of the follow-up steps of a decision point, counted from when each task opens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.engine.processes.driver import ProcessDriver
from tests.engine.processes.test_politisk_vedtak import (
    SECRETARY,
    complete_point,
    distribute,
    point_tasks,
    register,
)


@pytest.fixture
def processes() -> list[str]:
    return ["politisk-vedtak.bpmn"]


def test_confirmation_due_in_a_week(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)
    driver.advance(days=3)

    complete_point(driver, instance_id, "IverksettVedtak", 1, "anne.rektor",
                   {"utfall": "iverksatt", "gjennomforing": "Gjort som vedtatt."})

    task = point_tasks(driver, instance_id, "BekreftFullfort")[1]
    assert task.due_at == driver.clock.now() + timedelta(days=7)


def test_obstacle_steps_have_deadlines(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)

    complete_point(driver, instance_id, "IverksettVedtak", 1, "anne.rektor", {
        "utfall": "hinder", "hinder": "Det mangler midler i budsjettet."})
    briefing = point_tasks(driver, instance_id, "OrienterUtvalget")[1]
    assert briefing.due_at == driver.clock.now() + timedelta(days=14)

    driver.advance(days=1)
    complete_point(driver, instance_id, "OrienterUtvalget", 1, "anne.rektor", {
        "orientering": "Utredningen krever midler som ikke er bevilget.",
        "orientering_saksnummer": "PS 31/27"})
    clarification = point_tasks(driver, instance_id, "RegistrerAvklaring")[1]
    assert clarification.due_at == driver.clock.now() + timedelta(days=60)


def test_follow_up_deadlines_are_a_setting(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("politisk-vedtak.oppfolging", {"bekreftelse": "P2D"},
                                         actor=SECRETARY)
    instance_id = register(driver)
    distribute(driver, instance_id)

    complete_point(driver, instance_id, "IverksettVedtak", 1, "anne.rektor",
                   {"utfall": "iverksatt", "gjennomforing": "Gjort som vedtatt."})

    task = point_tasks(driver, instance_id, "BekreftFullfort")[1]
    assert task.due_at == driver.clock.now() + timedelta(days=2)
