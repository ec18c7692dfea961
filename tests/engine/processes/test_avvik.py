"""The deviation process (avvikshåndtering) through every path, with the clock moved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine.runtime.timeexpr import OSLO
from tests.engine.processes.driver import ProcessDriver


@pytest.fixture
def processes() -> list[str]:
    """Only this process: the tests count the timers that fire."""
    return ["avvik.bpmn"]


REPORT: dict[str, Any] = {
    "tittel": "Feil medisin gitt på kveldsvakt",
    "hva_skjedde": "En beboer fikk tablettene til en annen beboer.",
    "tidspunkt": "2027-01-04T06:30:00+01:00",
    "sted": "Avdeling 2",
    "enhet": "sykehjem",
    "kategori": "tjeneste",
    "alvorlighetsgrad": "Middels",
    "personopplysninger": False,
    "personskade": False,
    "alvorlig_hendelse": False,
}
ACCEPT = {"beslutning": "godta", "alvorlighetsgrad": "Middels", "personopplysninger": False,
          "personskade": False, "alvorlig_hendelse": False}


def report(driver: ProcessDriver, **changes: Any) -> int:
    return driver.start("avvik", "ola.ansatt", {**REPORT, **changes})


def accept(driver: ProcessDriver, instance_id: int, user: str = "lise.leder",
           **changes: Any) -> None:
    driver.complete(instance_id, "VurderAvvik", user, {**ACCEPT, **changes})


def handle_to_analysis(driver: ProcessDriver, instance_id: int, measures: list[dict]) -> None:
    driver.complete(instance_id, "Strakstiltak", "lise.leder",
                    {"strakstiltak": "Legevakt kontaktet, beboeren observeres."})
    driver.complete(instance_id, "AnalyserAarsak", "lise.leder", {
        "aarsak": "Medisinene lå i feil dosett.",
        "faktisk_konsekvens": "Beboeren ble kvalm.",
        "potensiell_konsekvens": "Alvorlig forgiftning.",
        "tiltak": measures,
    })


def close(driver: ProcessDriver, instance_id: int) -> None:
    driver.complete(instance_id, "LukkAvvik", "lise.leder", {
        "konklusjon": "Rutinen for dosett er endret.",
        "laeringspunkt": "Dobbeltkontroll ved utdeling.",
        "lukket_dato": "2027-01-04",
    })


def test_report_lands_with_unit_handlers(driver: ProcessDriver) -> None:
    instance_id = report(driver)

    task = driver.task(instance_id, "VurderAvvik")
    assert task.candidate_groups == ["behandler@sykehjem"]
    assert task.due_at == driver.clock.now() + timedelta(days=3)
    assert driver.instance(instance_id).case_status == "Meldt"
    assert [t.id for t in driver.group_list("lise.leder")] == [task.id]
    assert [t.id for t in driver.group_list("fatima.ansatt")] == [task.id]
    assert driver.group_list("per.leder") == []


def test_accept_with_measures_runs_to_closed(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = report(driver)
    accept(driver, instance_id)
    assert driver.instance(instance_id).case_status == "Under behandling"

    handle_to_analysis(driver, instance_id, [
        {"tittel": "Innfør dobbeltkontroll", "ansvarlig": "fatima.ansatt", "frist": "2027-01-20"},
        {"tittel": "Oppdater rutinen", "ansvarlig": "lise.leder", "frist": "2027-01-25"},
    ])
    measures = driver.open_tasks(instance_id, "GjennomforTiltak")
    assert sorted(t.assignee for t in measures) == ["fatima.ansatt", "lise.leder"]
    assert sorted(t.name for t in measures) == [
        "Gjennomfør tiltak – Innfør dobbeltkontroll", "Gjennomfør tiltak – Oppdater rutinen"]
    assert driver.instance(instance_id).case_status == "Tiltak pågår"
    due_dates = sorted(t.due_at.astimezone(OSLO).date().isoformat() for t in measures)
    assert due_dates == ["2027-01-20", "2027-01-25"]

    for measure in measures:
        driver.engine.tasks.complete(measure.id, measure.assignee, {"tiltak_element": {
            "status": "gjennomfort", "gjennomforing": "Gjort."}})
    variables = driver.variables(instance_id)
    assert [m["status"] for m in variables["tiltak"]] == ["gjennomfort", "gjennomfort"]
    assert [m["tittel"] for m in variables["tiltak"]] == ["Innfør dobbeltkontroll",
                                                          "Oppdater rutinen"]

    driver.complete(instance_id, "EvaluerTiltak", "lise.leder",
                    {"effekt": "ja", "evaluering": "Ingen nye feil siden."})
    close(driver, instance_id)

    instance = driver.instance(instance_id)
    assert instance.status == "completed"
    assert instance.case_status == "Lukket"
    assert driver.open_tasks(instance_id) == []
    mails = mailbox.to("ola.ansatt@eksempel.kommune.no")
    assert len(mails) == 1
    assert "lukket" in mails[0]["Subject"]
    assert f"/saker/{instance_id}" in mails[0].get_content()
    assert "dosett" not in mails[0].get_content()


def test_accept_without_measures_skips_to_closing(driver: ProcessDriver) -> None:
    instance_id = report(driver)
    accept(driver, instance_id)
    handle_to_analysis(driver, instance_id, [])

    assert driver.open_tasks(instance_id, "GjennomforTiltak") == []
    assert driver.open_tasks(instance_id, "EvaluerTiltak") == []
    close(driver, instance_id)
    assert driver.instance(instance_id).status == "completed"


def test_reject_tells_reporter(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = report(driver)
    driver.complete(instance_id, "VurderAvvik", "lise.leder", {
        **ACCEPT, "beslutning": "avvis", "begrunnelse": "Dette er en klage, ikke et avvik."})

    instance = driver.instance(instance_id)
    assert instance.status == "completed"
    assert instance.case_status == "Avvist"
    mails = mailbox.to("ola.ansatt@eksempel.kommune.no")
    assert len(mails) == 1
    assert "avvist" in mails[0]["Subject"]
    assert driver.variables(instance_id)["begrunnelse"] == "Dette er en klage, ikke et avvik."


def test_reject_requires_reason(driver: ProcessDriver) -> None:
    from engine.errors import FormValidationFailed

    instance_id = report(driver)
    task = driver.task(instance_id, "VurderAvvik")
    try:
        driver.engine.tasks.complete(task.id, "lise.leder", {**ACCEPT, "beslutning": "avvis"})
    except FormValidationFailed as error:
        assert list(error.errors) == ["begrunnelse"]
    else:
        raise AssertionError("a rejection without a reason was accepted")
    assert driver.task(instance_id, "VurderAvvik").state == "open"


def test_transfer_moves_case_to_other_unit(driver: ProcessDriver) -> None:
    instance_id = report(driver)
    driver.complete(instance_id, "VurderAvvik", "lise.leder",
                    {**ACCEPT, "beslutning": "overfor", "ny_enhet": "hjemmetjenesten",
                     "begrunnelse_overforing": "Det skjedde under hjemmebesøk."})

    instance = driver.instance(instance_id)
    assert instance.case_status == "Overført"
    task = driver.task(instance_id, "VurderAvvik")
    assert task.candidate_groups == ["behandler@hjemmetjenesten"]
    assert [t.id for t in driver.group_list("per.leder")] == [task.id]
    assert driver.group_list("lise.leder") == []
    assert "case_transferred" in driver.audit_actions(instance_id)

    accept(driver, instance_id, user="per.leder")
    assert driver.task(instance_id, "Strakstiltak").candidate_groups == [
        "behandler@hjemmetjenesten"]


def test_personal_data_deadline_is_72_hours_from_discovery(driver: ProcessDriver) -> None:
    instance_id = report(driver, kategori="informasjonssikkerhet", personopplysninger=True,
                         oppdaget="2027-01-04T07:00:00+01:00")

    task = driver.task(instance_id, "VurderDatatilsynet")
    assert task.candidate_groups == ["personvernombud"]
    assert task.due_at.isoformat() == "2027-01-07T06:00:00+00:00"
    assert [t.id for t in driver.group_list("pia.personvern")] == [task.id]


def test_personal_data_escalates_before_deadline(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = report(driver, kategori="informasjonssikkerhet", personopplysninger=True,
                         oppdaget="2027-01-04T07:00:00+01:00")
    task = driver.task(instance_id, "VurderDatatilsynet")

    # The warning is due 24 hours before the 72-hour deadline: 2027-01-06 06:00 UTC.
    driver.clock.set(task.due_at - timedelta(hours=24, minutes=1))
    assert driver.advance(minutes=0)["timers_fired"] == 0
    assert driver.task(instance_id, "VurderDatatilsynet").escalated is False

    driver.advance(minutes=1)
    escalated = driver.task(instance_id, "VurderDatatilsynet")
    assert escalated.escalated is True
    assert "leder@sykehjem" in escalated.candidate_groups
    assert len(mailbox.to("lise.leder@eksempel.kommune.no")) == 1

    driver.complete(instance_id, "VurderDatatilsynet", "pia.personvern", {
        "meldt_datatilsynet": "ja", "begrunnelse_datatilsynet": "Sensitive opplysninger.",
        "datatilsynet_referanse": "21/01234", "meldt_datatilsynet_tidspunkt":
            "2027-01-06T10:00:00+01:00"})
    assert driver.open_tasks(instance_id, "VurderDatatilsynet") == []


def test_serious_injury_alerts_leader_at_once(driver: ProcessDriver) -> None:
    instance_id = report(driver, kategori="hms", personskade=True, alvorlig_hendelse=True,
                         alvorlighetsgrad="Kritisk")

    task = driver.task(instance_id, "VarsleMyndigheter")
    assert task.candidate_groups == ["leder@sykehjem"]
    assert task.due_at == driver.clock.now() + timedelta(hours=1)
    assert task.priority == 100
    assert driver.open_tasks(instance_id, "VurderAvvik") != []

    driver.complete(instance_id, "VarsleMyndigheter", "lise.leder", {
        "arbeidstilsynet_varslet": True, "politi_varslet": True,
        "myndigheter_varslet_tidspunkt": "2027-01-04T09:20:00+01:00"})
    assert driver.open_tasks(instance_id, "VarsleMyndigheter") == []


def test_privacy_officer_told_even_if_unit_rejects(driver: ProcessDriver) -> None:
    instance_id = report(driver, kategori="informasjonssikkerhet", personopplysninger=True,
                         oppdaget="2027-01-04T07:00:00+01:00")
    driver.complete(instance_id, "VurderAvvik", "lise.leder", {
        **ACCEPT, "beslutning": "avvis", "begrunnelse": "Ikke et avvik i enheten."})

    assert driver.instance(instance_id).case_status == "Avvist, venter på varsling"
    assert driver.instance(instance_id).status == "running"
    driver.complete(instance_id, "VurderDatatilsynet", "pia.personvern", {
        "meldt_datatilsynet": "nei", "begrunnelse_datatilsynet": "Ingen risiko."})
    assert driver.instance(instance_id).status == "completed"
    assert driver.instance(instance_id).case_status == "Avvist"


def test_personal_data_flagged_at_assessment(driver: ProcessDriver) -> None:
    instance_id = report(driver)
    assert driver.open_tasks(instance_id, "VurderDatatilsynet") == []

    accept(driver, instance_id, personopplysninger=True,
           oppdaget="2027-01-04T08:00:00+01:00")

    task = driver.task(instance_id, "NyVurderDatatilsynet")
    assert task.candidate_groups == ["personvernombud"]
    assert task.due_at.isoformat() == "2027-01-07T07:00:00+00:00"
    assert driver.open_tasks(instance_id, "Strakstiltak") != []


def test_flags_already_reported_start_no_second_task(driver: ProcessDriver) -> None:
    instance_id = report(driver, personopplysninger=True,
                         oppdaget="2027-01-04T07:00:00+01:00")
    accept(driver, instance_id, personopplysninger=True,
           oppdaget="2027-01-04T07:00:00+01:00")

    assert len(driver.open_tasks(instance_id, "VurderDatatilsynet")) == 1
    assert driver.open_tasks(instance_id, "NyVurderDatatilsynet") == []


def test_transfer_to_own_unit_is_refused(driver: ProcessDriver) -> None:
    from engine.errors import FormValidationFailed

    instance_id = report(driver)
    task = driver.task(instance_id, "VurderAvvik")
    try:
        driver.engine.tasks.complete(task.id, "lise.leder", {
            **ACCEPT, "beslutning": "overfor", "ny_enhet": "sykehjem",
            "begrunnelse_overforing": "Feil enhet."})
    except FormValidationFailed as error:
        assert error.errors == {"ny_enhet": [
            "Velg en annen enhet enn den saken ligger i nå."]}
    else:
        raise AssertionError("a transfer to the case's own unit was accepted")
    assert driver.task(instance_id, "VurderAvvik").state == "open"


def test_handling_steps_go_to_the_assessor(driver: ProcessDriver) -> None:
    instance_id = report(driver)
    driver.complete(instance_id, "VurderAvvik", "fatima.ansatt", ACCEPT)

    assert driver.task(instance_id, "Strakstiltak").assignee == "fatima.ansatt"


def test_overdue_assessment_reminds_then_escalates(driver: ProcessDriver,
                                                   mailbox: Any) -> None:
    instance_id = report(driver)
    task = driver.task(instance_id, "VurderAvvik")

    driver.advance(days=2)  # one day before the three-day deadline
    assert len(mailbox.to("lise.leder@eksempel.kommune.no")) == 1
    assert len(mailbox.to("fatima.ansatt@eksempel.kommune.no")) == 1
    assert "Påminnelse" in mailbox.to("lise.leder@eksempel.kommune.no")[0]["Subject"]
    assert driver.task(instance_id, "VurderAvvik").escalated is False

    driver.advance(days=2)  # one day past the deadline: not yet escalated
    assert driver.task(instance_id, "VurderAvvik").escalated is False
    assert driver.group_list("tor.kommunalsjef") == []

    driver.advance(days=1)  # two days past the deadline
    escalated = driver.task(instance_id, "VurderAvvik")
    assert escalated.escalated is True
    assert [t.id for t in driver.group_list("tor.kommunalsjef")] == [task.id]
    assert len(mailbox.to("tor.kommunalsjef@eksempel.kommune.no")) == 1
    assert "task_escalated" in driver.audit_actions(instance_id)

    driver.complete(instance_id, "VurderAvvik", "tor.kommunalsjef", ACCEPT)
    assert driver.open_tasks(instance_id, "Strakstiltak") != []


def test_timers_cancelled_when_assessed_in_time(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = report(driver)
    accept(driver, instance_id)

    report_fired = driver.advance(days=30)
    assert report_fired["timers_fired"] == 0
    assert mailbox.messages == []
