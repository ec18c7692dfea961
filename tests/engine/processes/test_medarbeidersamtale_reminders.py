"""Deadlines and reminders in an employee conversation, with the clock moved.

The nursing home's employee conversations are due 30 April 2027; the invitation a week
before. Reminders go to whoever holds the task at 08:00 Oslo time, three days before its
deadline by default.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from engine.errors import ReassignNotAllowed, ReassignTargetNotEligible
from engine.models import AuditEvent, Incident
from engine.runtime.timeexpr import OSLO
from tests.engine.processes.driver import ProcessDriver
from tests.engine.processes.test_medarbeidersamtale import (
    CONVERSATION,
    PLANNING,
    SUMMARY,
    nursing_home_conversations,
    planning_cases,
    start_round,
)

LEADER_MAIL = "lise.leder@eksempel.kommune.no"
EMPLOYEE_MAIL = "ola.ansatt@eksempel.kommune.no"


@pytest.fixture
def processes() -> list[str]:
    return [f"{PLANNING}.bpmn", f"{CONVERSATION}.bpmn"]


def at(driver: ProcessDriver, text: str) -> None:
    """Move the clock to an Oslo time and fire what fell due."""
    moment = datetime.fromisoformat(text).replace(tzinfo=OSLO)
    driver.advance(seconds=(moment - driver.clock.now()).total_seconds())


def reminders(mailbox: Any, address: str, task_name: str = "") -> list[str]:
    return [mail["Subject"] for mail in mailbox.to(address)
            if mail["Subject"].startswith(f"Påminnelse: {task_name}")]


def invite_and_prepare(driver: ProcessDriver, conversation_id: int, moment: str) -> None:
    driver.complete(conversation_id, "SendInnkalling", "lise.leder",
                    {"samtaletidspunkt": moment, "sted": "Møterom 2"})
    driver.complete(conversation_id, "ForberedMedarbeider", "ola.ansatt",
                    {"forberedelse_onsker": "Lære mer om veiledning."})
    driver.complete(conversation_id, "ForberedLeder", "lise.leder",
                    {"leders_forberedelse": "Spør om vikaropplæringen."})


def test_invitation_reminder_three_days_before(driver: ProcessDriver, mailbox: Any) -> None:
    nursing_home_conversations(driver)

    at(driver, "2027-04-20T07:59")
    assert reminders(mailbox, LEADER_MAIL) == []

    at(driver, "2027-04-20T08:00")
    assert len(reminders(mailbox, LEADER_MAIL)) == 2  # one per employee of the unit


def test_no_reminder_after_invitation_sent(driver: ProcessDriver, mailbox: Any) -> None:
    conversations = nursing_home_conversations(driver)
    for employee in conversations.values():
        driver.complete(employee, "SendInnkalling", "lise.leder",
                        {"samtaletidspunkt": "2027-02-10T10:00:00+01:00", "sted": "Møterom 2"})

    at(driver, "2027-04-21T08:00")
    assert reminders(mailbox, LEADER_MAIL) == []


def test_summary_reminder_waits_a_day_after(driver: ProcessDriver, mailbox: Any) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    invite_and_prepare(driver, conversation_id, "2027-04-29T10:00:00+02:00")

    at(driver, "2027-04-30T09:59")
    assert reminders(mailbox, LEADER_MAIL, "Gjennomfør") == []

    at(driver, "2027-04-30T10:00")
    assert len(reminders(mailbox, LEADER_MAIL, "Gjennomfør")) == 1


def test_confirmation_due_in_two_weeks(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    invite_and_prepare(driver, conversation_id, "2027-02-10T10:00:00+01:00")
    at(driver, "2027-02-10T12:00")

    driver.complete(conversation_id, "GjennomforSamtale", "lise.leder", SUMMARY)

    due = driver.task(conversation_id, "BekreftOppsummering").due_at.astimezone(OSLO)
    assert due.date() == date(2027, 2, 24)


def test_confirmation_reminder_goes_to_employee(driver: ProcessDriver,
                                                mailbox: Any) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    invite_and_prepare(driver, conversation_id, "2027-02-10T10:00:00+01:00")
    at(driver, "2027-02-10T12:00")
    driver.complete(conversation_id, "GjennomforSamtale", "lise.leder", SUMMARY)

    at(driver, "2027-02-21T07:59")
    assert reminders(mailbox, EMPLOYEE_MAIL) == []

    at(driver, "2027-02-21T08:00")
    assert len(reminders(mailbox, EMPLOYEE_MAIL)) == 1


def test_follow_up_reminder_before_deadline(driver: ProcessDriver, mailbox: Any) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    invite_and_prepare(driver, conversation_id, "2027-02-10T10:00:00+01:00")
    at(driver, "2027-02-10T12:00")
    driver.complete(conversation_id, "GjennomforSamtale", "lise.leder", SUMMARY)
    driver.complete(conversation_id, "BekreftOppsummering", "ola.ansatt", {"bekreftet": True})

    at(driver, "2027-10-28T07:59")
    assert reminders(mailbox, LEADER_MAIL, "Gjennomfør oppfølgingssamtale") == []

    at(driver, "2027-10-28T08:00")
    assert len(reminders(mailbox, LEADER_MAIL, "Gjennomfør oppfølgingssamtale")) == 1


def test_top_unit_late_planning_no_incident(driver: ProcessDriver) -> None:
    """The chief executive's own planning has no leader above to escalate to."""
    nursing_home_conversations(driver)

    at(driver, "2027-02-01T08:00")  # past the planning deadline and its escalation

    engine = driver.engine
    with engine.transaction(read_only=True):
        incidents = engine.uow.session.scalars(select(Incident)).all()
        skipped = [event for event in engine.uow.session.scalars(select(AuditEvent))
                   if event.action == "escalation_skipped"]
    assert incidents == []
    assert len(skipped) == 1


def test_late_conversation_follow_up_due(driver: ProcessDriver) -> None:
    nursing_home_conversations(driver)

    at(driver, "2027-04-30T23:59")  # the employee conversations' deadline

    [planning_id] = [instance_id for code, instance_id in
                     planning_cases(driver, 2027).items() if code == "sykehjem"]
    task = driver.task(planning_id, "FolgOppMedarbeidersamtaler")
    assert task.due_at.astimezone(OSLO).date() == date(2027, 5, 14)


def test_hr_hands_tasks_to_new_leader(driver: ProcessDriver) -> None:
    """When a unit changes leader, HR gives the open conversation tasks to the new one."""
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    engine = driver.engine
    engine.organisation.create_user("nina.leder", "Nina Nyleder", unit="sykehjem")
    engine.organisation.set_leader("sykehjem", "nina.leder", actor="admin")
    task = driver.task(conversation_id, "SendInnkalling")

    with pytest.raises(ReassignNotAllowed):
        engine.tasks.reassign(task.id, "nina.leder", "tor.kommunalsjef")
    engine.tasks.reassign(task.id, "nina.leder", "hanne.hr")

    assert driver.task(conversation_id, "SendInnkalling").assignee == "nina.leder"
    driver.complete(conversation_id, "SendInnkalling", "nina.leder",
                    {"samtaletidspunkt": "2027-02-10T10:00:00+01:00", "sted": "Møterom 2"})
    assert driver.task(conversation_id, "ForberedLeder").assignee == "nina.leder"
    assert driver.variables(conversation_id)["leder_navn"] == "Nina Nyleder"


@pytest.mark.parametrize("colleague", ["fatima.ansatt", "jon.okonomi", "tor.kommunalsjef"])
def test_hr_cannot_hand_conversation_to_colleague(driver: ProcessDriver,
                                                  colleague: str) -> None:
    """A conversation task goes to the unit's leader, never to a colleague of the employee,
    an unrelated user or a leader above, who may not read the confidential case."""
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    task = driver.task(conversation_id, "SendInnkalling")

    with pytest.raises(ReassignTargetNotEligible) as raised:
        driver.engine.tasks.reassign(task.id, colleague, "hanne.hr")

    assert "Saken er fortrolig" in str(raised.value)
    assert driver.task(conversation_id, "SendInnkalling").assignee == "lise.leder"


def test_conversation_targets_are_leader_and_employee(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    invite_and_prepare(driver, conversation_id, "2027-02-10T10:00:00+01:00")
    engine = driver.engine
    task = driver.task(conversation_id, "GjennomforSamtale")

    with engine.transaction(read_only=True):
        targets = engine.tasks.reassign_targets(engine.tasks.get(task.id))

    assert list(targets) == ["lise.leder", "ola.ansatt"]


def test_follow_up_goes_to_leader_then(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    invite_and_prepare(driver, conversation_id, "2027-02-10T10:00:00+01:00")
    at(driver, "2027-02-10T12:00")
    driver.complete(conversation_id, "GjennomforSamtale", "lise.leder", SUMMARY)
    engine = driver.engine
    engine.organisation.create_user("nina.leder", "Nina Nyleder", unit="sykehjem")
    engine.organisation.set_leader("sykehjem", "nina.leder", actor="admin")

    driver.complete(conversation_id, "BekreftOppsummering", "ola.ansatt", {"bekreftet": True})
    at(driver, "2027-09-01T00:00")

    assert driver.task(conversation_id, "Oppfolgingssamtale").assignee == "nina.leder"


def test_follow_up_stays_with_same_leader(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    invite_and_prepare(driver, conversation_id, "2027-02-10T10:00:00+01:00")
    at(driver, "2027-02-10T12:00")
    driver.complete(conversation_id, "GjennomforSamtale", "lise.leder", SUMMARY)
    driver.complete(conversation_id, "BekreftOppsummering", "ola.ansatt", {"bekreftet": True})

    at(driver, "2027-09-01T00:00")

    assert driver.task(conversation_id, "Oppfolgingssamtale").assignee == "lise.leder"


def test_employee_cannot_reassign_conversation(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    task = driver.task(conversation_id, "SendInnkalling")

    with pytest.raises(ReassignNotAllowed):
        driver.engine.tasks.reassign(task.id, "ola.ansatt", "fatima.ansatt")


def test_admin_account_has_no_conversation(driver: ProcessDriver) -> None:
    """admin's home unit is the municipality, but the account only runs the system."""
    plannings = start_round(driver)

    rows = driver.variables(plannings["eksempel"])["samtaler"]
    assert "admin" not in [row["medarbeider"] for row in rows]


def test_employee_steps_not_reassigned(driver: ProcessDriver) -> None:
    """HR may not give the employee's confirmation to the leader, who would then confirm
    their own summary."""
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    invite_and_prepare(driver, conversation_id, "2027-02-10T10:00:00+01:00")
    at(driver, "2027-02-10T12:00")
    driver.complete(conversation_id, "GjennomforSamtale", "lise.leder", SUMMARY)
    task = driver.task(conversation_id, "BekreftOppsummering")

    with pytest.raises(ReassignNotAllowed):
        driver.engine.tasks.reassign(task.id, "lise.leder", "hanne.hr")

    assert driver.task(conversation_id, "BekreftOppsummering").assignee == "ola.ansatt"
