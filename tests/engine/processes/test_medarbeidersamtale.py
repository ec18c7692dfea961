"""The yearly leader and employee conversations over a simulated year, with the clock moved.

The demo clock starts on Monday 4 January 2027 at 08:00 UTC, and the yearly round starts on
5 January at 08:00 Oslo time. The nursing home (sykehjem, led by lise.leder) has the
employees ola.ansatt and fatima.ansatt. Its leader reports to tor.kommunalsjef.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.errors import FormValidationFailed
from engine.models import ProcessInstance, Unit
from engine.runtime.timeexpr import OSLO
from engine.services.competence import count_needs
from tests.engine.processes.driver import ProcessDriver

PLANNING = "medarbeidersamtale-planlegging"
CONVERSATION = "medarbeidersamtale"
ROUND_START = datetime(2027, 1, 5, 7, 0, tzinfo=UTC)  # 08:00 in Oslo
INVITATION = {"samtaletidspunkt": "2027-02-10T10:00:00+01:00", "sted": "Møterom 2"}
SUMMARY: dict[str, Any] = {
    "arbeidsmaal": "Ta ansvar for opplæringen av nye vikarer.",
    "utviklingsmaal": "Bli trygg som veileder.",
    "utviklingsbehov": ["ledelse", "digital"],
    "tiltak": [{"beskrivelse": "Veilederkurs", "ansvarlig": "leder", "frist": "2027-06-01"}],
}
COMMENT = "Jeg ønsker også mer tid til dokumentasjon."


def start_round(driver: ProcessDriver) -> dict[str, int]:
    """Move the clock to the yearly start and return the planning case of each unit."""
    driver.advance(seconds=(ROUND_START - driver.clock.now()).total_seconds())
    return planning_cases(driver, driver.clock.now().year)


def planning_cases(driver: ProcessDriver, year: int) -> dict[str, int]:
    engine = driver.engine
    with engine.transaction(read_only=True):
        rows = engine.uow.session.execute(
            select(Unit.code, ProcessInstance.id)
            .join(Unit, Unit.id == ProcessInstance.unit_id)
            .where(ProcessInstance.definition_key == PLANNING,
                   ProcessInstance.title.like(f"% {year} %")))
        return {code: instance_id for code, instance_id in rows}


def plan(driver: ProcessDriver, planning_id: int, leader: str,
         data: dict[str, Any] | None = None) -> dict[str, int]:
    """Complete the planning, by default with a conversation for everyone listed, and return
    the conversation case of each employee."""
    if data is None:
        rows = driver.variables(planning_id)["samtaler"]
        data = {"samtaler": [{"samtale_i_aar": "ja"} for _row in rows]}
    driver.complete(planning_id, "PlanleggSamtaler", leader, data)
    driver.advance(seconds=0)  # the scheduler runs the first steps of the new cases
    started = driver.variables(planning_id)["startede_samtaler"]
    return {row["medarbeider"]: row["samtale"] for row in started}


def hold_conversation(driver: ProcessDriver, conversation_id: int, employee: str = "ola.ansatt",
                      leader: str = "lise.leder") -> None:
    """Invite, prepare, hold and confirm one conversation."""
    driver.complete(conversation_id, "SendInnkalling", leader, INVITATION)
    driver.complete(conversation_id, "ForberedMedarbeider", employee,
                    {"forberedelse_onsker": "Lære mer om veiledning."})
    driver.complete(conversation_id, "ForberedLeder", leader,
                    {"leders_forberedelse": "Spør om vikaropplæringen."})
    driver.complete(conversation_id, "GjennomforSamtale", leader, SUMMARY)
    driver.complete(conversation_id, "BekreftOppsummering", employee,
                    {"bekreftet": True, "kommentar": COMMENT})


def follow_ups(driver: ProcessDriver, user: str) -> list[str]:
    """Return the ids of the overdue-conversation tasks offered to `user`."""
    return [task.id for task in driver.group_list(user)
            if task.element_id.startswith("FolgOpp")]


def nursing_home_conversations(driver: ProcessDriver) -> dict[str, int]:
    plannings = start_round(driver)
    return plan(driver, plannings["sykehjem"], "lise.leder")


def test_timer_starts_planning_on_time(driver: ProcessDriver) -> None:
    driver.advance(seconds=(ROUND_START - driver.clock.now()).total_seconds() - 60)
    assert planning_cases(driver, 2027) == {}

    driver.advance(seconds=60)
    plannings = planning_cases(driver, 2027)
    assert sorted(plannings) == ["eksempel", "eksempel-skole", "helse-omsorg",
                                 "hjemmetjenesten", "oppvekst", "sykehjem"]
    task = driver.task(plannings["sykehjem"], "PlanleggSamtaler")
    assert task.candidate_groups == ["leder@sykehjem"]
    assert task.due_at == ROUND_START + timedelta(days=14)


def test_planning_lists_employees_and_leaders(driver: ProcessDriver) -> None:
    plannings = start_round(driver)

    rows = driver.variables(plannings["helse-omsorg"])["samtaler"]
    assert [(row["medarbeider"], row["samtaletype"], row["frist"]) for row in rows] == [
        ("lise.leder", "ledersamtale", "2027-03-31"),
        ("per.leder", "ledersamtale", "2027-03-31")]
    rows = driver.variables(plannings["sykehjem"])["samtaler"]
    assert [(row["medarbeider"], row["samtaletype"], row["frist"]) for row in rows] == [
        ("fatima.ansatt", "medarbeidersamtale", "2027-04-30"),
        ("ola.ansatt", "medarbeidersamtale", "2027-04-30")]


def test_one_conversation_case_per_employee(driver: ProcessDriver) -> None:
    conversations = nursing_home_conversations(driver)

    assert sorted(conversations) == ["fatima.ansatt", "ola.ansatt"]
    assert len(set(conversations.values())) == 2
    for employee, conversation_id in conversations.items():
        instance = driver.instance(conversation_id)
        assert instance.definition_key == CONVERSATION
        assert instance.started_by == "system"
        task = driver.task(conversation_id, "SendInnkalling")
        assert task.assignee == "lise.leder"
        assert driver.variables(conversation_id)["medarbeider"] == employee


def test_unticked_employee_gets_no_conversation(driver: ProcessDriver) -> None:
    plannings = start_round(driver)

    conversations = plan(driver, plannings["sykehjem"], "lise.leder", {"samtaler": [
        {"samtale_i_aar": "nei"}, {"samtale_i_aar": "ja"}]})

    assert sorted(conversations) == ["ola.ansatt"]


def test_second_planning_starts_no_duplicate(driver: ProcessDriver) -> None:
    plannings = start_round(driver)
    first = plan(driver, plannings["sykehjem"], "lise.leder")

    second_id = driver.start(PLANNING, "hanne.hr", {"enhet": "sykehjem", "aar": 2027})
    second = plan(driver, second_id, "lise.leder")

    assert sorted(first) == ["fatima.ansatt", "ola.ansatt"]
    assert second == {}
    assert driver.variables(second_id)["allerede_startet"] == ["fatima.ansatt", "ola.ansatt"]


def test_yearly_start_runs_once_a_year(driver: ProcessDriver) -> None:
    start_round(driver)
    engine = driver.engine
    with engine.transaction():
        definition = engine.repository.latest(PLANNING)
        engine.runtime.start_instance(definition, "system", {}, start_event="AarligOppstart")
    driver.advance(seconds=0)

    with engine.transaction(read_only=True):
        keys = list(engine.uow.session.scalars(
            select(ProcessInstance.business_key)
            .where(ProcessInstance.definition_key == PLANNING,
                   ProcessInstance.business_key.like("MEDARBEIDERSAMTALER-2027-%"))))
    assert len(keys) == 6
    assert "MEDARBEIDERSAMTALER-2027-SYKEHJEM" in keys


def test_invitation_needs_a_week_notice(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    task = driver.task(conversation_id, "SendInnkalling")
    assert task.due_at.astimezone(OSLO).date() == date(2027, 4, 23)

    too_soon = {**INVITATION, "samtaletidspunkt": "2027-01-10T10:00:00+01:00"}
    with pytest.raises(FormValidationFailed) as failure:
        driver.engine.tasks.complete(task.id, "lise.leder", too_soon)
    assert list(failure.value.errors) == ["samtaletidspunkt"]
    assert failure.value.errors["samtaletidspunkt"] == [
        "Samtalen 10.01.2027 er for tidlig: medarbeideren skal ha minst 7 dagers varsel. "
        "Velg 12.01.2027 eller senere."]

    after_deadline = {**INVITATION, "samtaletidspunkt": "2027-05-03T10:00:00+02:00"}
    with pytest.raises(FormValidationFailed) as failure:
        driver.engine.tasks.complete(task.id, "lise.leder", after_deadline)
    assert failure.value.errors["samtaletidspunkt"] == [
        "Samtalen 03.05.2027 er etter fristen for samtalen, 30.04.2027. Velg en dag senest "
        "på fristen."]

    driver.engine.tasks.complete(task.id, "lise.leder", {
        **INVITATION, "samtaletidspunkt": "2027-01-12T10:00:00+01:00"})
    assert driver.instance(conversation_id).case_status == "Forberedes"


def test_invitation_mail_has_time_not_content(driver: ProcessDriver, mailbox: Any) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]

    driver.complete(conversation_id, "SendInnkalling", "lise.leder",
                    {**INVITATION, "innkalling_melding": "Vi snakker om turnusen."})

    mails = [mail for mail in mailbox.to("ola.ansatt@eksempel.kommune.no")
             if "Innkalling" in mail["Subject"]]
    assert len(mails) == 1
    body = mails[0].get_content()
    assert "10.02.2027 10:00" in body
    assert f"/saker/{conversation_id}" in body
    assert "turnusen" not in body


def test_preparations_run_in_parallel(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    driver.complete(conversation_id, "SendInnkalling", "lise.leder", INVITATION)

    employee_task = driver.task(conversation_id, "ForberedMedarbeider")
    leader_task = driver.task(conversation_id, "ForberedLeder")
    assert employee_task.assignee == "ola.ansatt"
    assert leader_task.assignee == "lise.leder"
    assert driver.open_tasks(conversation_id, "GjennomforSamtale") == []

    driver.complete(conversation_id, "ForberedLeder", "lise.leder", {})
    assert driver.open_tasks(conversation_id, "GjennomforSamtale") == []
    driver.complete(conversation_id, "ForberedMedarbeider", "ola.ansatt", {})
    assert driver.task(conversation_id, "GjennomforSamtale").assignee == "lise.leder"


def test_summary_is_filed_with_comment(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]

    hold_conversation(driver, conversation_id)

    variables = driver.variables(conversation_id)
    summary = variables["oppsummering"]
    assert summary["arbeidsmaal"] == SUMMARY["arbeidsmaal"]
    assert summary["utviklingsbehov"] == ["ledelse", "digital"]
    assert summary["tiltak"][0]["ansvarlig"] == "leder"
    assert summary["kommentar"] == COMMENT
    assert "conversation_filed" in driver.audit_actions(conversation_id)
    assert driver.instance(conversation_id).case_status == "Arkivert"


def test_follow_up_comes_later_in_year(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    hold_conversation(driver, conversation_id)

    driver.advance(seconds=(datetime(2027, 8, 31, 21, 0, tzinfo=UTC)
                            - driver.clock.now()).total_seconds())
    assert driver.open_tasks(conversation_id, "Oppfolgingssamtale") == []

    driver.advance(hours=2)  # 1 September, 01:00 in Oslo
    task = driver.task(conversation_id, "Oppfolgingssamtale")
    assert task.assignee == "lise.leder"
    assert task.due_at.astimezone(OSLO).date() == date(2027, 10, 31)

    driver.complete(conversation_id, "Oppfolgingssamtale", "lise.leder",
                    {"oppfolging_status": "Kurset er fullført."})
    assert driver.instance(conversation_id).status == "completed"


def test_previous_plan_shown_next_year(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    hold_conversation(driver, conversation_id)

    driver.advance(seconds=(datetime(2028, 1, 5, 7, 0, tzinfo=UTC)
                            - driver.clock.now()).total_seconds())
    plannings = planning_cases(driver, 2028)
    conversations = plan(driver, plannings["sykehjem"], "lise.leder")
    next_id = conversations["ola.ansatt"]
    driver.complete(next_id, "SendInnkalling", "lise.leder",
                    {**INVITATION, "samtaletidspunkt": "2028-02-10T10:00:00+01:00"})

    variables = driver.variables(next_id)
    assert variables["forrige_arbeidsmaal"] == SUMMARY["arbeidsmaal"]
    assert variables["forrige_tiltak"] == "- Veilederkurs (ansvarlig: lederen, frist 01.06.2027)"
    assert driver.task(next_id, "ForberedLeder").form_ref == "medarbeidersamtale-forbered-leder"
    assert "forrige_arbeidsmaal" not in driver.variables(conversations["fatima.ansatt"])


def test_escalates_when_deadline_passes(driver: ProcessDriver) -> None:
    plannings = start_round(driver)
    planning_id = plannings["sykehjem"]
    conversations = plan(driver, planning_id, "lise.leder")
    hold_conversation(driver, conversations["fatima.ansatt"], "fatima.ansatt")

    end_of_april = datetime(2027, 4, 30, 21, 59, tzinfo=UTC)  # 23:59 in Oslo
    driver.advance(seconds=(end_of_april - driver.clock.now()).total_seconds() - 60)
    assert driver.open_tasks(planning_id, "FolgOppMedarbeidersamtaler") == []
    assert follow_ups(driver, "tor.kommunalsjef") == []

    driver.advance(seconds=60)
    task = driver.task(planning_id, "FolgOppMedarbeidersamtaler")
    assert task.candidate_groups == ["leder@helse-omsorg"]
    assert follow_ups(driver, "tor.kommunalsjef") == [task.id]
    late = driver.variables(planning_id)["forsinkede_liste"]
    assert late == "- Ola Olsen"
    assert driver.instance(planning_id).case_status == "Sendt til overordnet leder"


def test_no_escalation_when_all_held(driver: ProcessDriver) -> None:
    plannings = start_round(driver)
    planning_id = plannings["hjemmetjenesten"]
    conversations = plan(driver, planning_id, "per.leder")
    hold_conversation(driver, conversations["jonas.ansatt"], "jonas.ansatt", "per.leder")

    driver.advance(seconds=(datetime(2027, 5, 1, 6, 0, tzinfo=UTC)
                            - driver.clock.now()).total_seconds())

    assert driver.open_tasks(planning_id, "FolgOppMedarbeidersamtaler") == []
    assert driver.instance(planning_id).status == "completed"


def test_leader_conversations_due_end_of_march(driver: ProcessDriver) -> None:
    plannings = start_round(driver)
    planning_id = plannings["helse-omsorg"]
    plan(driver, planning_id, "tor.kommunalsjef")

    driver.advance(seconds=(datetime(2027, 3, 31, 21, 58, tzinfo=UTC)
                            - driver.clock.now()).total_seconds())
    assert driver.open_tasks(planning_id, "FolgOppLedersamtaler") == []

    driver.advance(minutes=2)
    task = driver.task(planning_id, "FolgOppLedersamtaler")
    assert task.candidate_groups == ["leder@eksempel"]
    assert driver.variables(planning_id)["forsinkede_ledersamtale"] == 2


def test_deadlines_follow_the_setting(driver: ProcessDriver) -> None:
    driver.engine.repository.set_setting("medarbeidersamtale.frister", {
        "medarbeidersamtaler": "15.03", "varsel": "P14D", "planlegging": "P7D"}, actor="admin")
    plannings = start_round(driver)

    assert driver.task(plannings["sykehjem"], "PlanleggSamtaler").due_at == (
        ROUND_START + timedelta(days=7))
    conversation_id = plan(driver, plannings["sykehjem"], "lise.leder")["ola.ansatt"]
    task = driver.task(conversation_id, "SendInnkalling")
    assert task.due_at.astimezone(OSLO).date() == date(2027, 3, 1)
    assert driver.variables(conversation_id)["varsel_dager"] == 14


def test_confidential_to_others(driver: ProcessDriver) -> None:
    conversation_id = nursing_home_conversations(driver)["ola.ansatt"]
    hold_conversation(driver, conversation_id)
    engine = driver.engine

    with engine.transaction(read_only=True):
        instance = engine.runtime.instance(conversation_id)
        readers = {user: engine.runtime.reads_record(instance, user)
                   for user in ("ola.ansatt", "lise.leder", "hanne.hr", "fatima.ansatt",
                                "per.leder", "tor.kommunalsjef", "admin")}
    assert readers["ola.ansatt"] is True
    assert readers["lise.leder"] is True
    assert readers["hanne.hr"] is True
    assert readers["fatima.ansatt"] is False
    assert readers["per.leder"] is False
    assert readers["tor.kommunalsjef"] is False
    assert readers["admin"] is False


def test_planning_holds_no_content(driver: ProcessDriver) -> None:
    plannings = start_round(driver)
    planning_id = plannings["sykehjem"]
    conversations = plan(driver, planning_id, "lise.leder")
    hold_conversation(driver, conversations["ola.ansatt"])

    variables = driver.variables(planning_id)
    text = repr(variables)
    assert SUMMARY["arbeidsmaal"] not in text
    assert COMMENT not in text
    assert "oppsummering" not in variables
    engine = driver.engine
    with engine.transaction(read_only=True):
        planning = engine.runtime.instance(planning_id)
        assert engine.runtime.reads_record(planning, "per.leder") is False
        assert engine.runtime.reads_record(planning, "ola.ansatt") is False


def test_needs_of_two_not_counted(driver: ProcessDriver) -> None:
    conversations = nursing_home_conversations(driver)
    hold_conversation(driver, conversations["ola.ansatt"])
    hold_conversation(driver, conversations["fatima.ansatt"], "fatima.ansatt")
    engine = driver.engine

    with engine.transaction(read_only=True):
        default = count_needs(engine, "sykehjem", 2027)
        two = count_needs(engine, "sykehjem", 2027, minimum=2)
        other_year = count_needs(engine, "sykehjem", 2028, minimum=2)
    assert default.conversations is None
    assert default.counts == {}
    assert two.conversations == 2
    assert two.counts == {}  # both share both needs, so a count would name each one's
    assert other_year.conversations is None


def test_minimum_group_is_a_setting(driver: ProcessDriver) -> None:
    conversations = nursing_home_conversations(driver)
    hold_conversation(driver, conversations["ola.ansatt"])
    hold_conversation(driver, conversations["fatima.ansatt"], "fatima.ansatt")
    engine = driver.engine
    engine.repository.set_setting("medarbeidersamtale.kompetanseplan", {"minste_gruppe": 2},
                                  actor="admin")

    with engine.transaction(read_only=True):
        counted = count_needs(engine, "sykehjem", 2027)
    assert counted.conversations == 2
    assert counted.minimum == 2
