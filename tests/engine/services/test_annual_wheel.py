"""The annual wheel lists the timers of the diagrams and the deadlines of the cases in a year."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from engine.demo import load_organisation
from engine.engine import ProcessEngine
from engine.errors import InvalidInput, UnitNotFound
from engine.models import ProcessDefinition
from engine.runtime.clock import FixedClock
from engine.runtime.timeexpr import OSLO, parse_cycle, parse_instant
from engine.services.annual_wheel import AnnualWheel, WheelEntry
from engine.services.annual_wheel_timers import (
    CASE_DEADLINE,
    ESCALATION,
    LEGAL_DEADLINE,
    REMINDER,
    REVIEW,
    START,
    cycle_firings,
    day_in_year,
    year_bounds,
)
from tests.annual_wheel_diagrams import (
    deploy_accounts,
    deploy_yearly_plan,
    start_accounts,
    start_conversation,
    start_follow_up,
    start_report,
    start_review,
    start_unit_task,
)


@pytest.fixture
def org_engine(engine: ProcessEngine) -> ProcessEngine:
    """An engine with the demo organisation and none of the shipped processes, so each test
    sees only the diagrams it deploys."""
    load_organisation(engine)
    return engine


def titled(wheel: AnnualWheel, title: str) -> list[WheelEntry]:
    return [entry for entry in wheel.entries if entry.title == title]


def local(entry: WheelEntry) -> str:
    return entry.at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")


def case_titles(wheel: AnnualWheel) -> set[str | None]:
    return {entry.case_title for entry in wheel.entries if entry.instance_id is not None}


def test_start_cycle_fires_once_a_year(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)

    this_year = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2027), "Årlig planlegging")
    next_year = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2028), "Årlig planlegging")

    assert [local(entry) for entry in this_year] == ["15.01.2027 08:00"]
    assert [local(entry) for entry in next_year] == ["15.01.2028 08:00"]
    assert this_year[0].kind == START
    assert this_year[0].process_name == "Årsplan"
    assert this_year[0].unit_code is None


def test_quoted_start_cycle_reads_alike(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine, cycle='"R/2027-01-15T08:00:00/P1Y"')

    entries = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2029), "Årlig planlegging")

    assert [local(entry) for entry in entries] == ["15.01.2029 08:00"]


def test_bounded_start_cycle_ends(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine, cycle="R2/2027-01-15T08:00/P1Y")

    second = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2028), "Årlig planlegging")
    third = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2029), "Årlig planlegging")

    assert len(second) == 1
    assert third == []


def test_newest_version_decides(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    deploy_yearly_plan(org_engine, cycle="R/2027-02-01T10:00/P1Y")

    entries = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2027), "Årlig planlegging")

    assert [local(entry) for entry in entries] == ["01.02.2027 10:00"]


def test_fixed_boundary_timer_is_legal_deadline(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)

    entries = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2027), "Frist 1. tertial")

    assert [local(entry) for entry in entries] == ["30.04.2027 12:00"]
    assert entries[0].kind == LEGAL_DEADLINE
    assert entries[0].instance_id is None
    assert entries[0].step == "Lever tertialrapport"
    assert titled(org_engine.annual_wheel.wheel("ola.ansatt", 2028), "Frist 1. tertial") == []


def test_constant_expression_timer_listed(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)

    wheel = org_engine.annual_wheel.wheel("ola.ansatt", 2027)
    entries = titled(wheel, "Frist for årsregnskapet")

    assert [local(entry) for entry in entries] == ["22.02.2027 00:00"]
    assert entries[0].kind == LEGAL_DEADLINE
    assert titled(wheel, "Tre dager etter") == []


def test_clock_timer_shows_through_case(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    instance_id = start_report(org_engine, "sykehjem", "Rapport sykehjem")

    wheel = org_engine.annual_wheel.wheel("admin", 2027)
    entries = titled(wheel, "Tre dager etter")
    fixed = titled(wheel, "Frist for årsregnskapet")

    assert [local(entry) for entry in entries] == ["07.01.2027 00:00"]
    # A non-interrupting timer before the task's due date follows it up as a reminder.
    assert entries[0].kind == REMINDER
    assert [entry.instance_id for entry in fixed] == [instance_id]
    assert fixed[0].kind == LEGAL_DEADLINE


def test_hidden_timer_left_out(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    start_report(org_engine, "sykehjem", "Rapport sykehjem")

    wheel = org_engine.annual_wheel.wheel("admin", 2027)

    assert titled(wheel, "Teknisk opprydding") == []


def test_variable_timer_shows_through_case(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    before = titled(org_engine.annual_wheel.wheel("admin", 2027), "Påminnelse")
    instance_id = start_report(org_engine, "sykehjem", "Rapport sykehjem")

    after = titled(org_engine.annual_wheel.wheel("admin", 2027), "Påminnelse")

    assert before == []
    assert [local(entry) for entry in after] == ["10.05.2027 09:00"]
    assert after[0].instance_id == instance_id
    assert after[0].kind == REMINDER
    assert after[0].unit_code == "sykehjem"
    assert after[0].unit_name == "Eksempel sykehjem"
    assert after[0].case_title == "Rapport sykehjem"


def test_task_due_date_takes_property_kind(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    instance_id = start_report(org_engine, "sykehjem", "Rapport sykehjem")

    entries = titled(org_engine.annual_wheel.wheel("lise.leder", 2027), "Lever tertialrapport")

    assert [entry.instance_id for entry in entries] == [instance_id]
    assert entries[0].at.astimezone(OSLO).date().isoformat() == "2027-05-15"
    assert entries[0].kind == LEGAL_DEADLINE


def test_case_cycle_listed_each_firing(org_engine: ProcessEngine) -> None:
    before = org_engine.annual_wheel.wheel("admin", 2027)
    instance_id = start_follow_up(org_engine)  # Monday 4 January 2027, 09:00

    this_year = titled(org_engine.annual_wheel.wheel("admin", 2027), "Månedlig oppfølging")
    next_year = titled(org_engine.annual_wheel.wheel("admin", 2028), "Månedlig oppfølging")

    assert titled(before, "Månedlig oppfølging") == []
    assert [local(entry)[:5] for entry in this_year] == [
        f"04.{month:02d}" for month in range(2, 13)]
    assert {entry.instance_id for entry in this_year} == {instance_id}
    assert this_year[0].kind == REVIEW
    assert len(next_year) == 12
    assert local(next_year[0]) == "04.01.2028 09:00"


def test_bounded_case_cycle_shows_next(org_engine: ProcessEngine) -> None:
    start_follow_up(org_engine)

    entries = titled(org_engine.annual_wheel.wheel("admin", 2027), "Purring")

    assert [local(entry) for entry in entries] == ["11.01.2027 09:00"]


def test_case_timer_replaces_diagram_entry(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    instance_id = start_report(org_engine, "sykehjem", "Rapport sykehjem")

    entries = titled(org_engine.annual_wheel.wheel("admin", 2027), "Frist 1. tertial")

    assert [entry.instance_id for entry in entries] == [instance_id]
    assert entries[0].kind == LEGAL_DEADLINE


def test_monthly_cycle_stays_at_eight_across_dst(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)

    entries = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2027), "Månedlig kontroll")

    assert len(entries) == 10
    assert {entry.at.astimezone(OSLO).strftime("%H:%M") for entry in entries} == {"08:00"}
    assert entries[0].at == datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    assert entries[1].at == datetime(2027, 4, 1, 6, 0, tzinfo=UTC)
    assert entries[0].kind == REVIEW


def test_area_scope_takes_units_below(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    start_report(org_engine, "sykehjem", "Rapport sykehjem")
    start_report(org_engine, "eksempel-skole", "Rapport skole")

    wheel = org_engine.annual_wheel.wheel("admin", 2027, "helse-omsorg")

    assert wheel.scope.level == "tjenesteomraade"
    assert wheel.scope.unit_name == "Helse og omsorg"
    assert case_titles(wheel) == {"Rapport sykehjem"}
    assert len(titled(wheel, "Årlig planlegging")) == 1


def test_unit_scope_keeps_municipality_entries(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    start_report(org_engine, "sykehjem", "Rapport sykehjem")
    start_report(org_engine, "eksempel-skole", "Rapport skole")

    wheel = org_engine.annual_wheel.wheel("admin", 2027, "eksempel-skole")

    assert wheel.scope.level == "enhet"
    assert case_titles(wheel) == {"Rapport skole"}
    assert len(titled(wheel, "Årlig planlegging")) == 1
    assert len(titled(wheel, "Månedlig kontroll")) == 10


def test_task_counts_in_its_own_unit(org_engine: ProcessEngine) -> None:
    instance_id = start_unit_task(org_engine, "sykehjem")

    nursing_home = org_engine.annual_wheel.wheel("admin", 2027, "sykehjem")
    school = org_engine.annual_wheel.wheel("admin", 2027, "eksempel-skole")

    assert [e.instance_id for e in titled(nursing_home, "Lever prognose")] == [instance_id]
    assert titled(nursing_home, "Lever prognose")[0].unit_code == "sykehjem"
    assert titled(school, "Lever prognose") == []


def test_municipality_case_in_every_scope(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    start_report(org_engine, "eksempel", "Rapport kommunen")
    start_report(org_engine, "sykehjem", "Rapport sykehjem")

    wheel = org_engine.annual_wheel.wheel("admin", 2027, "eksempel-skole")

    assert case_titles(wheel) == {"Rapport kommunen"}


def test_municipality_code_covers_all(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    start_report(org_engine, "sykehjem", "Rapport sykehjem")
    start_report(org_engine, "eksempel-skole", "Rapport skole")

    wheel = org_engine.annual_wheel.wheel("admin", 2027, "eksempel")

    assert wheel.scope.level == "kommune"
    assert case_titles(wheel) == {"Rapport sykehjem", "Rapport skole"}


def test_unknown_unit_rejected(org_engine: ProcessEngine) -> None:
    with pytest.raises(UnitNotFound):
        org_engine.annual_wheel.wheel("admin", 2027, "finnes-ikke")


def test_year_out_of_range_rejected(org_engine: ProcessEngine) -> None:
    with pytest.raises(InvalidInput) as raised:
        org_engine.annual_wheel.wheel("admin", 1850)

    assert "2000" in str(raised.value)


def test_outsider_sees_no_case_entries(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    start_report(org_engine, "sykehjem", "Rapport sykehjem")

    wheel = org_engine.annual_wheel.wheel("erik.laerer", 2027)

    assert case_titles(wheel) == set()
    assert len(titled(wheel, "Frist 1. tertial")) == 1
    assert titled(wheel, "Påminnelse") == []


def test_confidential_case_hidden_from_outsiders(org_engine: ProcessEngine) -> None:
    start_conversation(org_engine)

    outsider = org_engine.annual_wheel.wheel("erik.laerer", 2027)
    administrator = org_engine.annual_wheel.wheel("admin", 2027)

    assert [e for e in outsider.entries if e.process_key == "samtale"] == []
    assert [e for e in administrator.entries if e.process_key == "samtale"] == []


def test_confidential_case_shows_no_title(org_engine: ProcessEngine) -> None:
    instance_id = start_conversation(org_engine)

    wheel = org_engine.annual_wheel.wheel("fatima.ansatt", 2027)
    entries = [e for e in wheel.entries if e.process_key == "samtale"]

    assert [entry.instance_id for entry in entries] == [instance_id]
    assert entries[0].title == "Forbered samtalen"
    assert entries[0].case_title is None
    assert entries[0].business_key is None
    assert all("Ola" not in repr(entry) for entry in wheel.entries)


def test_frequent_timer_listed_up_to_limit(make_engine: Callable[..., ProcessEngine]) -> None:
    engine = make_engine(ANNUAL_WHEEL_MAX_FIRINGS=5)
    load_organisation(engine)
    deploy_yearly_plan(engine, cycle="R/2027-01-01T08:00/P1D")

    wheel = engine.annual_wheel.wheel("ola.ansatt", 2027)

    assert len(titled(wheel, "Årlig planlegging")) == 5
    assert "Årsplan: Årlig planlegging" in wheel.crowded


def test_case_entries_limited(make_engine: Callable[..., ProcessEngine]) -> None:
    engine = make_engine(ANNUAL_WHEEL_MAX_CASE_ENTRIES=2)
    load_organisation(engine)
    deploy_yearly_plan(engine)
    start_report(engine, "sykehjem", "Rapport sykehjem")
    start_report(engine, "eksempel-skole", "Rapport skole", due="2027-02-01")

    wheel = engine.annual_wheel.wheel("admin", 2027)
    tasks = titled(wheel, "Lever tertialrapport")

    assert wheel.cases_limited is True
    assert len(tasks) == 2
    # The two earliest timers are the two cases' timers three days after the start.
    timers = {e.element_id for e in wheel.entries
              if e.instance_id is not None and e.element_id != "rapporter"}
    assert timers == {"tredager"}


def test_case_entries_within_limit(org_engine: ProcessEngine) -> None:
    deploy_yearly_plan(org_engine)
    start_report(org_engine, "sykehjem", "Rapport sykehjem")

    assert org_engine.annual_wheel.wheel("admin", 2027).cases_limited is False


def test_unreadable_version_skipped(make_engine: Callable[..., ProcessEngine]) -> None:
    first = make_engine()
    load_organisation(first)
    deploy_yearly_plan(first)
    start_conversation(first)
    with first.transaction():
        first.uow.session.execute(update(ProcessDefinition).where(
            ProcessDefinition.key == "aarsplan").values(bpmn_xml="<ikke-bpmn/>"))
    fresh = make_engine()  # a new engine has not parsed the versions yet

    wheel = fresh.annual_wheel.wheel("fatima.ansatt", 2027)

    assert [e for e in wheel.entries if e.process_key == "aarsplan"] == []
    assert len([e for e in wheel.entries if e.process_key == "samtale"]) == 1


def test_unreadable_case_version_named_by_id(make_engine: Callable[..., ProcessEngine]) -> None:
    first = make_engine()
    load_organisation(first)
    deploy_yearly_plan(first)
    instance_id = start_report(first, "sykehjem", "Rapport sykehjem")
    with first.transaction():
        first.uow.session.execute(update(ProcessDefinition).where(
            ProcessDefinition.key == "aarsplan").values(bpmn_xml="<ikke-bpmn/>"))
    fresh = make_engine()

    wheel = fresh.annual_wheel.wheel("admin", 2027)
    titles = {e.title for e in wheel.entries if e.instance_id == instance_id}

    assert {"paaminnelse", "tertialfrist", "Lever tertialrapport"} <= titles


def test_cycle_counts_from_previous_firing() -> None:
    cycle = parse_cycle("R/2027-01-31T09:00/P1M")
    begin, end = year_bounds(2027)

    firings = cycle_firings(cycle.start, cycle.repetitions, cycle.period, begin, end,
                            max_firings=3)

    assert [at.astimezone(OSLO).date().isoformat() for at in firings.times] == [
        "2027-01-31", "2027-02-28", "2027-03-28"]
    assert firings.more is True


def test_cycle_from_long_ago_skips_ahead() -> None:
    cycle = parse_cycle("R/2000-01-01T00:00/PT1H")
    begin, end = year_bounds(2027)

    firings = cycle_firings(cycle.start, cycle.repetitions, cycle.period, begin, end,
                            max_firings=2)

    assert firings.times == [parse_instant("2027-01-01T00:00"),
                             parse_instant("2027-01-01T01:00")]


def test_bounded_cycle_stops_before_year() -> None:
    cycle = parse_cycle("R3/2020-01-01T00:00/PT1H")
    begin, end = year_bounds(2027)

    firings = cycle_firings(cycle.start, cycle.repetitions, cycle.period, begin, end,
                            max_firings=10)

    assert firings.times == []


def test_yearly_date_shown_without_case(org_engine: ProcessEngine) -> None:
    deploy_accounts(org_engine)

    this_year = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2027), "Avlegg regnskapet")
    next_year = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2028), "Avlegg regnskapet")

    assert [local(entry) for entry in this_year] == ["22.02.2027 23:59"]
    assert this_year[0].kind == LEGAL_DEADLINE
    assert this_year[0].instance_id is None
    assert this_year[0].yearly is True
    assert [local(entry) for entry in next_year] == ["22.02.2028 23:59"]


def test_case_date_replaces_yearly_date(org_engine: ProcessEngine) -> None:
    deploy_accounts(org_engine)
    instance_id = start_accounts(org_engine, due="2027-02-20")

    this_year = titled(org_engine.annual_wheel.wheel("admin", 2027), "Avlegg regnskapet")
    next_year = titled(org_engine.annual_wheel.wheel("admin", 2028), "Avlegg regnskapet")

    assert [entry.instance_id for entry in this_year] == [instance_id]
    assert local(this_year[0]) == "20.02.2027 23:59"
    assert this_year[0].kind == LEGAL_DEADLINE
    assert [entry.instance_id for entry in next_year] == [None]


def test_outsider_keeps_yearly_date(org_engine: ProcessEngine) -> None:
    deploy_accounts(org_engine)
    start_accounts(org_engine)

    entries = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2027), "Avlegg regnskapet")

    assert [(local(entry), entry.instance_id) for entry in entries] == [
        ("22.02.2027 23:59", None)]


def test_follow_ups_of_task_deadline(org_engine: ProcessEngine) -> None:
    deploy_accounts(org_engine)
    instance_id = start_accounts(org_engine)

    wheel = org_engine.annual_wheel.wheel("admin", 2027)
    reminders = titled(wheel, "Regnskapet nærmer seg")
    answer = titled(wheel, "Svarfrist")

    assert [(local(entry), entry.kind) for entry in reminders] == [
        ("13.02.2027 09:00", REMINDER)]
    assert reminders[0].instance_id == instance_id
    # The escalation fires once the task's due date has passed, and that date is shown.
    assert titled(wheel, "Regnskapet er for sent") == []
    # An interrupting timer ends the task, so its date is a deadline of its own.
    assert [(local(entry), entry.kind) for entry in answer] == [
        ("01.03.2027 12:00", CASE_DEADLINE)]


def test_escalation_without_task_shown(org_engine: ProcessEngine) -> None:
    deploy_accounts(org_engine)
    start_accounts(org_engine)

    entries = titled(org_engine.annual_wheel.wheel("admin", 2027), "Varsle revisor")

    assert [(local(entry), entry.kind) for entry in entries] == [
        ("05.03.2027 09:00", ESCALATION)]


def test_yearly_date_forms() -> None:
    assert day_in_year("22.02", 2027) == datetime(2027, 2, 22).date()
    assert day_in_year("--02-22", 2027) == datetime(2027, 2, 22).date()
    assert day_in_year("29.02", 2027) is None
    assert day_in_year("29.02", 2028) == datetime(2028, 2, 29).date()
    assert day_in_year("22/02", 2027) is None
    assert day_in_year("31.04", 2027) is None


def test_expected_review_of_running_round(org_engine: ProcessEngine) -> None:
    instance_id = start_review(org_engine)  # Monday 4 January 2027, 09:00

    this_year = titled(org_engine.annual_wheel.wheel("admin", 2027), "Neste gjennomgang")
    next_year = titled(org_engine.annual_wheel.wheel("admin", 2028), "Neste gjennomgang")
    outsider = titled(org_engine.annual_wheel.wheel("ola.ansatt", 2028), "Neste gjennomgang")

    assert this_year == []
    assert [local(entry) for entry in next_year] == ["04.01.2028 09:00"]
    assert next_year[0].expected is True
    assert next_year[0].kind == REVIEW
    assert next_year[0].instance_id == instance_id
    assert outsider == []


def test_waiting_review_replaces_expected(org_engine: ProcessEngine) -> None:
    instance_id = start_review(org_engine)
    with org_engine.transaction(read_only=True):
        (task,) = org_engine.tasks.open_tasks_of_instance(instance_id)
    org_engine.tasks.complete(task.id, "lise.leder", {"neste": "2028-03-01T09:00"})

    entries = titled(org_engine.annual_wheel.wheel("admin", 2028), "Neste gjennomgang")

    assert [(local(entry), entry.expected) for entry in entries] == [
        ("01.03.2028 09:00", False)]


def test_expected_review_counts_from_last_round(org_engine: ProcessEngine,
                                                clock: FixedClock) -> None:
    instance_id = start_review(org_engine)
    with org_engine.transaction(read_only=True):
        (task,) = org_engine.tasks.open_tasks_of_instance(instance_id)
    org_engine.tasks.complete(task.id, "lise.leder", {"neste": "2028-03-01T09:00"})
    clock.set(parse_instant("2028-03-01T09:00"))
    org_engine.management.run_due()  # the second round starts

    entries = titled(org_engine.annual_wheel.wheel("admin", 2029), "Neste gjennomgang")

    assert [(local(entry), entry.expected) for entry in entries] == [
        ("01.03.2029 09:00", True)]
