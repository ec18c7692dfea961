"""Timers, jobs and incidents: what the scheduler and administrators drive.

Due timers and jobs are rows. A worker claims a batch in one short transaction (with
FOR UPDATE SKIP LOCKED on PostgreSQL, so concurrent workers take different rows), then fires
each claimed row in a transaction of its own. A claim expires, so a crashed worker's rows are
picked up again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import or_, select, update

from engine.errors import (
    EngineError,
    IncidentAlreadyResolved,
    IncidentNotFound,
    InstanceNotRunning,
)
from engine.i18n import gettext as _
from engine.i18n import use_locale
from engine.logs import bound_request_id
from engine.models import Incident, Job, ProcessInstance, Timer
from engine.runtime.handlers import HandlerContext, HandlerError
from engine.runtime.specs import timer_due_at
from engine.services import start_timers
from engine.services.base import Service
from engine.services.execution import Execution

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    timers_fired: int = 0
    jobs_done: int = 0
    jobs_failed: int = 0
    mails_sent: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"timers_fired": self.timers_fired, "jobs_done": self.jobs_done,
                "jobs_failed": self.jobs_failed, "mails_sent": self.mails_sent}


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class ManagementService(Service):

    # --- reading -------------------------------------------------------------------------

    def timers(self, instance_id: int | None = None) -> list[Timer]:
        query = select(Timer).order_by(Timer.due_at)
        if instance_id is not None:
            query = query.where(Timer.instance_id == instance_id)
        return list(self.session.scalars(query))

    def jobs(self, instance_id: int | None = None) -> list[Job]:
        query = select(Job).order_by(Job.due_at)
        if instance_id is not None:
            query = query.where(Job.instance_id == instance_id)
        return list(self.session.scalars(query))

    def incidents(self, instance_id: int | None = None, open_only: bool = True) -> list[Incident]:
        query = select(Incident).order_by(Incident.id)
        if instance_id is not None:
            query = query.where(Incident.instance_id == instance_id)
        if open_only:
            query = query.where(Incident.resolved_at.is_(None))
        return list(self.session.scalars(query))

    # --- the polling loop ----------------------------------------------------------------

    def run_due(self, worker_id: str | None = None, batch: int = 100,
                max_rounds: int = 1000) -> RunReport:
        """Fire every due timer and run every due job, until nothing more is due now, then
        send the notification e-mails that are due."""
        worker = worker_id or default_worker_id()
        report = RunReport()
        for _round in range(max_rounds):
            fired = self.run_due_timers(worker, batch)
            done, failed = self.run_due_jobs(worker_id=worker, batch=batch)
            report.timers_fired += fired
            report.jobs_done += done
            report.jobs_failed += failed
            if fired == 0 and done == 0 and failed == 0:
                break
        report.mails_sent = self.engine.notifications.deliver_due(worker, batch)
        return report

    def run_due_timers(self, worker_id: str | None = None, batch: int = 100) -> int:
        worker = worker_id or default_worker_id()
        fired = 0
        for timer_id in self._claim(Timer, worker, batch):
            with bound_request_id(f"timer-{timer_id}"):
                fired += self._fire_timer(timer_id, worker)
        return fired

    def run_due_jobs(self, instance_id: int | None = None, worker_id: str | None = None,
                     batch: int = 100) -> tuple[int, int]:
        worker = worker_id or default_worker_id()
        done = failed = 0
        for _round in range(100):
            claimed = self._claim(Job, worker, batch, instance_id=instance_id)
            if not claimed:
                break
            for job_id in claimed:
                with bound_request_id(f"job-{job_id}"):
                    outcome = self._run_job(job_id, worker)
                done += outcome == "done"
                failed += outcome == "failed"
            if instance_id is None:
                break
        return done, failed

    def _claim(self, model: Any, worker: str, batch: int,
               instance_id: int | None = None) -> list[int]:
        now = self.engine.clock.now()
        expires = now + timedelta(seconds=int(self.engine.config["CLAIM_TIMEOUT_SECONDS"]))
        with self.transaction() as session:
            query = (select(model.id).where(model.due_at <= now)
                     .where(or_(model.claim_expires_at.is_(None), model.claim_expires_at < now))
                     .order_by(model.due_at, model.id).limit(batch))
            if model is Job:
                query = query.where(Job.status == "pending")
            # A suspended instance keeps its due rows, so they fire once it is resumed.
            query = query.where(or_(model.instance_id.is_(None), model.instance_id.not_in(
                select(ProcessInstance.id).where(ProcessInstance.status == "suspended"))))
            if instance_id is not None:
                query = query.where(model.instance_id == instance_id)
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list(session.scalars(query))
            if ids:
                session.execute(update(model).where(model.id.in_(ids))
                                .values(claimed_by=worker, claim_expires_at=expires))
        return ids

    # --- timers --------------------------------------------------------------------------

    def _fire_start_timer(self, timer: Timer) -> int:
        """Start a new instance for a process version's timer start, then plan the next."""
        from engine.models import ProcessDefinition

        session = self.session
        definition = session.get(ProcessDefinition, timer.definition_id)
        if definition is None or not definition.active:
            session.delete(timer)
            return 0
        instance_id, _queued = self.engine.runtime.start_instance(
            definition, start_timers.SYSTEM_ACTOR, {}, start_event=timer.element_id)
        self.engine.history.record("timer_fired", "system", instance_id=instance_id,
                                   element_id=timer.element_id,
                                   due_at=timer.due_at.isoformat())

        following = start_timers.next_firing(self.engine, timer,
                                             self.engine.specs.get(definition.id))
        if following is None:
            session.delete(timer)
        else:
            timer.due_at = following
            if timer.remaining is not None and timer.remaining > 0:
                timer.remaining -= 1
            timer.claimed_by = None
            timer.claim_expires_at = None
        log.info("start timer fired key=%s element_id=%s instance_id=%s", definition.key,
                 timer.element_id, instance_id)
        return 1

    def _fire_timer(self, timer_id: int, worker: str) -> int:
        """Fire a claimed timer row; returns how many timer events of its instance fired.

        The library refreshes every timer of an instance at once, so other timers of the same
        instance that are due fire together with this one (their rows are then removed).
        """
        try:
            with self.transaction() as session:
                timer = session.get(Timer, timer_id)
                if timer is None or timer.claimed_by != worker:
                    return 0
                if timer.instance_id is None:
                    return self._fire_start_timer(timer)
                execution = Execution.load(self.engine, timer.instance_id, "system")
                if execution.instance.status == "suspended":
                    timer.claimed_by = None
                    timer.claim_expires_at = None
                    return 0
                if execution.instance.status != "running":
                    session.delete(timer)
                    return 0
                spiff_task = execution.spiff_task(timer.task_id)
                if spiff_task is None or spiff_task.state != TaskState.WAITING:
                    session.delete(timer)
                    return 0
                element_id, due_at = timer.element_id, timer.due_at
                now = self.engine.clock.now()
                due_events = [t for t in execution.workflow.get_tasks(state=TaskState.WAITING)
                              if (due := timer_due_at(t)) is not None and due <= now]
                execution.workflow.refresh_timers()
                execution.run()
                execution.sync()
                execution.save()
                self.engine.history.record("timer_fired", "system",
                                           instance_id=execution.instance.id,
                                           task_id=timer.task_id, element_id=element_id,
                                           due_at=due_at.isoformat())
                instance_id = execution.instance.id
            log.info("timer fired instance_id=%s element_id=%s", instance_id, element_id)
            return len(due_events)
        except Exception as error:
            log.exception("timer failed timer_id=%s", timer_id)
            self._release_after_failure(Timer, timer_id, error)
            return 0

    # --- jobs ----------------------------------------------------------------------------

    def _run_job(self, job_id: int, worker: str) -> str:
        try:
            with self.transaction() as session:
                job = session.get(Job, job_id)
                if job is None or job.claimed_by != worker or job.status != "pending":
                    return "skipped"
                execution = Execution.load(self.engine, job.instance_id, "system")
                if execution.instance.status == "suspended":
                    job.claimed_by = None
                    job.claim_expires_at = None
                    return "skipped"
                spiff_task = execution.spiff_task(job.task_id)
                if execution.instance.status != "running" or spiff_task is None or \
                        spiff_task.state != TaskState.STARTED:
                    session.delete(job)
                    return "skipped"
                handler = self.engine.handlers.get(job.topic)
                if handler is None:
                    raise HandlerError(_("no handler is registered for the topic %(topic)s",
                                         topic=job.topic), retry=False)

                context = HandlerContext(
                    engine=self.engine, instance=execution.instance, topic=job.topic,
                    task_id=job.task_id, element_id=job.element_id,
                    variables=dict(spiff_task.data),
                    properties=dict(spiff_task.task_spec.extensions or {}),
                    now=self.engine.clock.now(), attempt=job.attempts + 1,
                    spiff_task=spiff_task)
                result = handler(context)
                if result:
                    DeepMerge.merge(spiff_task.data, dict(result))
                spiff_task.complete()
                execution.run()
                execution.sync()
                execution.save()
                self.engine.history.record("job_completed", "system",
                                           instance_id=execution.instance.id, task_id=job.task_id,
                                           element_id=job.element_id, topic=job.topic)
            return "done"
        except Exception as error:
            log.warning("job failed job_id=%s error=%s", job_id, type(error).__name__)
            return self._job_failed(job_id, error)

    def _job_failed(self, job_id: int, error: BaseException) -> str:
        with self.transaction() as session:
            job = session.get(Job, job_id)
            if job is None:
                return "failed"
            now = self.engine.clock.now()
            job.attempts += 1
            with use_locale(self.engine.config.get("DEFAULT_LOCALE", "nb")):
                message = _handler_message(job.topic, error)
            job.last_error = message
            job.claimed_by = None
            job.claim_expires_at = None
            retry = not (isinstance(error, HandlerError) and not error.retry)
            if retry and job.attempts < job.max_attempts:
                backoff = int(self.engine.config["JOB_BACKOFF_SECONDS"]) * 2 ** (job.attempts - 1)
                job.due_at = now + timedelta(seconds=backoff)
                self.engine.history.record("job_retry_scheduled", "system",
                                           instance_id=job.instance_id, task_id=job.task_id,
                                           element_id=job.element_id, attempt=job.attempts)
                return "failed"
            job.status = "failed"
            incident = Incident(instance_id=job.instance_id, task_id=job.task_id,
                                element_id=job.element_id, kind="handler", message=message,
                                job_id=job.id, created_at=now)
            session.add(incident)
            instance = session.get(ProcessInstance, job.instance_id)
            if instance is not None:
                instance.has_incident = True
            session.flush()
            self.engine.history.record("incident_created", "system", instance_id=job.instance_id,
                                       task_id=job.task_id, element_id=job.element_id,
                                       incident_id=incident.id, kind="handler")
            return "failed"

    def _release_after_failure(self, model: Any, row_id: int, error: BaseException) -> None:
        with self.transaction() as session:
            row = session.get(model, row_id)
            if row is None:
                return
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            backoff = int(self.engine.config["JOB_BACKOFF_SECONDS"]) * 2 ** min(row.attempts, 10)
            row.claimed_by = None
            row.claim_expires_at = self.engine.clock.now() + timedelta(seconds=backoff)

    # --- incidents -----------------------------------------------------------------------

    def retry_incident(self, incident_id: int, actor: str) -> dict[str, Any]:
        """Try the failed step again: a handler job gets new attempts, a failed script
        step runs again. A new failure opens a new incident."""
        with self.transaction() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise IncidentNotFound(incident_id)
            if incident.resolved_at is not None:
                raise IncidentAlreadyResolved(incident_id)
            instance = session.get(ProcessInstance, incident.instance_id)
            if instance is not None and instance.status != "running":
                raise InstanceNotRunning(instance.id, instance.status)
            now = self.engine.clock.now()
            incident.resolved_at = now
            incident.resolved_by = actor
            instance_id = incident.instance_id

            if incident.job_id is not None:
                job = session.get(Job, incident.job_id)
                if job is not None:
                    job.status = "pending"
                    job.attempts = 0
                    job.due_at = now
                    job.claimed_by = None
                    job.claim_expires_at = None
            else:
                execution = Execution.load(self.engine, instance_id, actor)
                for task in execution.workflow.get_tasks(state=TaskState.ERROR):
                    task._set_state(TaskState.READY)
                execution.workflow.refresh_timers()
                execution.run()
                execution.sync()
                execution.save()
            self._refresh_incident_flag(instance_id)
            self.engine.history.record("incident_retried", actor, instance_id=instance_id,
                                       incident_id=incident_id)
        self.run_due_jobs(instance_id=instance_id)
        return {"incident_id": incident_id, "instance_id": instance_id}

    def _refresh_incident_flag(self, instance_id: int) -> None:
        session = self.session
        session.flush()
        still_open = session.scalar(select(Incident.id).where(
            Incident.instance_id == instance_id, Incident.resolved_at.is_(None)).limit(1))
        instance = session.get(ProcessInstance, instance_id)
        if instance is not None:
            instance.has_incident = still_open is not None


def _handler_message(topic: str, error: BaseException) -> str:
    if isinstance(error, HandlerError):
        detail = error.message
    elif isinstance(error, EngineError):
        detail = str(error)
    else:
        detail = str(error) or type(error).__name__
    return _("The handler for %(topic)s failed: %(message)s", topic=topic, message=detail)
