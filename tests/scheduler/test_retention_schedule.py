"""The scheduler runs retention once a day after RETENTION_DAILY_AT (local time), on one worker
only, and clears a backlog larger than one batch in the same run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine.demo import load_organisation
from engine.engine import ProcessEngine
from scheduler.worker import RETENTION_JOB_ID, run_retention_if_due, start_background
from tests.engine.services.test_retention import finished_case, process

# The test clock starts at 09:00 in Oslo (08:00 UTC).
AFTER_START = "08:30"
BEFORE_START = "10:00"


def retention_engine(make_engine: Callable[..., ProcessEngine], **config: Any) -> ProcessEngine:
    engine = make_engine(**config)
    load_organisation(engine)
    engine.repository.deploy([("anonym.bpmn", process("anonym", {"retention": "P1Y"}))])
    return engine


def old_cases(engine: ProcessEngine, clock: Any, count: int) -> list[int]:
    ids = [finished_case(engine, "anonym") for _ in range(count)]
    clock.advance(days=366)
    return ids


def test_not_run_before_daily_time(make_engine: Callable[..., ProcessEngine], clock: Any) -> None:
    engine = retention_engine(make_engine, RETENTION_DAILY_AT=BEFORE_START)
    old_cases(engine, clock, 1)

    assert engine.retention.run_daily("worker-a") is None


def test_run_after_daily_time(make_engine: Callable[..., ProcessEngine], clock: Any) -> None:
    engine = retention_engine(make_engine, RETENTION_DAILY_AT=AFTER_START)
    ids = old_cases(engine, clock, 1)

    report = engine.retention.run_daily("worker-a")

    assert report is not None
    assert [item.instance_id for item in report.items] == ids
    assert engine.retention.due() == []


def test_second_worker_skips_same_day(make_engine: Callable[..., ProcessEngine],
                                      clock: Any) -> None:
    first = retention_engine(make_engine, RETENTION_DAILY_AT=AFTER_START)
    second = make_engine(RETENTION_DAILY_AT=AFTER_START)
    old_cases(first, clock, 1)
    first.retention.run_daily("worker-a")
    finished_case(first, "anonym")

    assert second.retention.run_daily("worker-b") is None


def test_next_day_runs_again(make_engine: Callable[..., ProcessEngine], clock: Any) -> None:
    engine = retention_engine(make_engine, RETENTION_DAILY_AT=AFTER_START)
    old_cases(engine, clock, 1)
    engine.retention.run_daily("worker-a")
    later = finished_case(engine, "anonym")
    clock.advance(days=366)

    report = engine.retention.run_daily("worker-a")

    assert report is not None
    assert [item.instance_id for item in report.items] == [later]


def test_same_day_runs_once(make_engine: Callable[..., ProcessEngine], clock: Any) -> None:
    engine = retention_engine(make_engine, RETENTION_DAILY_AT=AFTER_START)
    old_cases(engine, clock, 1)
    engine.retention.run_daily("worker-a")
    clock.advance(hours=1)

    assert engine.retention.run_daily("worker-a") is None


def test_backlog_cleared_in_one_run(make_engine: Callable[..., ProcessEngine],
                                    clock: Any) -> None:
    engine = retention_engine(make_engine, RETENTION_DAILY_AT=AFTER_START, RETENTION_BATCH=2)
    ids = old_cases(engine, clock, 5)

    report = engine.retention.run_daily("worker-a")

    assert report is not None
    assert sorted(item.instance_id for item in report.items) == sorted(ids)


def test_empty_setting_never_runs(make_engine: Callable[..., ProcessEngine], clock: Any) -> None:
    engine = retention_engine(make_engine, RETENTION_DAILY_AT="")
    old_cases(engine, clock, 1)

    assert engine.retention.run_daily("worker-a") is None


def test_malformed_setting_stops_start(make_engine: Callable[..., ProcessEngine]) -> None:
    engine = make_engine(RETENTION_DAILY_AT="halv tre")

    with pytest.raises(ValueError, match="RETENTION_DAILY_AT"):
        start_background(engine)


def test_scheduler_has_retention_job(make_engine: Callable[..., ProcessEngine]) -> None:
    scheduler = start_background(make_engine(RETENTION_DAILY_AT=AFTER_START))
    try:
        assert scheduler.get_job(RETENTION_JOB_ID) is not None
    finally:
        scheduler.shutdown(wait=True)


def test_scheduler_without_retention_job(make_engine: Callable[..., ProcessEngine]) -> None:
    scheduler = start_background(make_engine(RETENTION_DAILY_AT=""))
    try:
        assert scheduler.get_job(RETENTION_JOB_ID) is None
    finally:
        scheduler.shutdown(wait=True)


def test_job_counts_changed_cases(make_engine: Callable[..., ProcessEngine], clock: Any) -> None:
    engine = retention_engine(make_engine, RETENTION_DAILY_AT=AFTER_START)
    old_cases(engine, clock, 2)

    assert run_retention_if_due(engine, "worker-a") == 2
