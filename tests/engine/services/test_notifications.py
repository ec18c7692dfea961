"""E-mail about assigned, due and escalated tasks, through a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from engine.demo import load_organisation, load_processes
from engine.engine import ProcessEngine
from engine.models import AuditEvent, Notification
from tests.conftest import MailBox, free_port

REPORT: dict[str, Any] = {
    "tittel": "Feil medisin gitt på kveldsvakt",
    "hva_skjedde": "En beboer fikk tablettene til en annen beboer.",
    "tidspunkt": "2027-01-04T08:30:00+01:00", "sted": "Avdeling 2", "enhet": "sykehjem",
    "kategori": "tjeneste", "alvorlighetsgrad": "Middels",
}
ACCEPT = {"beslutning": "godta", "alvorlighetsgrad": "Middels"}
ANALYSIS = {
    "aarsak": "Medisinene lå i feil dosett.",
    "faktisk_konsekvens": "Beboeren ble kvalm.",
    "potensiell_konsekvens": "Alvorlig forgiftning.",
    "tiltak": [{"tittel": "Innfør dobbeltkontroll", "ansvarlig": "fatima.ansatt",
                "frist": "2027-01-20"}],
}
FATIMA = "fatima.ansatt@eksempel.kommune.no"


@pytest.fixture
def mail_engine(make_engine: Callable[..., ProcessEngine],
                mail_config: dict[str, Any]) -> ProcessEngine:
    engine = make_engine(**mail_config)
    load_organisation(engine)
    load_processes(engine)
    return engine


def open_task(engine: ProcessEngine, instance_id: int, element_id: str) -> Any:
    with engine.transaction(read_only=True):
        return engine.tasks.open_tasks_of_instance(instance_id, element_id)[0]


def complete(engine: ProcessEngine, instance_id: int, element_id: str, user: str,
             data: dict[str, Any]) -> None:
    engine.tasks.complete(open_task(engine, instance_id, element_id).id, user, data)


def to_measure(engine: ProcessEngine) -> tuple[int, Any]:
    """Run a report to its measure task, which lise.leder's analysis gives to fatima.ansatt."""
    instance_id = engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    complete(engine, instance_id, "VurderAvvik", "lise.leder", ACCEPT)
    complete(engine, instance_id, "Strakstiltak", "lise.leder",
             {"strakstiltak": "Legevakt kontaktet."})
    complete(engine, instance_id, "AnalyserAarsak", "lise.leder", ANALYSIS)
    return instance_id, open_task(engine, instance_id, "GjennomforTiltak")


def actions(engine: ProcessEngine, instance_id: int) -> list[str]:
    with engine.transaction(read_only=True):
        return [event.action for event in engine.history.events(instance_id)]


def notifications(engine: ProcessEngine) -> list[Notification]:
    with engine.transaction(read_only=True):
        return list(engine.uow.session.scalars(select(Notification).order_by(Notification.id)))


def test_assignment_mail_has_task_link(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    _instance_id, measure = to_measure(mail_engine)

    mail_engine.management.run_due()

    (message,) = mailbox.to(FATIMA)
    assert message["Subject"] == "Ny oppgave til deg: Gjennomfør tiltak"
    assert f"http://127.0.0.1:5000/oppgaver/{measure.id}" in message.get_content()


def test_assignment_mail_names_process_and_step(mail_engine: ProcessEngine,
                                                mailbox: MailBox) -> None:
    to_measure(mail_engine)

    mail_engine.management.run_due()

    body = mailbox.to(FATIMA)[0].get_content()
    assert "Prosess: Avvikshåndtering" in body
    assert "Steg: Gjennomfør tiltak" in body
    assert "Saksnummer: AVVIK-2027-00001" in body
    assert "Frist: 20.01.2027" in body


def test_assignment_mail_has_no_case_data(mail_engine: ProcessEngine,
                                          mailbox: MailBox) -> None:
    to_measure(mail_engine)

    mail_engine.management.run_due()

    message = mailbox.to(FATIMA)[0]
    text = message["Subject"] + message.get_content()
    assert REPORT["tittel"] not in text
    assert REPORT["hva_skjedde"] not in text
    assert REPORT["sted"] not in text
    assert ANALYSIS["aarsak"] not in text
    assert "Innfør dobbeltkontroll" not in text
    assert "dosett" not in text


def test_chosen_business_key_left_out(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    instance_id = mail_engine.runtime.start("avvik", "ola.ansatt", REPORT,
                                            business_key="Kari Nordmann 010190").instance_id
    task = open_task(mail_engine, instance_id, "VurderAvvik")
    mail_engine.tasks.reassign(task.id, "fatima.ansatt", "lise.leder")

    mail_engine.management.run_due()

    assert "Kari Nordmann" not in mailbox.to(FATIMA)[0].get_content()


def test_mail_sent_after_commit_only(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    to_measure(mail_engine)

    pending = notifications(mail_engine)

    assert [n.status for n in pending] == ["pending"]
    assert mailbox.messages == []


def test_claim_sends_no_mail(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    instance_id = mail_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    task = open_task(mail_engine, instance_id, "VurderAvvik")

    mail_engine.tasks.claim(task.id, "lise.leder")
    mail_engine.management.run_due()

    assert notifications(mail_engine) == []
    assert mailbox.messages == []


def test_own_next_step_sends_no_mail(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    instance_id = mail_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    complete(mail_engine, instance_id, "VurderAvvik", "lise.leder", ACCEPT)

    mail_engine.management.run_due()

    assert open_task(mail_engine, instance_id, "Strakstiltak").assignee == "lise.leder"
    assert mailbox.messages == []


def test_reassign_mails_new_assignee(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    instance_id = mail_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    task = open_task(mail_engine, instance_id, "VurderAvvik")

    mail_engine.tasks.reassign(task.id, "fatima.ansatt", "lise.leder")
    mail_engine.management.run_due()

    (message,) = mailbox.to(FATIMA)
    assert message["Subject"] == "Ny oppgave til deg: Vurder avvik"
    assert "mail_sent" in actions(mail_engine, instance_id)


def test_delegate_mails_colleague(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    instance_id = mail_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    task = open_task(mail_engine, instance_id, "VurderAvvik")
    mail_engine.tasks.claim(task.id, "lise.leder")

    mail_engine.tasks.delegate(task.id, "fatima.ansatt", "lise.leder")
    mail_engine.management.run_due()

    assert len(mailbox.to(FATIMA)) == 1
    assert mailbox.to("lise.leder@eksempel.kommune.no") == []


def test_handed_on_before_sending_skipped(mail_engine: ProcessEngine,
                                          mailbox: MailBox) -> None:
    instance_id = mail_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    task = open_task(mail_engine, instance_id, "VurderAvvik")
    mail_engine.tasks.reassign(task.id, "fatima.ansatt", "lise.leder")
    mail_engine.tasks.reassign(task.id, "tor.kommunalsjef", "lise.leder")

    mail_engine.management.run_due()

    assert mailbox.to(FATIMA) == []
    assert len(mailbox.to("tor.kommunalsjef@eksempel.kommune.no")) == 1
    assert [n.status for n in notifications(mail_engine)] == ["skipped", "sent"]


def test_mail_in_recipient_language(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    mail_engine.organisation.set_locale("fatima.ansatt", "en")
    to_measure(mail_engine)

    mail_engine.management.run_due()

    message = mailbox.to(FATIMA)[0]
    assert message["Subject"] == "New task for you: Gjennomfør tiltak"
    assert "Process: Avvikshåndtering" in message.get_content()


def test_no_mail_without_address(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    with mail_engine.transaction():
        mail_engine.organisation.user("fatima.ansatt").email = None
    instance_id, _measure = to_measure(mail_engine)

    mail_engine.management.run_due()

    assert mailbox.messages == []
    assert [n.status for n in notifications(mail_engine)] == ["skipped"]
    assert "mail_not_sent" in actions(mail_engine, instance_id)


def test_retry_after_smtp_down(mail_engine: ProcessEngine, mailbox: MailBox,
                               clock: Any) -> None:
    mail_engine.mailer.port = free_port()  # nothing listens there
    instance_id, measure = to_measure(mail_engine)

    first = mail_engine.management.run_due()
    (waiting,) = notifications(mail_engine)
    mail_engine.mailer.port = mailbox.port  # type: ignore[attr-defined]
    clock.advance(seconds=59)
    early = mail_engine.management.run_due()
    clock.advance(seconds=1)
    later = mail_engine.management.run_due()

    assert first.mails_sent == 0
    assert waiting.status == "pending"
    assert waiting.attempts == 1
    assert "ConnectionRefusedError" in (waiting.last_error or "")
    assert early.mails_sent == 0
    assert later.mails_sent == 1
    assert f"/oppgaver/{measure.id}" in mailbox.to(FATIMA)[0].get_content()
    assert actions(mail_engine, instance_id).count("mail_sent") == 1


def test_smtp_down_keeps_user_action(mail_engine: ProcessEngine, mailbox: MailBox) -> None:
    mail_engine.mailer.port = free_port()
    instance_id = mail_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    task = open_task(mail_engine, instance_id, "VurderAvvik")

    mail_engine.tasks.reassign(task.id, "fatima.ansatt", "lise.leder")
    mail_engine.management.run_due()

    assert open_task(mail_engine, instance_id, "VurderAvvik").assignee == "fatima.ansatt"


def test_compose_error_counts_as_attempt(mail_engine: ProcessEngine, mailbox: MailBox,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any) -> tuple[str, str]:
        raise RuntimeError("no spec")

    monkeypatch.setattr(mail_engine.notifications, "_text", broken)
    to_measure(mail_engine)

    report = mail_engine.management.run_due()

    (waiting,) = notifications(mail_engine)
    assert report.mails_sent == 0
    assert waiting.status == "pending"
    assert waiting.attempts == 1
    assert waiting.claimed_by is None


def test_given_up_after_last_attempt(make_engine: Callable[..., ProcessEngine],
                                     mail_config: dict[str, Any], clock: Any) -> None:
    engine = make_engine(**{**mail_config, "SMTP_PORT": free_port(), "MAIL_MAX_ATTEMPTS": 2})
    load_organisation(engine)
    load_processes(engine)
    instance_id, _measure = to_measure(engine)

    engine.management.run_due()
    clock.advance(minutes=1)
    engine.management.run_due()

    (given_up,) = notifications(engine)
    assert given_up.status == "failed"
    assert given_up.attempts == 2
    assert "mail_failed" in actions(engine, instance_id)


def test_reminder_and_escalation_queued(mail_engine: ProcessEngine, mailbox: MailBox,
                                        clock: Any) -> None:
    instance_id = mail_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id

    clock.advance(days=2)
    mail_engine.management.run_due()
    clock.advance(days=3)
    mail_engine.management.run_due()

    reminder = mailbox.to(FATIMA)[0]
    escalation = mailbox.to("tor.kommunalsjef@eksempel.kommune.no")[0]
    assert reminder["Subject"] == "Påminnelse: Vurder avvik har frist 07.01.2027 09:00"
    assert escalation["Subject"] == "Oppgave med passert frist sendt til deg: Vurder avvik"
    assert REPORT["tittel"] not in reminder.get_content()
    assert REPORT["tittel"] not in escalation.get_content()
    assert "mail_sent" in actions(mail_engine, instance_id)


def test_audit_names_recipient_not_address(mail_engine: ProcessEngine,
                                           mailbox: MailBox) -> None:
    to_measure(mail_engine)

    mail_engine.management.run_due()

    with mail_engine.transaction(read_only=True):
        event = mail_engine.uow.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "mail_sent"))
    assert event is not None
    assert event.details == {"recipient": "fatima.ansatt", "kind": "task_assigned"}
