"""Outgoing e-mail: real SMTP on loopback, and an honest audit trail without a mail server."""

from __future__ import annotations

from typing import Any

from engine.demo import load_organisation, load_processes
from engine.mail import Mailer

REPORT: dict[str, Any] = {
    "tittel": "Feilsendt brev", "hva_skjedde": "Et brev gikk til feil adresse.",
    "tidspunkt": "2027-01-04T08:30:00+01:00", "sted": "Servicetorget", "enhet": "sykehjem",
    "kategori": "informasjonssikkerhet", "alvorlighetsgrad": "Lav",
}
REJECT = {"beslutning": "avvis", "begrunnelse": "Ikke et avvik.", "alvorlighetsgrad": "Lav"}


def test_message_has_date_and_message_id(mailbox: Any, mail_config: dict[str, Any]) -> None:
    assert Mailer(mail_config).send("ola@eksempel.kommune.no", "Emne", "Tekst") is True

    (message,) = mailbox.messages
    assert message["Date"]
    assert message["Message-ID"].endswith("@eksempel.kommune.no>")


def test_no_smtp_host_sends_nothing_and_says_so(make_engine, caplog) -> None:
    engine = make_engine(SMTP_HOST="")
    load_organisation(engine)
    load_processes(engine)
    instance_id = engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    with engine.transaction(read_only=True):
        (task,) = engine.tasks.open_tasks_of_instance(instance_id, "VurderAvvik")

    with caplog.at_level("INFO", logger="engine.mail"):
        engine.tasks.complete(task.id, "lise.leder", REJECT)

    with engine.transaction(read_only=True):
        actions = [e.action for e in engine.history.events(instance_id)]
    assert "mail_not_sent" in actions
    assert "mail_sent" not in actions
    assert f"/saker/{instance_id}" in caplog.text


def test_unsent_mail_logs_only_its_links(caplog: Any) -> None:
    mailer = Mailer({"SMTP_HOST": ""})

    with caplog.at_level("INFO", logger="engine.mail"):
        sent = mailer.send("ola.nordmann@eksempel.kommune.no", "Avvik fra Ola Nordmann",
                           "Ola Nordmann falt i trappa.\nSe saken: http://127.0.0.1:5000/saker/7")

    assert sent is False
    assert "http://127.0.0.1:5000/saker/7" in caplog.text
    assert "ola.nordmann@" not in caplog.text
    assert "Nordmann" not in caplog.text
