"""The scheduler: an APScheduler job that fires due timers and runs due jobs, and once a day
runs retention (RETENTION_DAILY_AT).

Due work lives in the timer and job tables, not in APScheduler's job store; APScheduler only
ticks. Any number of these workers may run against one PostgreSQL database: each claims rows
with FOR UPDATE SKIP LOCKED, so every timer fires once.
"""

from __future__ import annotations

import logging
import signal
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.services.management import default_worker_id

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

log = logging.getLogger(__name__)

# APScheduler logs every tick at INFO; poll_once logs the ticks that did something.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

JOB_ID = "sloyfe-run-due"
RETENTION_JOB_ID = "sloyfe-retention"
# Seconds between checks whether the daily retention run is due. It is its own job, so a long
# run does not hold back the timers that the poll job fires meanwhile.
RETENTION_CHECK_SECONDS = 60


def poll_once(engine: ProcessEngine, worker_id: str) -> dict[str, int]:
    """Fire what is due now, then record the worker's heartbeat; errors are logged so the next
    tick tries again."""
    started = time.perf_counter()
    try:
        report = engine.management.run_due(worker_id=worker_id).to_dict()
    except Exception:
        log.exception("scheduler poll failed worker=%s", worker_id)
        return {}
    try:
        engine.operations.record_heartbeat(worker_id)
    except Exception:
        log.exception("scheduler heartbeat failed worker=%s", worker_id)
    if any(report.values()):
        log.info("scheduler poll worker=%s timers_fired=%s jobs_done=%s jobs_failed=%s "
                 "mails_sent=%s elapsed_ms=%.0f", worker_id, report["timers_fired"],
                 report["jobs_done"], report["jobs_failed"], report["mails_sent"],
                 (time.perf_counter() - started) * 1000)
    return report


def run_retention_if_due(engine: ProcessEngine, worker_id: str) -> int | None:
    """Run the daily retention if it is due; return how many cases it changed, or None when
    it did not run. Errors are logged and the run is tried again the next day."""
    try:
        report = engine.retention.run_daily(worker_id)
    except Exception:
        log.exception("retention daily run failed worker=%s", worker_id)
        return None
    if report is None:
        return None
    log.info("retention daily run done worker=%s anonymised=%s deleted=%s attachments=%s",
             worker_id, report.count("anonymise"), report.count("delete"),
             report.attachments_deleted)
    return len(report.items)


def _add_poll_job(scheduler: Any, engine: ProcessEngine, worker_id: str) -> None:
    # A malformed RETENTION_DAILY_AT stops the start here with the setting named.
    if engine.retention.daily_time() is not None:
        scheduler.add_job(run_retention_if_due, "interval", seconds=RETENTION_CHECK_SECONDS,
                          args=[engine, worker_id], id=RETENTION_JOB_ID, max_instances=1,
                          coalesce=True, next_run_time=datetime.now(UTC))
    interval = float(engine.config["SCHEDULER_INTERVAL_SECONDS"])
    # The first poll runs at once, so work that fell due while no worker ran is not delayed.
    scheduler.add_job(poll_once, "interval", seconds=interval, args=[engine, worker_id],
                      id=JOB_ID, max_instances=1, coalesce=True,
                      next_run_time=datetime.now(UTC))


def start_background(engine: ProcessEngine) -> BackgroundScheduler:
    """Start a scheduler thread inside this process (the development server uses this)."""
    worker_id = default_worker_id() + ":web"
    scheduler = BackgroundScheduler(timezone="UTC")
    _add_poll_job(scheduler, engine, worker_id)
    scheduler.start()
    log.info("scheduler started in-process worker=%s", worker_id)
    return scheduler


def run_worker(engine: ProcessEngine) -> None:
    """Run a scheduler in the foreground until SIGTERM or SIGINT."""
    worker_id = default_worker_id()
    scheduler = BlockingScheduler(timezone="UTC")
    _add_poll_job(scheduler, engine, worker_id)

    def stop(signum: int, _frame: Any) -> None:
        log.info("worker stopping worker=%s signal=%s", worker_id, signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker started worker=%s interval_s=%s", worker_id,
             engine.config["SCHEDULER_INTERVAL_SECONDS"])
    scheduler.start()
    log.info("worker stopped worker=%s", worker_id)
