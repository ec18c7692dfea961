"""The improvement suggestion process (forbedringsforslag) through every path, with the clock
moved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine.errors import FormValidationFailed
from engine.runtime.timeexpr import OSLO
from tests.engine.processes.driver import ProcessDriver


@pytest.fixture
def processes() -> list[str]:
    """Only this process: the tests count the timers that fire."""
    return ["forbedringsforslag.bpmn"]


SUGGESTION: dict[str, Any] = {
    "tittel": "Felles kalender for legebesøk",
    "beskrivelse": "Legebesøkene står i tre ulike lister. En felles kalender sparer tid.",
    "forbedrer": "arbeidsflyt",
    "gevinst": "Omtrent en time spart per uke.",
    "enhet": "sykehjem",
}
CARRY_OUT = {"beslutning": "gjennomfor", "plan": "Sett opp en felles kalender i Outlook.",
             "ansvarlig": "fatima.ansatt", "frist_gjennomforing": "2027-03-01"}
PROPOSER_MAIL = "ola.ansatt@eksempel.kommune.no"


def propose(driver: ProcessDriver) -> int:
    return driver.start("forbedringsforslag", "ola.ansatt", SUGGESTION)


def carry_out(driver: ProcessDriver, instance_id: int) -> None:
    driver.complete(instance_id, "GjennomforForslag", "fatima.ansatt", {
        "gjennomforing": "Kalenderen er i bruk fra uke 6.", "gjennomfort_dato": "2027-01-04"})


def test_suggestion_lands_with_unit_leader(driver: ProcessDriver) -> None:
    instance_id = propose(driver)

    task = driver.task(instance_id, "VurderForslag")
    assert task.candidate_groups == ["behandler@sykehjem"]
    assert task.due_at == driver.clock.now() + timedelta(days=14)
    assert driver.instance(instance_id).case_status == "Under vurdering"
    assert [t.id for t in driver.group_list("lise.leder")] == [task.id]
    assert driver.group_list("per.leder") == []


def test_carried_out_suggestion_tells_proposer(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = propose(driver)
    driver.complete(instance_id, "VurderForslag", "lise.leder", CARRY_OUT)

    task = driver.task(instance_id, "GjennomforForslag")
    assert task.assignee == "fatima.ansatt"
    assert task.name == "Gjennomfør forslag – Felles kalender for legebesøk"
    assert task.due_at.astimezone(OSLO).date().isoformat() == "2027-03-01"
    assert driver.instance(instance_id).case_status == "Under gjennomføring"
    assert mailbox.to(PROPOSER_MAIL) == []

    carry_out(driver, instance_id)
    instance = driver.instance(instance_id)
    assert instance.status == "completed"
    assert instance.case_status == "Gjennomført"
    assert driver.variables(instance_id)["vurdert_av"] == "lise.leder"
    mails = mailbox.to(PROPOSER_MAIL)
    assert len(mails) == 1
    assert "gjennomført" in mails[0]["Subject"]
    assert f"/saker/{instance_id}" in mails[0].get_content()
    assert "kalender" not in mails[0].get_content().lower()


def test_rejection_tells_proposer(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = propose(driver)
    driver.complete(instance_id, "VurderForslag", "lise.leder", {
        "beslutning": "avsla", "begrunnelse": "Kommunen innfører nytt fagsystem i vår."})

    instance = driver.instance(instance_id)
    assert instance.status == "completed"
    assert instance.case_status == "Avslått"
    assert driver.variables(instance_id)["begrunnelse"] == (
        "Kommunen innfører nytt fagsystem i vår.")
    mails = mailbox.to(PROPOSER_MAIL)
    assert len(mails) == 1
    assert "avslått" in mails[0]["Subject"]
    assert "fagsystem" not in mails[0].get_content()


def test_rejection_requires_reason(driver: ProcessDriver) -> None:
    instance_id = propose(driver)
    task = driver.task(instance_id, "VurderForslag")

    with pytest.raises(FormValidationFailed) as failure:
        driver.engine.tasks.complete(task.id, "lise.leder", {"beslutning": "avsla"})
    assert list(failure.value.errors) == ["begrunnelse"]
    assert driver.task(instance_id, "VurderForslag").state == "open"


def test_carrying_out_requires_owner(driver: ProcessDriver) -> None:
    instance_id = propose(driver)
    task = driver.task(instance_id, "VurderForslag")

    with pytest.raises(FormValidationFailed) as failure:
        driver.engine.tasks.complete(task.id, "lise.leder", {"beslutning": "gjennomfor"})
    assert sorted(failure.value.errors) == ["ansvarlig", "frist_gjennomforing", "plan"]


def test_overdue_assessment_reminds_then_escalates(driver: ProcessDriver,
                                                   mailbox: Any) -> None:
    instance_id = propose(driver)
    task = driver.task(instance_id, "VurderForslag")

    driver.advance(days=11, hours=-1)  # an hour before the reminder, three days before due
    assert mailbox.to("lise.leder@eksempel.kommune.no") == []

    driver.advance(hours=1)
    reminders = mailbox.to("lise.leder@eksempel.kommune.no")
    assert len(reminders) == 1
    assert "Påminnelse" in reminders[0]["Subject"]
    assert driver.task(instance_id, "VurderForslag").escalated is False

    driver.advance(days=10, hours=-1)  # an hour before the escalation, a week past due
    assert driver.task(instance_id, "VurderForslag").escalated is False
    assert driver.group_list("tor.kommunalsjef") == []

    driver.advance(hours=1)
    assert driver.task(instance_id, "VurderForslag").escalated is True
    assert [t.id for t in driver.group_list("tor.kommunalsjef")] == [task.id]
    assert len(mailbox.to("tor.kommunalsjef@eksempel.kommune.no")) == 1
    assert "task_escalated" in driver.audit_actions(instance_id)

    driver.complete(instance_id, "VurderForslag", "tor.kommunalsjef", CARRY_OUT)
    assert driver.task(instance_id, "GjennomforForslag").assignee == "fatima.ansatt"


def test_deadlines_follow_the_setting(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("forbedringsforslag.frister", {
        "vurdering": "P5D", "paaminnelse_for_frist": "P1D", "eskalering_etter_frist": "P2D"},
        actor="admin")
    instance_id = propose(driver)

    assert driver.task(instance_id, "VurderForslag").due_at == (
        driver.clock.now() + timedelta(days=5))
    assert driver.advance(days=4)["timers_fired"] == 1
    assert driver.advance(days=2, hours=23)["timers_fired"] == 0
    assert driver.advance(hours=1)["timers_fired"] == 1
    assert driver.task(instance_id, "VurderForslag").escalated is True


def test_overdue_implementation_escalates(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = propose(driver)
    driver.complete(instance_id, "VurderForslag", "lise.leder", CARRY_OUT)
    due = driver.task(instance_id, "GjennomforForslag").due_at

    driver.clock.set(due - timedelta(days=7, minutes=1))
    assert driver.advance(minutes=0)["timers_fired"] == 0
    driver.advance(minutes=1)
    subjects = [mail["Subject"] for mail in mailbox.to("fatima.ansatt@eksempel.kommune.no")]
    assert len([s for s in subjects if "Påminnelse" in s]) == 1

    driver.clock.set(due + timedelta(days=14, minutes=-1))
    assert driver.advance(minutes=0)["timers_fired"] == 0
    assert driver.task(instance_id, "GjennomforForslag").escalated is False
    driver.advance(minutes=1)
    escalated = driver.task(instance_id, "GjennomforForslag")
    assert escalated.escalated is True
    assert "leder@helse-omsorg" in escalated.candidate_groups

    carry_out(driver, instance_id)
    assert driver.instance(instance_id).case_status == "Gjennomført"


def test_timers_cancelled_when_assessed_in_time(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = propose(driver)
    driver.complete(instance_id, "VurderForslag", "lise.leder", {
        "beslutning": "avsla", "begrunnelse": "Dekkes av et annet prosjekt."})
    mailbox.messages.clear()

    assert driver.advance(days=60)["timers_fired"] == 0
    assert mailbox.messages == []
