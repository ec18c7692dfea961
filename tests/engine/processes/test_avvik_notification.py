"""The notification branches of a deviation: escalation when the 72-hour deadline to
Datatilsynet passes, and the case status while a notification task is still open."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.engine.processes.driver import ProcessDriver
from tests.engine.processes.test_avvik import accept, close, handle_to_analysis, report

PRIVACY = {"kategori": "informasjonssikkerhet", "personopplysninger": True,
           "oppdaget": "2027-01-04T07:00:00+01:00"}
NOT_REPORTED = {"meldt_datatilsynet": "nei", "begrunnelse_datatilsynet": "Ingen risiko."}


@pytest.fixture
def processes() -> list[str]:
    return ["avvik.bpmn"]


def test_passed_deadline_goes_to_leader_above(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = report(driver, **PRIVACY)
    task = driver.task(instance_id, "VurderDatatilsynet")
    driver.clock.set(task.due_at - timedelta(minutes=1))
    driver.advance(minutes=0)
    assert driver.group_list("tor.kommunalsjef") == []

    driver.advance(minutes=1)

    assert [open_task.id for open_task in driver.group_list("tor.kommunalsjef")] == [task.id]
    assert len(mailbox.to("tor.kommunalsjef@eksempel.kommune.no")) == 1
    assert driver.audit_actions(instance_id).count("task_escalated") == 2


def test_passed_deadline_of_later_flag_escalates(driver: ProcessDriver) -> None:
    instance_id = report(driver)
    accept(driver, instance_id, personopplysninger=True,
           oppdaget="2027-01-04T08:00:00+01:00")
    task = driver.task(instance_id, "NyVurderDatatilsynet")

    driver.clock.set(task.due_at)
    driver.advance(minutes=0)

    assert [open_task.id for open_task in driver.group_list("tor.kommunalsjef")] == [task.id]


def test_no_escalation_when_assessed_in_time(driver: ProcessDriver) -> None:
    instance_id = report(driver, **PRIVACY)
    task = driver.task(instance_id, "VurderDatatilsynet")
    driver.complete(instance_id, "VurderDatatilsynet", "pia.personvern", NOT_REPORTED)

    driver.clock.set(task.due_at + timedelta(hours=1))
    driver.advance(minutes=0)

    assert "task_escalated" not in driver.audit_actions(instance_id)


def test_closed_case_waits_for_privacy_task(driver: ProcessDriver) -> None:
    instance_id = report(driver, **PRIVACY)
    accept(driver, instance_id, personopplysninger=True, oppdaget=PRIVACY["oppdaget"])
    handle_to_analysis(driver, instance_id, [])
    close(driver, instance_id)

    waiting = driver.instance(instance_id)
    assert waiting.case_status == "Lukket, venter på varsling"
    assert waiting.status == "running"

    driver.complete(instance_id, "VurderDatatilsynet", "pia.personvern", NOT_REPORTED)

    done = driver.instance(instance_id)
    assert done.case_status == "Lukket"
    assert done.status == "completed"


def test_case_waits_for_later_flagged_task(driver: ProcessDriver) -> None:
    instance_id = report(driver)
    accept(driver, instance_id, personopplysninger=True,
           oppdaget="2027-01-04T08:00:00+01:00")
    handle_to_analysis(driver, instance_id, [])
    close(driver, instance_id)
    assert driver.instance(instance_id).case_status == "Lukket, venter på varsling"

    driver.complete(instance_id, "NyVurderDatatilsynet", "pia.personvern", NOT_REPORTED)

    assert driver.instance(instance_id).case_status == "Lukket"


def test_privacy_done_first_keeps_handling_status(driver: ProcessDriver) -> None:
    instance_id = report(driver, **PRIVACY)
    accept(driver, instance_id, personopplysninger=True, oppdaget=PRIVACY["oppdaget"])

    driver.complete(instance_id, "VurderDatatilsynet", "pia.personvern", NOT_REPORTED)
    assert driver.instance(instance_id).case_status == "Under behandling"

    handle_to_analysis(driver, instance_id, [])
    close(driver, instance_id)
    assert driver.instance(instance_id).case_status == "Lukket"
    assert driver.instance(instance_id).status == "completed"
