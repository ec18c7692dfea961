"""The budget cycle (budsjett) over simulated years: the yearly start, the legal deadlines and
their escalations, one forecast per unit, and the path to the council's adoption."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from engine.errors import FormValidationFailed
from engine.models import ProcessInstance, Task
from engine.runtime.timeexpr import OSLO
from handlers.budsjett import deviation
from tests.engine.processes.driver import ProcessDriver

FINANCE = "jon.okonomi"
HEAD_OF_FINANCE = "eva.okonomisjef"
DIRECTOR = "kari.direktor"
SECRETARY = "siri.sekretariat"
UNIT_LEADERS = {"sykehjem": "lise.leder", "hjemmetjenesten": "per.leder",
                "eksempel-skole": "anne.rektor"}
FRAMES = {"sykehjem": 80_000_000, "hjemmetjenesten": 45_000_000,
          "eksempel-skole": 30_000_000}
MAIL_DOMAIN = "eksempel.kommune.no"


def oslo(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=OSLO)


def at(driver: ProcessDriver, text: str) -> dict[str, int]:
    """Move the clock to an Oslo time and fire what fell due."""
    driver.clock.set(oslo(text))
    return driver.advance(minutes=0)


def budget_instances(driver: ProcessDriver) -> list[ProcessInstance]:
    engine = driver.engine
    with engine.transaction(read_only=True):
        return list(engine.uow.session.scalars(
            select(ProcessInstance).where(ProcessInstance.definition_key == "budsjett")
            .order_by(ProcessInstance.id)))


def start_by_hand(driver: ProcessDriver, year: int = 2027) -> int:
    return driver.start("budsjett", FINANCE, {"budsjettaar": str(year)})


def escalations(driver: ProcessDriver, instance_id: int) -> list[dict[str, Any]]:
    engine = driver.engine
    with engine.transaction(read_only=True):
        return [dict(event.details or {}) for event in engine.history.events(instance_id)
                if event.action == "budget_deadline_escalated"]


def escalated_deadlines(driver: ProcessDriver, instance_id: int) -> list[str]:
    return [details["deadline"] for details in escalations(driver, instance_id)]


def close_accounts(driver: ProcessDriver, instance_id: int) -> None:
    driver.complete(instance_id, "AvleggAarsregnskap", FINANCE, {
        "regnskap_avlagt": "2027-02-15", "netto_driftsresultat": 12_500_000})
    driver.complete(instance_id, "LeggFramAarsrapport", DIRECTOR, {
        "aarsrapport_dato": "2027-03-25", "aarsrapport_sammendrag": "Driften gikk i balanse."})


def forecast_tasks(driver: ProcessDriver, instance_id: int, element_id: str) -> dict[str, Task]:
    """The open forecast tasks, by the unit whose leaders may take them."""
    tasks = {}
    for task in driver.open_tasks(instance_id, element_id):
        # The unit's own leader group comes first; an escalation adds others after it.
        group = next(group for group in task.candidate_groups if group.startswith("leder@"))
        tasks[group.split("@", 1)[1]] = task
    return tasks


def send_forecasts(driver: ProcessDriver, instance_id: int, element_id: str,
                   forecasts: dict[str, int]) -> None:
    for unit, task in forecast_tasks(driver, instance_id, element_id).items():
        driver.engine.tasks.complete(task.id, UNIT_LEADERS[unit], {"prognose": {
            "ramme": FRAMES[unit], "aarsprognose": forecasts[unit],
            "forklaring": "Lønn og vikarbruk.", "justering": None}})


def run_tertial(driver: ProcessDriver, instance_id: int, number: int, opens: str) -> None:
    at(driver, opens)
    send_forecasts(driver, instance_id, f"T{number}LeverPrognose", {
        "sykehjem": 82_000_000, "hjemmetjenesten": 44_000_000, "eksempel-skole": 30_000_000})
    driver.complete(instance_id, f"T{number}Tertialrapport", FINANCE, {
        "tertial_vurdering": "Sykehjemmet ligger an til merforbruk."})


def adopt(driver: ProcessDriver, instance_id: int, meeting: str = "2027-12-14") -> None:
    driver.complete(instance_id, "LeggFramForslag", DIRECTOR, {
        "okonomiplan_til": "2031", "forslag_sammendrag": "Balanse i hele planperioden.",
        "rammer": [{"enhet": unit, "ramme": frame + 1_000_000}
                   for unit, frame in FRAMES.items()]})
    driver.complete(instance_id, "LeggUtInnstilling", SECRETARY, {
        "formannskap_dato": "2027-11-25", "innstilling": "Som kommunedirektørens forslag.",
        "kommunestyremote": meeting})


def test_deviation_in_kroner_and_percent() -> None:
    assert deviation(80_000_000, 82_000_000) == (-2_000_000, -2.5)
    assert deviation(45_000_000, 44_000_000) == (1_000_000, 2.2)
    assert deviation(0, 1_000) == (-1_000, None)
    assert deviation(None, 1_000) == (None, None)
    assert isinstance(deviation(80_000_000.0, 82_000_000.0)[0], int)
    assert deviation(1_000, 999.5) == (0.5, 0.1)
    assert deviation(-5, 10) == (-15, None)
    assert deviation(0.5, 1) == (-0.5, -100.0)


def test_timer_starts_budget_year_on_time(driver: ProcessDriver) -> None:
    at(driver, "2027-12-31T23:59")
    assert budget_instances(driver) == []

    driver.advance(minutes=1)
    [instance] = budget_instances(driver)
    assert instance.started_at == oslo("2028-01-01T00:00")
    assert instance.business_key.startswith("BUDSJETT-2028-")
    variables = driver.variables(instance.id)
    assert variables["budsjettaar"] == 2028
    assert variables["okonomiplan_fra"] == 2029
    assert variables["okonomiplan_til"] == 2032
    assert instance.title == "Budsjett og økonomiplan 2028: regnskap 2027, budsjett 2029"
    assert instance.case_status == "Årsavslutning"
    task = driver.task(instance.id, "AvleggAarsregnskap")
    assert task.candidate_groups == ["okonomi"]
    assert task.due_at == oslo("2028-02-22T23:59")


def test_next_year_starts_while_this_year_is_open(driver: ProcessDriver) -> None:
    at(driver, "2028-01-01T00:00")
    [first] = budget_instances(driver)

    at(driver, "2028-12-31T23:59")
    assert len(budget_instances(driver)) == 1
    driver.advance(minutes=1)
    instances = budget_instances(driver)
    assert len(instances) == 2
    assert instances[0].id == first.id
    assert instances[0].status == "running"
    assert instances[1].started_at == oslo("2029-01-01T00:00")
    assert driver.variables(instances[1].id)["budsjettaar"] == 2029


def test_accounts_and_report_escalate_when_passed(driver: ProcessDriver,
                                                  mailbox: Any) -> None:
    instance_id = start_by_hand(driver)

    at(driver, "2027-02-22T23:59")
    assert escalated_deadlines(driver, instance_id) == []
    driver.advance(minutes=1)
    assert escalated_deadlines(driver, instance_id) == ["årsregnskapet"]
    task = driver.task(instance_id, "AvleggAarsregnskap")
    assert task.escalated is True
    assert "okonomisjef" in task.candidate_groups
    assert "leder@eksempel" in task.candidate_groups
    for user in (HEAD_OF_FINANCE, DIRECTOR):
        mails = mailbox.to(f"{user}@{MAIL_DOMAIN}")
        assert len(mails) == 1
        assert "årsregnskapet" in mails[0]["Subject"]

    driver.complete(instance_id, "AvleggAarsregnskap", HEAD_OF_FINANCE, {
        "regnskap_avlagt": "2027-02-24", "netto_driftsresultat": -3_000_000})
    at(driver, "2027-03-31T23:59")
    assert escalated_deadlines(driver, instance_id) == ["årsregnskapet"]
    driver.advance(minutes=1)
    assert escalated_deadlines(driver, instance_id) == ["årsregnskapet", "årsrapporten"]
    assert driver.task(instance_id, "LeggFramAarsrapport").escalated is True


def test_on_time_accounts_do_not_escalate(driver: ProcessDriver) -> None:
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)

    at(driver, "2027-04-30T12:00")
    assert escalated_deadlines(driver, instance_id) == []
    assert driver.open_tasks(instance_id) == []


def test_one_forecast_task_per_unit(driver: ProcessDriver) -> None:
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)

    at(driver, "2027-04-30T23:59")
    assert driver.open_tasks(instance_id, "T1LeverPrognose") == []
    driver.advance(minutes=1)
    tasks = forecast_tasks(driver, instance_id, "T1LeverPrognose")
    assert sorted(tasks) == sorted(UNIT_LEADERS)
    assert tasks["sykehjem"].name == "Lever prognose og kommentar – Eksempel sykehjem"
    assert tasks["sykehjem"].due_at == oslo("2027-05-10T23:59")
    assert driver.instance(instance_id).case_status == "1. tertial"


def test_forecast_units_come_from_setting(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("budsjett.syklus", {
        "budsjettniva": "tjenesteomraade"}, actor="admin")
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)

    at(driver, "2027-05-01T00:00")
    assert sorted(forecast_tasks(driver, instance_id, "T1LeverPrognose")) == [
        "helse-omsorg", "oppvekst"]


def test_forecast_shows_last_adopted_frame(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("budsjett.rammer.2027", FRAMES, actor="admin")
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)

    at(driver, "2027-05-01T00:00")
    forecasts = {row["enhet"]: row for row in driver.variables(instance_id)["prognoser"]}
    assert forecasts["sykehjem"]["ramme"] == 80_000_000
    assert forecasts["sykehjem"]["ansvarlig"] == "lise.leder"
    assert forecasts["sykehjem"]["ansvarlig_navn"] == "Lise Johansen"


def test_deviation_computed_per_unit(driver: ProcessDriver) -> None:
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)
    at(driver, "2027-05-01T00:00")

    send_forecasts(driver, instance_id, "T1LeverPrognose", {
        "sykehjem": 82_000_000, "hjemmetjenesten": 44_000_000, "eksempel-skole": 30_000_000})

    variables = driver.variables(instance_id)
    forecasts = {row["enhet"]: row for row in variables["prognoser"]}
    assert forecasts["sykehjem"]["avvik_kr"] == -2_000_000
    assert forecasts["sykehjem"]["avvik_prosent"] == -2.5
    assert forecasts["hjemmetjenesten"]["avvik_kr"] == 1_000_000
    assert forecasts["eksempel-skole"]["avvik_prosent"] == 0.0
    report = variables["tertialrapport"]
    assert report["sum_ramme"] == 155_000_000
    assert report["sum_prognose"] == 156_000_000
    assert report["sum_avvik_kr"] == -1_000_000
    assert report["enheter_med_merforbruk"] == 1
    assert variables["tertial1"] == report
    task = driver.task(instance_id, "T1Tertialrapport")
    assert task.candidate_groups == ["okonomi"]
    assert task.due_at == oslo("2027-05-30T23:59")


def test_late_forecast_escalates_only_that_unit(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)
    at(driver, "2027-05-01T00:00")
    tasks = forecast_tasks(driver, instance_id, "T1LeverPrognose")
    for unit in ("sykehjem", "eksempel-skole"):
        driver.engine.tasks.complete(tasks[unit].id, UNIT_LEADERS[unit], {"prognose": {
            "ramme": FRAMES[unit], "aarsprognose": FRAMES[unit],
            "forklaring": "Som budsjettert."}})

    at(driver, "2027-05-10T23:59")
    assert escalated_deadlines(driver, instance_id) == []
    driver.advance(minutes=1)
    assert escalated_deadlines(driver, instance_id) == ["prognosen"]
    [late] = forecast_tasks(driver, instance_id, "T1LeverPrognose").values()
    assert late.escalated is True
    assert len(mailbox.to(f"{HEAD_OF_FINANCE}@{MAIL_DOMAIN}")) == 1
    assert len(mailbox.to(f"{DIRECTOR}@{MAIL_DOMAIN}")) == 1


def test_tertial_report_and_frames_escalate(driver: ProcessDriver) -> None:
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)
    at(driver, "2027-05-01T00:00")
    send_forecasts(driver, instance_id, "T1LeverPrognose", {
        "sykehjem": 80_000_000, "hjemmetjenesten": 45_000_000, "eksempel-skole": 30_000_000})

    at(driver, "2027-05-30T23:59")
    assert escalated_deadlines(driver, instance_id) == []
    driver.advance(minutes=1)
    assert escalated_deadlines(driver, instance_id) == ["tertialrapporten"]
    driver.complete(instance_id, "T1Tertialrapport", FINANCE, {"tertial_vurdering": "I rute."})

    task = driver.task(instance_id, "FastsettRammer")
    assert task.candidate_groups == ["leder@eksempel"]
    assert task.due_at == oslo("2027-06-30T23:59")
    assert driver.instance(instance_id).case_status == "Rammer og virksomhetsplaner"
    at(driver, "2027-06-30T23:59")
    assert escalated_deadlines(driver, instance_id) == ["tertialrapporten"]
    driver.advance(minutes=1)
    assert escalated_deadlines(driver, instance_id) == ["tertialrapporten", "rammene"]


def test_second_tertial_waits_for_august_figures(driver: ProcessDriver) -> None:
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)
    run_tertial(driver, instance_id, 1, "2027-05-01T00:00")
    driver.complete(instance_id, "FastsettRammer", DIRECTOR, {
        "rammer": [{"enhet": unit, "ramme": frame} for unit, frame in FRAMES.items()]})

    at(driver, "2027-08-31T23:59")
    assert driver.open_tasks(instance_id, "T2LeverPrognose") == []
    driver.advance(minutes=1)
    assert len(driver.open_tasks(instance_id, "T2LeverPrognose")) == 3
    assert driver.instance(instance_id).case_status == "2. tertial"


def walk_to_proposal(driver: ProcessDriver) -> int:
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)
    run_tertial(driver, instance_id, 1, "2027-05-01T00:00")
    driver.complete(instance_id, "FastsettRammer", DIRECTOR, {
        "rammer": [{"enhet": unit, "ramme": frame} for unit, frame in FRAMES.items()]})
    run_tertial(driver, instance_id, 2, "2027-09-01T00:00")
    at(driver, "2027-11-10T10:00")
    return instance_id


def unit_name(driver: ProcessDriver, code: str) -> str:
    engine = driver.engine
    with engine.transaction(read_only=True):
        return engine.organisation.find_unit(code).name


def frame_rows(*units: str) -> list[dict[str, Any]]:
    return [{"enhet": unit, "ramme": FRAMES[unit]} for unit in units]


def walk_to_frames(driver: ProcessDriver) -> int:
    instance_id = start_by_hand(driver)
    close_accounts(driver, instance_id)
    run_tertial(driver, instance_id, 1, "2027-05-01T00:00")
    return instance_id


def test_frames_task_rejects_repeated_unit(driver: ProcessDriver) -> None:
    instance_id = walk_to_frames(driver)
    rows = frame_rows("sykehjem", "hjemmetjenesten", "sykehjem")

    with pytest.raises(FormValidationFailed) as failure:
        driver.complete(instance_id, "FastsettRammer", DIRECTOR, {"rammer": rows})
    errors = failure.value.errors
    assert list(errors) == ["rammer[2].enhet"]
    [message] = errors["rammer[2].enhet"]
    assert "Rad 3" in message
    assert "rad 1" in message
    assert unit_name(driver, "sykehjem") in message
    kept = failure.value.values["rammer"]
    assert [(row["enhet"], row["ramme"]) for row in kept] == [
        (row["enhet"], row["ramme"]) for row in rows]

    driver.complete(instance_id, "FastsettRammer", DIRECTOR, {
        "rammer": frame_rows("sykehjem", "hjemmetjenesten")})
    assert driver.open_tasks(instance_id, "FastsettRammer") == []


def test_frames_task_rejects_negative_frame(driver: ProcessDriver) -> None:
    instance_id = walk_to_frames(driver)

    with pytest.raises(FormValidationFailed) as failure:
        driver.complete(instance_id, "FastsettRammer", DIRECTOR, {
            "rammer": [{"enhet": "sykehjem", "ramme": -5}]})
    assert failure.value.errors["rammer[0].ramme"] == ["Skriv 0 eller mer."]

    driver.complete(instance_id, "FastsettRammer", DIRECTOR, {
        "rammer": [{"enhet": "sykehjem", "ramme": 0}]})
    assert driver.open_tasks(instance_id, "FastsettRammer") == []


def test_proposal_rejects_repeated_unit(driver: ProcessDriver) -> None:
    instance_id = walk_to_proposal(driver)
    rows = frame_rows("eksempel-skole", "sykehjem", "eksempel-skole", "eksempel-skole")

    with pytest.raises(FormValidationFailed) as failure:
        driver.complete(instance_id, "LeggFramForslag", DIRECTOR, {
            "okonomiplan_til": "2031", "forslag_sammendrag": "Balanse.", "rammer": rows})
    errors = failure.value.errors
    assert sorted(errors) == ["rammer[2].enhet", "rammer[3].enhet"]
    assert "Rad 4" in errors["rammer[3].enhet"][0]
    assert "fra rad 1" in errors["rammer[3].enhet"][0]


def test_forecast_rejects_negative_amounts(driver: ProcessDriver) -> None:
    instance_id = start_by_hand(driver)
    at(driver, "2027-05-01T00:00")
    task = forecast_tasks(driver, instance_id, "T1LeverPrognose")["sykehjem"]
    sent = {"ramme": -5, "aarsprognose": -1, "forklaring": "Feil fortegn."}

    with pytest.raises(FormValidationFailed) as failure:
        driver.engine.tasks.complete(task.id, UNIT_LEADERS["sykehjem"], {"prognose": sent})
    errors = failure.value.errors
    assert errors["prognose.ramme"] == ["Skriv 0 eller mer."]
    assert errors["prognose.aarsprognose"] == ["Skriv 0 eller mer."]
    assert failure.value.values["prognose"]["ramme"] == -5

    driver.engine.tasks.complete(task.id, UNIT_LEADERS["sykehjem"], {"prognose": {
        "ramme": 0, "aarsprognose": 0, "forklaring": "Enheten er lagt ned."}})
    assert "sykehjem" not in forecast_tasks(driver, instance_id, "T1LeverPrognose")


def test_public_display_holds_for_14_days(driver: ProcessDriver) -> None:
    instance_id = walk_to_proposal(driver)
    assert driver.instance(instance_id).case_status == "Handlingsprogram"
    at(driver, "2027-11-26T10:00")
    adopt(driver, instance_id)

    assert driver.instance(instance_id).case_status == "Offentlig ettersyn"
    assert driver.variables(instance_id)["tidligste_mote"] == "2027-12-10"
    at(driver, "2027-12-09T23:59")
    assert driver.open_tasks(instance_id) == []
    driver.advance(minutes=1)
    task = driver.task(instance_id, "RegistrerVedtak")
    assert task.candidate_groups == ["politisk-sekretariat"]


def test_adoption_before_display_ends_is_rejected(driver: ProcessDriver) -> None:
    instance_id = walk_to_proposal(driver)
    at(driver, "2027-11-26T10:00")
    adopt(driver, instance_id)
    at(driver, "2027-12-10T08:00")

    with pytest.raises(FormValidationFailed) as failure:
        driver.complete(instance_id, "RegistrerVedtak", SECRETARY, {
            "vedtaksdato": "2027-12-09", "vedtatt": "ja", "okonomiplan_til": "2031",
            "vedtak": "Vedtatt som innstilt."})
    assert "vedtaksdato" in failure.value.errors


def test_plan_shorter_than_four_years_is_rejected(driver: ProcessDriver) -> None:
    instance_id = walk_to_proposal(driver)
    with pytest.raises(FormValidationFailed) as failure:
        driver.complete(instance_id, "LeggFramForslag", DIRECTOR, {
            "okonomiplan_til": "2030", "forslag_sammendrag": "For kort plan."})
    assert "okonomiplan_til" in failure.value.errors


def test_full_path_to_adoption(driver: ProcessDriver) -> None:
    instance_id = walk_to_proposal(driver)
    at(driver, "2027-11-26T10:00")
    adopt(driver, instance_id)
    at(driver, "2027-12-14T18:00")

    result = driver.complete(instance_id, "RegistrerVedtak", SECRETARY, {
        "vedtaksdato": "2027-12-14", "vedtatt": "ja", "okonomiplan_til": "2031",
        "vedtak": "Budsjett 2028 og økonomiplan 2028–2031 vedtatt som innstilt.",
        "rammer": [{"enhet": unit, "ramme": frame + 2_000_000}
                   for unit, frame in FRAMES.items()]})

    assert result["status"] == "completed"
    instance = driver.instance(instance_id)
    assert instance.case_status == "Vedtatt"
    assert "budget_adopted" in driver.audit_actions(instance_id)
    variables = driver.variables(instance_id)
    assert variables["tertial1"]["tall_per"] == "2027-04-30"
    assert variables["tertial2"]["tall_per"] == "2027-08-31"
    engine = driver.engine
    with engine.transaction(read_only=True):
        adopted = engine.repository.setting("budsjett.rammer.2028")
    assert adopted["sykehjem"] == 82_000_000
    at(driver, "2028-01-01T00:00")
    assert escalated_deadlines(driver, instance_id) == []


def test_decision_rejects_repeated_unit_and_future_date(driver: ProcessDriver) -> None:
    instance_id = walk_to_proposal(driver)
    at(driver, "2027-11-26T10:00")
    adopt(driver, instance_id)
    at(driver, "2027-12-14T18:00")
    sent = {"vedtaksdato": "2027-12-15", "vedtatt": "ja", "okonomiplan_til": "2031",
            "vedtak": "Vedtatt.", "rammer": frame_rows("sykehjem", "sykehjem")}

    with pytest.raises(FormValidationFailed) as failure:
        driver.complete(instance_id, "RegistrerVedtak", SECRETARY, sent)
    errors = failure.value.errors
    [date_message] = errors["vedtaksdato"]
    assert "15.12.2027 er fram i tid" in date_message
    [unit_message] = errors["rammer[1].enhet"]
    assert "Rad 2 gjentar enheten" in unit_message
    assert failure.value.values["vedtak"] == "Vedtatt."
    assert [row["enhet"] for row in failure.value.values["rammer"]] == [
        "sykehjem", "sykehjem"]
    engine = driver.engine
    with engine.transaction(read_only=True):
        assert engine.repository.setting("budsjett.rammer.2028") is None

    driver.complete(instance_id, "RegistrerVedtak", SECRETARY, {
        **sent, "vedtaksdato": "2027-12-14", "rammer": frame_rows("sykehjem")})
    with engine.transaction(read_only=True):
        adopted = engine.repository.setting("budsjett.rammer.2028")
    assert adopted == {"sykehjem": FRAMES["sykehjem"]}


def test_rejected_budget_returns_to_director(driver: ProcessDriver) -> None:
    instance_id = walk_to_proposal(driver)
    at(driver, "2027-11-26T10:00")
    adopt(driver, instance_id)
    at(driver, "2027-12-14T18:00")

    driver.complete(instance_id, "RegistrerVedtak", SECRETARY, {
        "vedtaksdato": "2027-12-14", "vedtatt": "nei", "okonomiplan_til": "2031",
        "vedtak": "Sendt tilbake for å finne innsparinger."})

    assert driver.instance(instance_id).status == "running"
    assert driver.task(instance_id, "LeggFramForslag").element_id == "LeggFramForslag"


def test_budget_not_adopted_escalates(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = walk_to_proposal(driver)

    at(driver, "2027-12-31T23:59")
    assert "budsjettvedtaket" not in escalated_deadlines(driver, instance_id)
    driver.advance(minutes=1)
    assert escalated_deadlines(driver, instance_id)[-1] == "budsjettvedtaket"
    assert driver.task(instance_id, "LeggFramForslag").escalated is True
    subjects = [mail["Subject"] for mail in mailbox.to(f"{DIRECTOR}@{MAIL_DOMAIN}")]
    assert "Frist passert: budsjettvedtaket, budsjettåret 2027" in subjects
    assert driver.instance(instance_id).status == "running"


def test_budget_reminder_before_deadline(driver: ProcessDriver, mailbox: Any) -> None:
    instance_id = walk_to_proposal(driver)

    at(driver, "2027-11-30T23:59")
    assert "budget_deadline_reminder" not in driver.audit_actions(instance_id)
    driver.advance(minutes=1)
    assert driver.audit_actions(instance_id).count("budget_deadline_reminder") == 1
    for user in (HEAD_OF_FINANCE, DIRECTOR):
        subjects = [mail["Subject"] for mail in mailbox.to(f"{user}@{MAIL_DOMAIN}")]
        assert "Påminnelse: fristen for budsjettvedtaket i budsjettåret 2027 nærmer seg" \
            in subjects
    assert driver.task(instance_id, "LeggFramForslag").escalated is False
    assert "budsjettvedtaket" not in escalated_deadlines(driver, instance_id)


def test_deadlines_follow_the_setting(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("budsjett.syklus", {
        "aarsregnskap": "20.02", "prognosefrist": "P5D"}, actor="admin")
    instance_id = start_by_hand(driver)

    assert driver.task(instance_id, "AvleggAarsregnskap").due_at == oslo("2027-02-20T23:59")
    close_accounts(driver, instance_id)
    at(driver, "2027-05-01T00:00")
    [task, *_rest] = driver.open_tasks(instance_id, "T1LeverPrognose")
    assert task.due_at == oslo("2027-05-05T23:59")


def test_legal_dates_pending_from_start(driver: ProcessDriver) -> None:
    """Every legal date of the year is a waiting timer from the first day, so the annual
    wheel can show the whole year of a running budget year."""
    instance_id = start_by_hand(driver)
    engine = driver.engine
    with engine.transaction(read_only=True):
        timers = {timer.element_id: timer.due_at
                  for timer in engine.management.timers(instance_id)}
    assert timers["AarsregnskapFrist"] == oslo("2027-02-23T00:00")
    assert timers["AarsrapportFrist"] == oslo("2027-04-01T00:00")
    assert timers["T1TallPer"] == oslo("2027-05-01T00:00")
    assert timers["T2TallPer"] == oslo("2027-09-01T00:00")
    assert timers["BudsjettvedtakNarmer"] == oslo("2027-12-01T00:00")


def test_proposal_waits_for_annual_report(driver: ProcessDriver) -> None:
    instance_id = start_by_hand(driver)
    driver.complete(instance_id, "AvleggAarsregnskap", FINANCE, {
        "regnskap_avlagt": "2027-02-15", "netto_driftsresultat": 12_500_000})
    run_tertial(driver, instance_id, 1, "2027-05-01T00:00")
    driver.complete(instance_id, "FastsettRammer", DIRECTOR, {
        "rammer": [{"enhet": unit, "ramme": frame} for unit, frame in FRAMES.items()]})
    run_tertial(driver, instance_id, 2, "2027-09-01T00:00")

    assert driver.open_tasks(instance_id, "LeggFramForslag") == []
    driver.complete(instance_id, "LeggFramAarsrapport", DIRECTOR, {
        "aarsrapport_dato": "2027-09-20", "aarsrapport_sammendrag": "Lagt fram for sent."})
    assert len(driver.open_tasks(instance_id, "LeggFramForslag")) == 1


def test_bad_setting_opens_incident(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("budsjett.syklus", {"aarsregnskap": "30.02"},
                                         actor="admin")
    instance_id = start_by_hand(driver)

    [incident] = driver.incidents(instance_id)
    assert "budsjett.syklus" in incident.message
    assert "aarsregnskap" in incident.message


def test_second_case_for_year_rejected(driver: ProcessDriver) -> None:
    first = start_by_hand(driver)

    with pytest.raises(FormValidationFailed) as failure:
        start_by_hand(driver)
    [message] = failure.value.errors["budsjettaar"]
    assert driver.instance(first).business_key in message
    assert failure.value.values == {"budsjettaar": "2027"}
    assert len(budget_instances(driver)) == 1
    earlier = start_by_hand(driver, 2026)
    assert driver.incidents(earlier) == []


def test_timer_start_of_started_year_opens_incident(driver: ProcessDriver) -> None:
    """The yearly timer start has no form, so the handler stops a second case itself."""
    driver.clock.set(oslo("2028-01-01T00:00"))
    started = start_by_hand(driver, 2028)

    driver.advance(minutes=0)
    [timer_case] = [instance for instance in budget_instances(driver)
                    if instance.id != started]
    [incident] = driver.incidents(timer_case.id)
    assert driver.instance(started).business_key in incident.message
    assert driver.open_tasks(timer_case.id) == []


@pytest.mark.parametrize("year", ["1999", "2025", "2028", "2099"])
def test_start_year_outside_range_rejected(driver: ProcessDriver, year: str) -> None:
    with pytest.raises(FormValidationFailed) as failure:
        driver.start("budsjett", FINANCE, {"budsjettaar": year})
    [message] = failure.value.errors["budsjettaar"]
    assert f"Budsjettåret {year} kan ikke startes nå" in message
    assert "fra og med 2026 til og med 2027" in message
    assert failure.value.values == {"budsjettaar": year}
    assert budget_instances(driver) == []


@pytest.mark.parametrize("year", [2026, 2027])
def test_start_year_at_range_edge_accepted(driver: ProcessDriver, year: int) -> None:
    instance_id = start_by_hand(driver, year)

    assert driver.variables(instance_id)["budsjettaar"] == year
    assert driver.incidents(instance_id) == []


def test_only_finance_may_start_by_hand(driver: ProcessDriver) -> None:
    from engine.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        driver.start("budsjett", "ola.ansatt", {"budsjettaar": "2027"})


def test_publishing_and_adoption_have_deadlines(driver: ProcessDriver) -> None:
    instance_id = walk_to_proposal(driver)
    driver.complete(instance_id, "LeggFramForslag", DIRECTOR, {
        "okonomiplan_til": "2031", "forslag_sammendrag": "Balanse i hele planperioden.",
        "rammer": [{"enhet": unit, "ramme": frame} for unit, frame in FRAMES.items()]})

    publishing = driver.task(instance_id, "LeggUtInnstilling")
    assert publishing.due_at == oslo("2027-12-17T23:59")

    driver.complete(instance_id, "LeggUtInnstilling", SECRETARY, {
        "formannskap_dato": "2027-11-25", "innstilling": "Som kommunedirektørens forslag.",
        "kommunestyremote": "2027-12-14"})
    at(driver, "2027-12-11T00:00")
    adoption = driver.task(instance_id, "RegistrerVedtak")
    assert adoption.due_at.astimezone(OSLO).date() == date(2027, 12, 31)
