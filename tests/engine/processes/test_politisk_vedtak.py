"""The follow-up of political decisions (politisk-vedtak) through every path, with the clock
moved over the tertial dates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from engine.errors import FormValidationFailed, PermissionDenied
from engine.models import Task
from engine.runtime.timeexpr import OSLO
from tests.engine.processes.driver import ProcessDriver


@pytest.fixture
def processes() -> list[str]:
    """Only this process: the tests count the timers that fire."""
    return ["politisk-vedtak.bpmn"]


SECRETARY = "siri.sekretariat"
DECISION: dict[str, Any] = {
    "utvalg": "kommunestyret",
    "motedato": "2026-12-14",
    "politisk_saksnummer": "PS 112/26",
    "arkivsaksnummer": "26/01234",
    "tittel": "Handlingsprogram 2027–2030",
    "vedtakstype": "verbalvedtak",
    "vedtakstekst": "1. Kommunedirektøren utreder leksehjelp. 2. Sykehjemmet får fast lege.",
    "vedtakspunkter": [{"tekst": "Kommunedirektøren utreder leksehjelp på alle trinn."},
                       {"tekst": "Sykehjemmet får fast lege to dager i uken."}],
}
DISTRIBUTION = [
    {"tekst": "Kommunedirektøren utreder leksehjelp på alle trinn.",
     "enhet": "eksempel-skole", "ansvarlig": "anne.rektor", "frist": "2027-06-30"},
    {"tekst": "Sykehjemmet får fast lege to dager i uken.",
     "enhet": "sykehjem", "ansvarlig": "lise.leder", "frist": "2027-10-31"},
]


def oslo(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=OSLO)


def register(driver: ProcessDriver) -> int:
    return driver.start("politisk-vedtak", SECRETARY, DECISION)


def distribute(driver: ProcessDriver, instance_id: int,
               points: list[dict[str, Any]] = DISTRIBUTION) -> None:
    driver.complete(instance_id, "FordelVedtakspunkter", SECRETARY,
                    {"fordeling": points})


def point_tasks(driver: ProcessDriver, instance_id: int, element_id: str) -> dict[int, Task]:
    """The open tasks of a step, by the number of the decision point they concern."""
    tasks = {}
    for task in driver.open_tasks(instance_id, element_id):
        number = int(task.name.split("Punkt ", 1)[1].split(":", 1)[0])
        tasks[number] = task
    return tasks


def complete_point(driver: ProcessDriver, instance_id: int, element_id: str, number: int,
                   user: str, data: dict[str, Any]) -> None:
    task = point_tasks(driver, instance_id, element_id)[number]
    driver.engine.tasks.complete(task.id, user, data)


def carry_out(driver: ProcessDriver, instance_id: int, number: int) -> None:
    owner = DISTRIBUTION[number - 1]["ansvarlig"]
    leader = {"eksempel-skole": "anne.rektor", "sykehjem": "lise.leder"}[
        DISTRIBUTION[number - 1]["enhet"]]
    complete_point(driver, instance_id, "IverksettVedtak", number, owner,
                   {"utfall": "iverksatt", "gjennomforing": "Gjort som vedtatt."})
    complete_point(driver, instance_id, "BekreftFullfort", number, leader, {"bekreftet": "ja"})


def report_all(driver: ProcessDriver, instance_id: int) -> int:
    reports = point_tasks(driver, instance_id, "RapporterStatus")
    for task in reports.values():
        driver.engine.tasks.complete(task.id, task.assignee, {
            "rapport_status": "Under arbeid", "rapport_kommentar": "Arbeidet pågår."})
    return len(reports)


def test_secretariat_registers_and_distributes(driver: ProcessDriver) -> None:
    instance_id = register(driver)

    instance = driver.instance(instance_id)
    assert instance.business_key == "26/01234"
    assert instance.case_status == "Ikke startet"
    task = driver.task(instance_id, "FordelVedtakspunkter")
    assert task.candidate_groups == ["politisk-sekretariat"]
    assert task.due_at == driver.clock.now() + timedelta(days=14)

    distribute(driver, instance_id)
    tasks = point_tasks(driver, instance_id, "IverksettVedtak")
    assert sorted(tasks) == [1, 2]
    assert tasks[1].assignee == "anne.rektor"
    assert tasks[1].candidate_groups == ["leder@eksempel-skole"]
    assert tasks[1].name.startswith("Iverksett vedtak – Punkt 1: Kommunedirektøren utreder")
    assert tasks[1].due_at.astimezone(OSLO).date().isoformat() == "2027-06-30"
    assert tasks[2].assignee == "lise.leder"
    assert driver.instance(instance_id).case_status == "Under arbeid"
    points = driver.variables(instance_id)["punkter"]
    assert [point["nr"] for point in points] == [1, 2]
    assert [point["status"] for point in points] == ["Ikke startet", "Ikke startet"]


def test_only_secretariat_may_register(driver: ProcessDriver) -> None:
    with pytest.raises(PermissionDenied):
        driver.start("politisk-vedtak", "ola.ansatt", DECISION)


def test_archive_message_starts_case(driver: ProcessDriver) -> None:
    result = driver.engine.runtime.correlate_message(
        "politisk-vedtak-registrert", "admin", {
            **DECISION, "arkivsaksnummer": "26/04321",
            "vedtakspunkter": ["Skolen får nytt tak.", "Biblioteket holder åpent lørdag."]})

    [instance_id] = result["started"]
    assert driver.instance(instance_id).business_key == "26/04321"
    assert driver.instance(instance_id).case_status == "Ikke startet"
    assert driver.task(instance_id, "FordelVedtakspunkter").candidate_groups == [
        "politisk-sekretariat"]
    points = driver.variables(instance_id)["fordeling"]
    assert [point["tekst"] for point in points] == ["Skolen får nytt tak.",
                                                    "Biblioteket holder åpent lørdag."]


def test_archive_message_without_points(driver: ProcessDriver) -> None:
    data = {key: value for key, value in DECISION.items() if key != "vedtakspunkter"}
    result = driver.engine.runtime.correlate_message("politisk-vedtak-registrert", "admin",
                                                     data)

    [instance_id] = result["started"]
    points = driver.variables(instance_id)["fordeling"]
    assert [point["tekst"] for point in points] == [DECISION["vedtakstekst"]]


def test_rest_message_starts_case(driver: ProcessDriver, test_config: dict[str, Any]) -> None:
    from engine.app import create_app

    engine = driver.engine
    secret = engine.tokens.create("Arkiv", ["messages:write"], "admin", "admin").secret
    client = create_app({**test_config, "TESTING": True}, engine=engine).test_client()

    response = client.post("/api/v1/messages", headers={"Authorization": f"Bearer {secret}"},
                           json={"name": "politisk-vedtak-registrert",
                                 "variables": {**DECISION, "arkivsaksnummer": "26/07777"}})

    assert response.status_code == 200
    [instance_id] = response.get_json()["started"]
    assert driver.instance(instance_id).business_key == "26/07777"


def test_point_deadline_escalates_that_point(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)
    due = point_tasks(driver, instance_id, "IverksettVedtak")[1].due_at

    driver.clock.set(due - timedelta(days=14, minutes=1))
    driver.advance(minutes=0)
    report_all(driver, instance_id)  # the 30.04 report falls before the reminder
    assert not any("Påminnelse" in mail["Subject"]
                   for mail in mailbox.to("anne.rektor@eksempel.kommune.no"))
    driver.advance(minutes=1)
    reminders = [mail for mail in mailbox.to("anne.rektor@eksempel.kommune.no")
                 if "Påminnelse" in mail["Subject"]]
    assert len(reminders) == 1
    assert not any("Påminnelse" in mail["Subject"]
                   for mail in mailbox.to("lise.leder@eksempel.kommune.no"))

    driver.clock.set(due + timedelta(days=1, minutes=-1))
    driver.advance(minutes=0)
    assert point_tasks(driver, instance_id, "IverksettVedtak")[1].escalated is False
    driver.advance(minutes=1)
    tasks = point_tasks(driver, instance_id, "IverksettVedtak")
    assert tasks[1].escalated is True
    assert "leder@oppvekst" in tasks[1].candidate_groups
    assert tasks[2].escalated is False
    assert driver.instance(instance_id).case_status == "Forsinket"
    assert len(mailbox.to("nina.kommunalsjef@eksempel.kommune.no")) == 1

    carry_out(driver, instance_id, 1)
    assert sorted(point_tasks(driver, instance_id, "IverksettVedtak")) == [2]


def test_points_report_each_tertial_until_done(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)

    driver.clock.set(oslo("2027-04-29T23:59"))
    driver.advance(minutes=0)
    assert driver.open_tasks(instance_id, "RapporterStatus") == []
    driver.advance(minutes=1)
    reports = point_tasks(driver, instance_id, "RapporterStatus")
    assert sorted(reports) == [1, 2]
    assert reports[1].name.endswith("(per 30.04.2027)")
    assert reports[1].assignee == "anne.rektor"
    assert reports[1].due_at == oslo("2027-05-14T00:00")
    assert report_all(driver, instance_id) == 2

    driver.clock.set(oslo("2027-05-20T10:00"))
    carry_out(driver, instance_id, 1)

    driver.clock.set(oslo("2027-08-30T23:59"))
    driver.advance(minutes=0)
    assert driver.open_tasks(instance_id, "RapporterStatus") == []
    driver.advance(minutes=1)
    reports = point_tasks(driver, instance_id, "RapporterStatus")
    assert sorted(reports) == [2]
    assert reports[2].name.endswith("(per 31.08.2027)")
    assert report_all(driver, instance_id) == 1

    driver.clock.set(oslo("2027-12-31T12:00"))
    driver.advance(minutes=0)
    assert driver.open_tasks(instance_id, "RapporterStatus") == []
    driver.clock.set(oslo("2028-04-30T00:00"))
    driver.advance(minutes=0)
    assert sorted(point_tasks(driver, instance_id, "RapporterStatus")) == [2]

    actions = driver.audit_actions(instance_id)
    assert actions.count("decision_point_reported") == 3


def test_completed_points_complete_case(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)
    carry_out(driver, instance_id, 1)
    carry_out(driver, instance_id, 2)

    instance = driver.instance(instance_id)
    assert instance.status == "completed"
    assert instance.case_status == "Fullført"
    points = driver.variables(instance_id)["punkter"]
    assert [point["status"] for point in points] == ["Fullført", "Fullført"]
    assert driver.advance(days=400)["timers_fired"] == 0


def test_unconfirmed_point_goes_back(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)
    complete_point(driver, instance_id, "IverksettVedtak", 2, "lise.leder",
                   {"utfall": "iverksatt", "gjennomforing": "Avtale inngått."})

    complete_point(driver, instance_id, "BekreftFullfort", 2, "lise.leder",
                   {"bekreftet": "nei", "merknad": "Avtalen er ikke signert."})

    assert sorted(point_tasks(driver, instance_id, "IverksettVedtak")) == [1, 2]
    assert driver.open_tasks(instance_id, "BekreftFullfort") == []


def test_obstacle_goes_to_the_body(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)

    complete_point(driver, instance_id, "IverksettVedtak", 1, "anne.rektor", {
        "utfall": "hinder", "hinder": "Det mangler midler i budsjettet."})
    assert point_tasks(driver, instance_id, "OrienterUtvalget")[1].assignee == "anne.rektor"
    complete_point(driver, instance_id, "OrienterUtvalget", 1, "anne.rektor", {
        "orientering": "Utredningen krever midler som ikke er bevilget.",
        "orientering_saksnummer": "PS 31/27"})

    avklaring = point_tasks(driver, instance_id, "RegistrerAvklaring")[1]
    assert avklaring.candidate_groups == ["politisk-sekretariat"]
    assert driver.instance(instance_id).case_status == "Venter på politisk avklaring"
    assert sorted(point_tasks(driver, instance_id, "IverksettVedtak")) == [2]

    driver.engine.tasks.complete(avklaring.id, SECRETARY, {
        "avklaring": "fortsett", "ny_frist": "2027-12-31",
        "avklaring_vedtak": "Fristen forlenges til årsskiftet."})
    tasks = point_tasks(driver, instance_id, "IverksettVedtak")
    assert sorted(tasks) == [1, 2]
    assert tasks[1].due_at.astimezone(OSLO).date().isoformat() == "2027-12-31"
    assert driver.instance(instance_id).case_status == "Under arbeid"


def test_body_drops_every_point(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)

    for number, owner in ((1, "anne.rektor"), (2, "lise.leder")):
        complete_point(driver, instance_id, "IverksettVedtak", number, owner, {
            "utfall": "hinder", "hinder": "Tiltaket er dekket av staten."})
        complete_point(driver, instance_id, "OrienterUtvalget", number, owner, {
            "orientering": "Staten dekker tiltaket."})
        complete_point(driver, instance_id, "RegistrerAvklaring", number, SECRETARY, {
            "avklaring": "utgaar", "avklaring_vedtak": "Punktet utgår."})

    instance = driver.instance(instance_id)
    assert instance.status == "completed"
    assert instance.case_status == "Utgår"
    points = driver.variables(instance_id)["punkter"]
    assert [point["status"] for point in points] == ["Utgår", "Utgår"]


def test_revoked_decision_ends_case(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)

    result = driver.engine.runtime.correlate_message("politisk-vedtak-opphevet", "admin",
                                                     {}, business_key="26/01234")

    assert result["delivered_to"] == [instance_id]
    instance = driver.instance(instance_id)
    assert instance.status == "completed"
    assert instance.case_status == "Utgår"
    assert driver.open_tasks(instance_id) == []


def test_removed_point_is_not_followed(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id, DISTRIBUTION[1:])

    tasks = point_tasks(driver, instance_id, "IverksettVedtak")
    assert sorted(tasks) == [1]
    assert tasks[1].assignee == "lise.leder"
    assert len(driver.variables(instance_id)["punkter"]) == 1


def test_overdue_distribution_goes_to_director(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = register(driver)
    task = driver.task(instance_id, "FordelVedtakspunkter")
    assert driver.instance(instance_id).unit_id is not None

    driver.advance(days=11, minutes=-1)  # a minute before the reminder, three days before due
    assert mailbox.to("siri.sekretariat@eksempel.kommune.no") == []
    driver.advance(minutes=1)
    assert len(mailbox.to("siri.sekretariat@eksempel.kommune.no")) == 1

    driver.advance(days=6, minutes=-1)  # a minute before the escalation, three days past due
    assert driver.task(instance_id, "FordelVedtakspunkter").escalated is False
    driver.advance(minutes=1)
    escalated = driver.task(instance_id, "FordelVedtakspunkter")
    assert escalated.escalated is True
    assert "leder@eksempel" in escalated.candidate_groups
    assert [t.id for t in driver.group_list("kari.direktor")] == [task.id]
    assert driver.incidents(instance_id) == []


def test_orientation_before_decision_rejected(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)
    complete_point(driver, instance_id, "IverksettVedtak", 1, "anne.rektor", {
        "utfall": "hinder", "hinder": "Det mangler midler i budsjettet."})

    with pytest.raises(FormValidationFailed) as failure:
        complete_point(driver, instance_id, "OrienterUtvalget", 1, "anne.rektor", {
            "orientering": "Utredningen krever midler som ikke er bevilget.",
            "orientering_motedato": "2026-12-01"})

    assert list(failure.value.errors) == ["orientering_motedato"]
    assert sorted(point_tasks(driver, instance_id, "OrienterUtvalget")) == [1]


def test_orientation_on_decision_day_accepted(driver: ProcessDriver) -> None:
    instance_id = register(driver)
    distribute(driver, instance_id)
    complete_point(driver, instance_id, "IverksettVedtak", 1, "anne.rektor", {
        "utfall": "hinder", "hinder": "Det mangler midler i budsjettet."})

    complete_point(driver, instance_id, "OrienterUtvalget", 1, "anne.rektor", {
        "orientering": "Utredningen krever midler som ikke er bevilget.",
        "orientering_motedato": DECISION["motedato"]})

    assert sorted(point_tasks(driver, instance_id, "RegistrerAvklaring")) == [1]


def test_future_meeting_date_rejected(driver: ProcessDriver) -> None:
    with pytest.raises(FormValidationFailed) as failure:
        driver.start("politisk-vedtak", SECRETARY, {**DECISION, "motedato": "2027-01-05"})

    [message] = failure.value.errors["motedato"]
    assert "05.01.2027" in message


def test_future_meeting_date_rejected_in_message(driver: ProcessDriver) -> None:
    with pytest.raises(FormValidationFailed) as failure:
        driver.engine.runtime.correlate_message(
            "politisk-vedtak-registrert", "admin", {**DECISION, "motedato": "2027-01-05"})

    assert "motedato" in failure.value.errors
