"""The risk review process (risikovurdering, NS 5814) through every path, with the clock
moved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.errors import FormValidationFailed
from engine.risk_matrix import review_variables
from engine.runtime.timeexpr import OSLO
from tests.engine.processes.driver import ProcessDriver

ORDER: dict[str, Any] = {
    "tittel": "Legemiddelhåndtering på Eksempel sykehjem",
    "enhet": "sykehjem",
    "risikoeier": "lise.leder",
    "prosessleder": "ola.ansatt",
}
PLAN: dict[str, Any] = {
    "tittel": "Legemiddelhåndtering på Eksempel sykehjem",
    "formaal": "Finne risiko i legemiddelhåndteringen før ny multidosebehandling.",
    "omfang": "Bestilling, oppbevaring og utdeling. Ikke forskrivning.",
    "deltakere": ["fatima.ansatt"],
    "skala_sannsynlighet": "1 – sjeldnere enn hvert tiende år … 5 – flere ganger i året",
    "skala_konsekvens": "1 – ingen skade … 5 – død eller varig skade",
    "akseptkriterier": "Lav og Middels er akseptabelt.",
    "frist": "2027-03-31",
}
EVENTS = [
    {"tittel": "Feil legemiddel gitt", "beskrivelse": "Beboeren får en annen beboers dose."},
    {"tittel": "Legemidler på avveie", "beskrivelse": "Vanedannende legemidler forsvinner."},
    {"tittel": "Manglende dokumentasjon", "beskrivelse": "Utdeling blir ikke kvittert."},
]
ANALYSIS = [
    {"aarsaker": "Travle vakter og like pakninger.", "barrierer": "Multidose.",
     "sannsynlighet": 4, "konsekvens": 4, "kunnskapsstyrke": "sterk"},
    {"aarsaker": "Medisinrommet står ulåst.", "barrierer": "Telling hver uke.",
     "sannsynlighet": 2, "konsekvens": 3, "kunnskapsstyrke": "middels"},
    {"aarsaker": "Papirlister.", "barrierer": "",
     "sannsynlighet": 1, "konsekvens": 2, "kunnskapsstyrke": "svak"},
]
MEASURES = [
    {"tittel": "Dobbeltkontroll ved utdeling", "hendelse": 1, "ansvarlig": "fatima.ansatt",
     "frist": "2027-02-15"},
    {"tittel": "Navnelapp på hver dosepose", "hendelse": 1, "ansvarlig": "jonas.ansatt",
     "frist": "2027-03-01"},
]
OWNER_MAIL = "fatima.ansatt@eksempel.kommune.no"


def order(driver: ProcessDriver) -> int:
    return driver.start("risikovurdering", "ola.ansatt", ORDER)


def plan(driver: ProcessDriver, instance_id: int, **changes: Any) -> None:
    driver.complete(instance_id, "Planlegg", "ola.ansatt", {**PLAN, **changes})


def approve_mandate(driver: ProcessDriver, instance_id: int) -> None:
    driver.complete(instance_id, "GodkjennMandat", "lise.leder",
                    {"beslutning_mandat": "godkjenn"})


def identify_and_analyse(driver: ProcessDriver, instance_id: int) -> None:
    driver.complete(instance_id, "IdentifiserHendelser", "fatima.ansatt",
                    {"hendelser": EVENTS})
    driver.complete(instance_id, "AnalyserRisiko", "ola.ansatt", {"hendelser": ANALYSIS})


def evaluate(driver: ProcessDriver, instance_id: int,
             measures: list[dict[str, Any]] | None = None) -> None:
    driver.complete(instance_id, "EvaluerRisiko", "ola.ansatt", {
        "evaluering": "Feil legemiddel er over akseptgrensen.",
        "tiltak": MEASURES if measures is None else measures})


def carry_out_measures(driver: ProcessDriver, instance_id: int) -> None:
    for task in driver.open_tasks(instance_id, "GjennomforTiltak"):
        driver.engine.tasks.complete(task.id, task.assignee or "", {
            "gjennomforing": "Innført fra uke 6."})


def approve_residual_risk(driver: ProcessDriver, instance_id: int,
                          **changes: Any) -> None:
    residual = [{"rest_sannsynlighet": 2, "rest_konsekvens": 4},
                {"rest_sannsynlighet": 2, "rest_konsekvens": 3},
                {"rest_sannsynlighet": 1, "rest_konsekvens": 2}]
    driver.complete(instance_id, "VurderRestrisiko", "lise.leder", {
        "hendelser": residual, "beslutning_restrisiko": "godkjenn", **changes})


def run_to_measures(driver: ProcessDriver) -> int:
    instance_id = order(driver)
    plan(driver, instance_id)
    approve_mandate(driver, instance_id)
    identify_and_analyse(driver, instance_id)
    evaluate(driver, instance_id)
    return instance_id


def run_to_approval(driver: ProcessDriver) -> int:
    instance_id = run_to_measures(driver)
    carry_out_measures(driver, instance_id)
    approve_residual_risk(driver, instance_id)
    return instance_id


def pending_timers(driver: ProcessDriver, instance_id: int) -> dict[str, datetime]:
    engine = driver.engine
    with engine.transaction(read_only=True):
        return {timer.element_id: timer.due_at
                for timer in engine.management.timers(instance_id)}


def variables(driver: ProcessDriver, instance_id: int) -> dict[str, Any]:
    """Read the variables as the round in progress has them (RuntimeService.variables shows
    the top level, which a round updates when it ends)."""
    engine = driver.engine
    with engine.transaction(read_only=True):
        return review_variables(engine, instance_id)


def events(driver: ProcessDriver, instance_id: int) -> list[dict[str, Any]]:
    return list(variables(driver, instance_id)["hendelser"])


def reminders(mailbox: Any, address: str) -> list[Any]:
    return [mail for mail in mailbox.to(address) if "Påminnelse" in mail["Subject"]]


def test_order_lands_with_process_leader(driver: ProcessDriver) -> None:
    instance_id = order(driver)

    task = driver.task(instance_id, "Planlegg")
    assert task.assignee == "ola.ansatt"
    assert task.due_at == driver.clock.now() + timedelta(days=14)
    assert driver.instance(instance_id).case_status == "Planlagt"
    stored = variables(driver, instance_id)
    assert stored["runde"] == 1
    assert stored["skala_sannsynlighet"].startswith("1 – Svært lite sannsynlig")
    assert stored["akseptkriterier"] == (
        "Risiko på nivåene Lav og Middels er akseptabel. "
        "Risiko på nivået Høy er ikke akseptabel og krever tiltak.")
    assert len(stored["matrise"]["celler"]) == 5
    assert pending_timers(driver, instance_id) == {}


def test_mandate_sent_back_then_approved(driver: ProcessDriver) -> None:
    instance_id = order(driver)
    plan(driver, instance_id)
    mandate = driver.task(instance_id, "GodkjennMandat")
    assert mandate.assignee == "lise.leder"
    assert mandate.due_at == driver.clock.now() + timedelta(days=7)

    driver.complete(instance_id, "GodkjennMandat", "lise.leder", {
        "beslutning_mandat": "send_tilbake", "kommentar_mandat": "Ta med nattevaktene."})
    assert driver.task(instance_id, "Planlegg").assignee == "ola.ansatt"
    assert driver.open_tasks(instance_id, "GodkjennMandat") == []
    assert driver.instance(instance_id).case_status == "Planlagt"

    plan(driver, instance_id, deltakere=["fatima.ansatt", "jonas.ansatt"])
    approve_mandate(driver, instance_id)
    task = driver.task(instance_id, "IdentifiserHendelser")
    assert sorted(task.candidate_users) == ["fatima.ansatt", "jonas.ansatt", "ola.ansatt"]
    assert driver.instance(instance_id).case_status == "Pågår"
    assert variables(driver, instance_id)["mandat_godkjent_av"] == "lise.leder"


def test_sending_mandate_back_needs_comment(driver: ProcessDriver) -> None:
    instance_id = order(driver)
    plan(driver, instance_id)
    task = driver.task(instance_id, "GodkjennMandat")

    with pytest.raises(FormValidationFailed) as failure:
        driver.engine.tasks.complete(task.id, "lise.leder",
                                     {"beslutning_mandat": "send_tilbake"})
    assert list(failure.value.errors) == ["kommentar_mandat"]


def test_analysis_stores_likelihood_and_consequence(driver: ProcessDriver) -> None:
    instance_id = order(driver)
    plan(driver, instance_id)
    approve_mandate(driver, instance_id)
    identify_and_analyse(driver, instance_id)

    stored = events(driver, instance_id)
    assert [event["nr"] for event in stored] == [1, 2, 3]
    assert [event["tittel"] for event in stored] == [event["tittel"] for event in EVENTS]
    assert [(e["sannsynlighet"], e["konsekvens"]) for e in stored] == [(4, 4), (2, 3), (1, 2)]
    assert [event["risikonivaa"] for event in stored] == ["Høy", "Middels", "Lav"]
    assert [event["farge"] for event in stored] == ["rod", "gul", "gronn"]
    assert [event["akseptabel"] for event in stored] == [False, True, True]
    assert stored[0]["kunnskapsstyrke"] == "sterk"
    assert stored[0]["barrierer"] == "Multidose."
    assert variables(driver, instance_id)["over_akseptgrensen"] == 1
    assert driver.task(instance_id, "EvaluerRisiko").assignee == "ola.ansatt"


def test_likelihood_outside_scale_is_rejected(driver: ProcessDriver) -> None:
    instance_id = order(driver)
    plan(driver, instance_id)
    approve_mandate(driver, instance_id)
    driver.complete(instance_id, "IdentifiserHendelser", "ola.ansatt", {"hendelser": EVENTS})
    task = driver.task(instance_id, "AnalyserRisiko")

    wrong = [dict(ANALYSIS[0], sannsynlighet=6), *ANALYSIS[1:]]
    with pytest.raises(FormValidationFailed) as failure:
        driver.engine.tasks.complete(task.id, "ola.ansatt", {"hendelser": wrong})
    assert "hendelser[0].sannsynlighet" in str(dict(failure.value.errors))


def test_levels_follow_the_setting(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("risikovurdering.matrise", {
        "sannsynlighet": ["Lav", "Middels", "Høy", "Svært høy"],
        "konsekvens": ["Liten", "Middels", "Stor", "Svært stor"],
        "nivaaer": [{"navn": "Grønn", "farge": "gronn"}, {"navn": "Gul", "farge": "gul"},
                    {"navn": "Rød", "farge": "rod"}],
        "celler": [["Grønn", "Grønn", "Gul", "Gul"],
                   ["Grønn", "Gul", "Gul", "Rød"],
                   ["Gul", "Gul", "Rød", "Rød"],
                   ["Gul", "Rød", "Rød", "Rød"]],
        "akseptgrense": "Grønn"}, actor="admin")
    instance_id = order(driver)
    plan(driver, instance_id)
    approve_mandate(driver, instance_id)
    stored = variables(driver, instance_id)
    assert [option["value"] for option in stored["konsekvensvalg"]] == [1, 2, 3, 4]
    identify_and_analyse(driver, instance_id)

    stored = events(driver, instance_id)
    assert [event["risikonivaa"] for event in stored] == ["Rød", "Gul", "Grønn"]
    assert [event["akseptabel"] for event in stored] == [False, False, True]
    assert variables(driver, instance_id)["matrise"]["akseptgrense"] == "Grønn"


def test_setting_change_leaves_running_review(driver: ProcessDriver) -> None:
    instance_id = order(driver)
    driver.engine.repository.set_setting("risikovurdering.matrise", {
        "akseptgrense": "Lav"}, actor="admin")
    plan(driver, instance_id)
    approve_mandate(driver, instance_id)
    identify_and_analyse(driver, instance_id)

    assert [event["akseptabel"] for event in events(driver, instance_id)] == [
        False, True, True]


def test_invalid_matrix_setting_opens_incident(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("risikovurdering.matrise", {
        "akseptgrense": "Ukjent"}, actor="admin")
    instance_id = order(driver)

    incidents = driver.incidents(instance_id)
    assert len(incidents) == 1
    assert "risikovurdering.matrise" in incidents[0].message
    assert "akseptgrense" in incidents[0].message
    assert driver.open_tasks(instance_id, "Planlegg") == []


def test_event_above_limit_needs_measure(driver: ProcessDriver) -> None:
    instance_id = order(driver)
    plan(driver, instance_id)
    approve_mandate(driver, instance_id)
    identify_and_analyse(driver, instance_id)
    task = driver.task(instance_id, "EvaluerRisiko")

    only_second = [dict(MEASURES[0], hendelse=2)]
    with pytest.raises(FormValidationFailed) as failure:
        driver.engine.tasks.complete(task.id, "ola.ansatt", {
            "evaluering": "Ingen tiltak for hendelse 1.", "tiltak": only_second})
    assert list(failure.value.errors) == ["tiltak"]
    assert failure.value.errors["tiltak"][0].startswith("Hendelsen 1. ")
    assert "har ikke noe tiltak" in failure.value.errors["tiltak"][0]
    assert driver.task(instance_id, "EvaluerRisiko").state == "open"


def test_measures_fan_out_one_per_measure(driver: ProcessDriver) -> None:
    instance_id = run_to_measures(driver)

    tasks = sorted(driver.open_tasks(instance_id, "GjennomforTiltak"),
                   key=lambda task: task.assignee or "")
    assert [task.assignee for task in tasks] == ["fatima.ansatt", "jonas.ansatt"]
    assert tasks[0].name == "Gjennomfør tiltak – Dobbeltkontroll ved utdeling"
    assert tasks[1].name == "Gjennomfør tiltak – Navnelapp på hver dosepose"
    assert tasks[0].due_at.astimezone(OSLO).date().isoformat() == "2027-02-15"
    assert tasks[1].due_at.astimezone(OSLO).date().isoformat() == "2027-03-01"
    assert driver.instance(instance_id).case_status == "Pågår"

    driver.engine.tasks.complete(tasks[0].id, "fatima.ansatt", {"gjennomforing": "Gjort."})
    assert driver.open_tasks(instance_id, "VurderRestrisiko") == []
    driver.engine.tasks.complete(tasks[1].id, "jonas.ansatt", {"gjennomforing": "Gjort."})
    assert driver.task(instance_id, "VurderRestrisiko").assignee == "lise.leder"
    assert driver.instance(instance_id).case_status == "Til godkjenning"


def test_no_measures_goes_to_risk_owner(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("risikovurdering.matrise", {
        "akseptgrense": "Høy"}, actor="admin")
    instance_id = order(driver)
    plan(driver, instance_id)
    approve_mandate(driver, instance_id)
    identify_and_analyse(driver, instance_id)
    evaluate(driver, instance_id, measures=[])

    assert driver.open_tasks(instance_id, "GjennomforTiltak") == []
    assert driver.task(instance_id, "VurderRestrisiko").assignee == "lise.leder"


def test_measure_deadline_escalates_when_passed(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = run_to_measures(driver)
    first = next(task for task in driver.open_tasks(instance_id, "GjennomforTiltak")
                 if task.assignee == "fatima.ansatt")
    due = first.due_at

    driver.clock.set(due - timedelta(days=7, minutes=1))
    driver.advance(minutes=0)
    assert reminders(mailbox, OWNER_MAIL) == []
    driver.advance(minutes=1)
    assert len(reminders(mailbox, OWNER_MAIL)) == 1
    assert reminders(mailbox, "jonas.ansatt@eksempel.kommune.no") == []

    driver.clock.set(due - timedelta(minutes=1))
    driver.advance(minutes=0)
    driver.advance(seconds=59)
    assert all(not task.escalated for task in driver.open_tasks(instance_id,
                                                                   "GjennomforTiltak"))
    assert driver.audit_actions(instance_id).count("task_escalated") == 0

    driver.advance(seconds=1)
    tasks = {task.assignee: task for task in driver.open_tasks(instance_id,
                                                               "GjennomforTiltak")}
    assert tasks["fatima.ansatt"].escalated is True
    assert "leder@helse-omsorg" in tasks["fatima.ansatt"].candidate_groups
    assert tasks["jonas.ansatt"].escalated is False
    assert driver.audit_actions(instance_id).count("task_escalated") == 1


def test_measure_deadline_follows_the_setting(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("risikovurdering.frister", {
        "eskalering_etter_tiltaksfrist": "P2D"}, actor="admin")
    instance_id = run_to_measures(driver)
    first = next(task for task in driver.open_tasks(instance_id, "GjennomforTiltak")
                 if task.assignee == "fatima.ansatt")

    driver.clock.set(first.due_at + timedelta(days=2, minutes=-1))
    driver.advance(minutes=0)
    assert all(not task.escalated
               for task in driver.open_tasks(instance_id, "GjennomforTiltak"))
    driver.advance(minutes=1)
    escalated = [task.assignee for task in driver.open_tasks(instance_id, "GjennomforTiltak")
                 if task.escalated]
    assert escalated == ["fatima.ansatt"]


def test_timers_cancelled_when_measures_done(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = run_to_measures(driver)
    carry_out_measures(driver, instance_id)
    mailbox.messages.clear()

    assert pending_timers(driver, instance_id) == {}
    driver.advance(days=90)
    assert reminders(mailbox, OWNER_MAIL) == []
    assert reminders(mailbox, "jonas.ansatt@eksempel.kommune.no") == []
    assert mailbox.to("tor.kommunalsjef@eksempel.kommune.no") == []


def test_residual_risk_sent_back_then_approved(driver: ProcessDriver) -> None:
    instance_id = run_to_measures(driver)
    carry_out_measures(driver, instance_id)
    approve_residual_risk(driver, instance_id, beslutning_restrisiko="send_tilbake",
                          kommentar_restrisiko="Legemidler på avveie trenger et tiltak.")

    assert driver.task(instance_id, "EvaluerRisiko").assignee == "ola.ansatt"
    assert driver.instance(instance_id).case_status == "Pågår"
    new_measure = {"tittel": "Lås medisinrommet", "hendelse": 2, "ansvarlig": "fatima.ansatt",
                   "frist": "2027-02-20"}
    evaluate(driver, instance_id, measures=[*MEASURES, new_measure])
    tasks = driver.open_tasks(instance_id, "GjennomforTiltak")
    assert [task.name for task in tasks] == ["Gjennomfør tiltak – Lås medisinrommet"]

    carry_out_measures(driver, instance_id)
    approve_residual_risk(driver, instance_id)
    instance = driver.instance(instance_id)
    assert instance.case_status == "Godkjent"
    stored = events(driver, instance_id)
    assert [event["rest_risikonivaa"] for event in stored] == ["Middels", "Middels", "Lav"]
    assert [event["risikonivaa"] for event in stored] == ["Høy", "Middels", "Lav"]
    stored = variables(driver, instance_id)
    assert stored["restrisiko_vurdert"] is True
    assert stored["godkjent_av"] == "lise.leder"


def test_approval_schedules_yearly_review(driver: ProcessDriver) -> None:
    instance_id = run_to_approval(driver)
    approved = driver.clock.now()

    assert pending_timers(driver, instance_id) == {
        "NesteGjennomgang": approved.replace(year=approved.year + 1)}
    assert driver.instance(instance_id).status == "running"

    driver.clock.set(approved.replace(year=approved.year + 1) - timedelta(minutes=1))
    driver.advance(minutes=0)
    assert driver.open_tasks(instance_id, "Planlegg") == []
    assert list(pending_timers(driver, instance_id)) == ["NesteGjennomgang"]
    driver.advance(minutes=1)
    assert driver.task(instance_id, "Planlegg").assignee == "ola.ansatt"
    assert driver.instance(instance_id).case_status == "Planlagt"
    local = approved.astimezone(OSLO)  # 15 months later is in summer time
    assert pending_timers(driver, instance_id) == {"GyldighetUtloper": local.replace(
        year=local.year + 1, month=local.month + 3).astimezone(UTC)}

    stored = variables(driver, instance_id)
    assert stored["runde"] == 2
    assert stored["formaal"] == PLAN["formaal"]
    assert stored["frist"] is None
    assert [event["tittel"] for event in stored["hendelser"]] == [
        event["tittel"] for event in EVENTS]
    assert all(event["sannsynlighet"] is None for event in stored["hendelser"])
    assert stored["tiltak"] == []


def test_next_review_is_in_annual_wheel(driver: ProcessDriver) -> None:
    instance_id = run_to_approval(driver)
    next_year = driver.clock.now().year + 1

    wheel = driver.engine.annual_wheel.wheel("lise.leder", next_year, "sykehjem")
    reviews = [entry for entry in wheel.entries if entry.instance_id == instance_id]
    assert [(entry.element_id, entry.kind) for entry in reviews] == [
        ("NesteGjennomgang", "review")]
    assert reviews[0].at == pending_timers(driver, instance_id)["NesteGjennomgang"]


def test_expected_review_before_approval(driver: ProcessDriver) -> None:
    instance_id = run_to_measures(driver)
    started = driver.instance(instance_id).started_at

    wheel = driver.engine.annual_wheel.wheel("lise.leder", started.year + 1, "sykehjem")
    reviews = [entry for entry in wheel.entries if entry.instance_id == instance_id]

    assert [(entry.element_id, entry.kind, entry.expected) for entry in reviews] == [
        ("NesteGjennomgang", "review", True)]
    assert reviews[0].at == started.replace(year=started.year + 1)


def test_new_round_rewrites_scales_of_changed_matrix(driver: ProcessDriver) -> None:
    instance_id = run_to_approval(driver)
    driver.engine.repository.set_setting("risikovurdering.matrise", {
        "akseptgrense": "Lav"}, actor="admin")
    driver.advance(days=366)

    stored = variables(driver, instance_id)
    assert stored["akseptkriterier"] == (
        "Risiko på nivået Lav er akseptabel. "
        "Risiko på nivåene Middels og Høy er ikke akseptabel og krever tiltak.")
    assert stored["skala_sannsynlighet"].startswith("1 – Svært lite sannsynlig\n")
    assert stored["matrise"]["akseptgrense"] == "Lav"


def test_new_round_keeps_wording_of_same_matrix(driver: ProcessDriver) -> None:
    instance_id = run_to_approval(driver)
    driver.advance(days=366)

    stored = variables(driver, instance_id)
    assert stored["akseptkriterier"] == PLAN["akseptkriterier"]
    assert stored["skala_konsekvens"] == PLAN["skala_konsekvens"]


def test_yearly_review_starts_again_from_plan(driver: ProcessDriver) -> None:
    instance_id = run_to_approval(driver)
    driver.advance(days=366)
    plan(driver, instance_id, frist="2028-03-01")
    approve_mandate(driver, instance_id)
    driver.complete(instance_id, "IdentifiserHendelser", "ola.ansatt",
                    {"hendelser": EVENTS[:2]})
    driver.complete(instance_id, "AnalyserRisiko", "ola.ansatt", {"hendelser": [
        dict(ANALYSIS[0], sannsynlighet=2), ANALYSIS[1]]})

    stored = events(driver, instance_id)
    assert [event["risikonivaa"] for event in stored] == ["Middels", "Middels"]
    evaluate(driver, instance_id, measures=[])
    assert driver.open_tasks(instance_id, "GjennomforTiltak") == []


def test_review_expires_without_new_approval(driver: ProcessDriver) -> None:
    instance_id = run_to_approval(driver)
    driver.advance(days=366)
    assert driver.instance(instance_id).case_status == "Planlagt"
    valid_until = pending_timers(driver, instance_id)["GyldighetUtloper"]
    driver.clock.set(valid_until - timedelta(minutes=1))
    driver.advance(minutes=0)
    assert driver.instance(instance_id).case_status == "Planlagt"

    driver.advance(minutes=1)
    assert driver.instance(instance_id).case_status == "Utgått"
    assert driver.task(instance_id, "Planlegg").assignee == "ola.ansatt"

    plan(driver, instance_id, frist="2028-06-01")
    approve_mandate(driver, instance_id)
    identify_and_analyse(driver, instance_id)
    evaluate(driver, instance_id, measures=[dict(MEASURES[0], frist="2028-05-01")])
    carry_out_measures(driver, instance_id)
    approve_residual_risk(driver, instance_id)
    assert driver.instance(instance_id).case_status == "Godkjent"


def test_renewed_review_does_not_expire(driver: ProcessDriver) -> None:
    instance_id = run_to_approval(driver)
    driver.advance(days=366)
    valid_until = pending_timers(driver, instance_id)["GyldighetUtloper"]

    plan(driver, instance_id, frist="2028-03-01")
    approve_mandate(driver, instance_id)
    identify_and_analyse(driver, instance_id)
    evaluate(driver, instance_id, measures=[dict(MEASURES[0], frist="2028-02-01")])
    carry_out_measures(driver, instance_id)
    approve_residual_risk(driver, instance_id)
    assert driver.instance(instance_id).case_status == "Godkjent"

    driver.clock.set(valid_until)
    driver.advance(minutes=0)
    assert driver.instance(instance_id).case_status == "Godkjent"
    assert variables(driver, instance_id)["runde"] == 2
    assert "GyldighetUtloper" not in pending_timers(driver, instance_id)


def test_validity_must_outlast_next_review(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("risikovurdering.frister", {
        "gyldighet": "P11M"}, actor="admin")
    instance_id = run_to_approval(driver)

    incidents = driver.incidents(instance_id)
    assert len(incidents) == 1
    assert "gyldighet" in incidents[0].message


def test_no_further_review_closes_case(driver: ProcessDriver) -> None:
    instance_id = run_to_measures(driver)
    carry_out_measures(driver, instance_id)
    approve_residual_risk(driver, instance_id, uten_ny_gjennomgang=True)

    instance = driver.instance(instance_id)
    assert instance.status == "completed"
    assert instance.case_status == "Godkjent"
    assert pending_timers(driver, instance_id) == {}
