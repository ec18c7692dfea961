"""Task list filters, both sort orders and keyset pages (QueryService.task_list)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.engine import ProcessEngine
from engine.errors import InvalidInput
from engine.runtime.clock import FixedClock
from engine.services.task_filters import TaskFilter
from handlers.avvik import DEFAULT_DEADLINES
from tests.engine.services.test_task_service import REPORT

# "Vurder avvik" is due three days after the report.
DUE_DAYS = 3


def report(engine: ProcessEngine, **changes: object) -> str:
    """Start a deviation case; returns the id of its assessment task."""
    instance_id = engine.runtime.start("avvik", "ola.ansatt", {**REPORT, **changes}).instance_id
    with engine.transaction(read_only=True):
        return engine.tasks.open_tasks_of_instance(instance_id, "VurderAvvik")[0].id


def listed(engine: ProcessEngine, username: str, view: str, filters: TaskFilter | None = None,
           **options: object) -> list[str]:
    with engine.transaction(read_only=True):
        page = engine.queries.task_list(username, view, filters, **options)  # type: ignore[arg-type]
        return [task.id for task in page.items]


def all_pages(engine: ProcessEngine, username: str, view: str, sort: str,
              limit: int) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        with engine.transaction(read_only=True):
            page = engine.queries.task_list(username, view, sort=sort, limit=limit,
                                            cursor=cursor)
        ids.extend(task.id for task in page.items)
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor


def unit_id(engine: ProcessEngine, code: str) -> int:
    with engine.transaction(read_only=True):
        found = engine.organisation.unit_id(code)
    assert found is not None
    return found


@pytest.fixture
def three_cases(demo_engine: ProcessEngine, clock: FixedClock) -> list[str]:
    """Three assessment tasks due one day apart, the last one critical."""
    # The same three-day deadline for every severity, so only the priority differs.
    demo_engine.repository.set_setting("avvik.frister", {
        "standard": DEFAULT_DEADLINES["standard"],
        "datatilsynet": DEFAULT_DEADLINES["datatilsynet"]}, actor="admin")
    first = report(demo_engine)
    clock.advance(timedelta(days=1))
    second = report(demo_engine)
    clock.advance(timedelta(days=1))
    third = report(demo_engine, alvorlighetsgrad="Kritisk")
    return [first, second, third]


def test_due_sort_puts_earliest_first(demo_engine: ProcessEngine,
                                      three_cases: list[str]) -> None:
    assert listed(demo_engine, "lise.leder", "group") == three_cases


def test_priority_sort_puts_critical_first(demo_engine: ProcessEngine,
                                           three_cases: list[str]) -> None:
    first, second, third = three_cases

    ids = listed(demo_engine, "lise.leder", "group", sort="priority")

    assert ids == [third, first, second]


@pytest.mark.parametrize("sort", ["due", "priority"])
def test_pages_cover_list_in_order(demo_engine: ProcessEngine, three_cases: list[str],
                                   sort: str) -> None:
    whole = listed(demo_engine, "lise.leder", "group", sort=sort)

    assert all_pages(demo_engine, "lise.leder", "group", sort, limit=1) == whole
    assert all_pages(demo_engine, "lise.leder", "group", sort, limit=2) == whole


def test_pages_stay_stable_after_completion(demo_engine: ProcessEngine,
                                            three_cases: list[str]) -> None:
    first, second, third = three_cases
    with demo_engine.transaction(read_only=True):
        page = demo_engine.queries.task_list("lise.leder", "group", limit=1)
    demo_engine.tasks.claim(first, "lise.leder")

    assert listed(demo_engine, "lise.leder", "group", cursor=page.next_cursor) == [second,
                                                                                    third]


def test_last_page_has_no_cursor(demo_engine: ProcessEngine, three_cases: list[str]) -> None:
    with demo_engine.transaction(read_only=True):
        page = demo_engine.queries.task_list("lise.leder", "group", limit=3)

    assert page.next_cursor is None


def test_overdue_filter(demo_engine: ProcessEngine, three_cases: list[str],
                        clock: FixedClock) -> None:
    # The first task fell due a minute ago; the others are due in one and two days.
    clock.advance(timedelta(days=DUE_DAYS - 2, minutes=1))

    ids = listed(demo_engine, "lise.leder", "group", TaskFilter(due="overdue"))

    assert ids == three_cases[:1]


def test_due_within_days_filter(demo_engine: ProcessEngine, three_cases: list[str],
                                clock: FixedClock) -> None:
    clock.advance(timedelta(days=DUE_DAYS - 2, minutes=1))

    ids = listed(demo_engine, "lise.leder", "group", TaskFilter(due="within", within_days=1))

    assert ids == three_cases[1:2]


def test_no_due_date_filter(demo_engine: ProcessEngine, three_cases: list[str]) -> None:
    assert listed(demo_engine, "lise.leder", "group", TaskFilter(due="none")) == []


def test_process_filter(demo_engine: ProcessEngine, three_cases: list[str]) -> None:
    assert listed(demo_engine, "lise.leder", "group",
                  TaskFilter(process="avvik")) == three_cases
    assert listed(demo_engine, "lise.leder", "group", TaskFilter(process="annet")) == []


def test_unit_filter_includes_units_below(demo_engine: ProcessEngine,
                                          three_cases: list[str]) -> None:
    above = TaskFilter(unit_id=unit_id(demo_engine, "helse-omsorg"))
    sibling = TaskFilter(unit_id=unit_id(demo_engine, "hjemmetjenesten"))

    assert listed(demo_engine, "kari.direktor", "unit", above) == three_cases
    assert listed(demo_engine, "kari.direktor", "unit", sibling) == []


def test_status_filter(demo_engine: ProcessEngine, three_cases: list[str]) -> None:
    demo_engine.tasks.claim(three_cases[1], "fatima.ansatt")

    assigned = listed(demo_engine, "tor.kommunalsjef", "unit", TaskFilter(status="assigned"))
    unassigned = listed(demo_engine, "tor.kommunalsjef", "unit",
                        TaskFilter(status="unassigned"))

    assert assigned == three_cases[1:2]
    assert unassigned == [three_cases[0], three_cases[2]]


def test_damaged_cursor_is_invalid_input(demo_engine: ProcessEngine) -> None:
    with pytest.raises(InvalidInput) as raised:
        listed(demo_engine, "lise.leder", "group", cursor="not-a-cursor")

    assert "sidelenken er skadet" in str(raised.value)


def test_unknown_sort_is_invalid_input(demo_engine: ProcessEngine) -> None:
    with pytest.raises(InvalidInput):
        listed(demo_engine, "lise.leder", "group", sort="name")


def test_within_filter_needs_days() -> None:
    with pytest.raises(InvalidInput) as raised:
        TaskFilter(due="within", within_days=0)

    assert "antall dager må være et heltall fra 1 til 366" in str(raised.value)


def without_deadline(engine: ProcessEngine, task_id: str) -> None:
    with engine.transaction():
        engine.tasks.get(task_id).due_at = None


@pytest.mark.parametrize("sort", ["due", "priority"])
def test_task_without_deadline_comes_last(demo_engine: ProcessEngine, three_cases: list[str],
                                          sort: str) -> None:
    first, second, third = three_cases
    without_deadline(demo_engine, first)

    ids = listed(demo_engine, "lise.leder", "group", sort=sort)

    assert ids == ([second, third, first] if sort == "due" else [third, second, first])
    assert all_pages(demo_engine, "lise.leder", "group", sort, limit=1) == ids


def test_no_deadline_filter_finds_task(demo_engine: ProcessEngine,
                                       three_cases: list[str]) -> None:
    without_deadline(demo_engine, three_cases[0])

    ids = listed(demo_engine, "lise.leder", "group", TaskFilter(due="none"))

    assert ids == three_cases[:1]
