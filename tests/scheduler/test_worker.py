"""The scheduler: APScheduler ticks, due rows decide what fires, claims keep workers apart."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from engine.engine import ProcessEngine
from engine.models import Timer
from scheduler.worker import JOB_ID, poll_once, start_background

REPORT: dict[str, Any] = {
    "tittel": "Vannlekkasje", "hva_skjedde": "Vann i kjelleren.",
    "tidspunkt": "2027-01-04T08:30:00+01:00", "sted": "Kjeller", "enhet": "sykehjem",
    "kategori": "bygg", "alvorlighetsgrad": "Lav",
}


@pytest.fixture
def demo_engine(engine: ProcessEngine) -> ProcessEngine:
    """The demo municipality with deviation handling only: the other shipped processes
    start from yearly timers early in January, inside the days these tests move through."""
    from pathlib import Path

    from engine.demo import load_organisation

    load_organisation(engine)
    engine.repository.deploy_paths([engine.config["FORMS_DIR"],
                                    Path(engine.config["BPMN_DIR"]) / "avvik.bpmn"])
    return engine


@pytest.fixture
def reported(demo_engine: ProcessEngine) -> int:
    return demo_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id


def test_poll_fires_what_is_due(demo_engine: ProcessEngine, reported: int, clock) -> None:
    assert poll_once(demo_engine, "w1") == {"timers_fired": 0, "jobs_done": 0,
                                            "jobs_failed": 0, "mails_sent": 0}

    clock.advance(days=2)
    report = poll_once(demo_engine, "w1")

    assert report["timers_fired"] == 1
    assert report["jobs_done"] == 1


def test_claimed_timer_is_not_taken_by_second_worker(demo_engine: ProcessEngine,
                                                     reported: int, clock) -> None:
    clock.advance(days=2)
    first = demo_engine.management._claim(Timer, "worker-a", 10)
    second = demo_engine.management._claim(Timer, "worker-b", 10)

    assert len(first) == 1
    assert second == []


def test_expired_claim_is_taken_over(demo_engine: ProcessEngine, reported: int, clock) -> None:
    clock.advance(days=2)
    demo_engine.management._claim(Timer, "crashed-worker", 10)

    clock.advance(seconds=int(demo_engine.config["CLAIM_TIMEOUT_SECONDS"]) + 1)
    taken = demo_engine.management.run_due_timers("worker-b")

    assert taken == 1


def test_background_scheduler_polls_at_configured_interval(demo_engine: ProcessEngine) -> None:
    scheduler = start_background(demo_engine)
    try:
        job = scheduler.get_job(JOB_ID)
        assert job.trigger.interval == timedelta(
            seconds=float(demo_engine.config["SCHEDULER_INTERVAL_SECONDS"]))
        assert job.max_instances == 1
    finally:
        scheduler.shutdown(wait=True)
