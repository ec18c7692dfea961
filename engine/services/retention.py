"""Retention: finished cases are anonymised or deleted when their retention time has run out.

The process property `retention` (an ISO 8601 duration such as P5Y) sets how long a
process's finished cases are kept, and `retentionAction` what then happens to them:

- `anonymise` keeps the case as a record that it existed (process, version, unit, status,
  dates, steps and who took them) and removes its content: the variables, the start form, the
  title, what was sent in each task, task titles, incident messages, notifications and
  attachments.
- `delete` removes the case and every row about it. The audit trail stays: it holds ids,
  actions and field names, never form values, and it cannot be changed.

Without the property the configuration's RETENTION_PERIOD and RETENTION_ACTION apply; with
neither, cases are kept. The newest version of a process decides for every case of the key,
as for who may read them. Only completed and terminated cases are touched, counted from when
they ended.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from engine.errors import InvalidInput
from engine.i18n import gettext as _
from engine.models import (
    AuditEvent,
    Incident,
    Job,
    MessageSubscription,
    Notification,
    ProcessDefinition,
    ProcessInstance,
    ScheduledRun,
    Task,
    TaskCandidate,
    Timer,
)
from engine.runtime.timeexpr import Duration, TimeExpressionError, parse_duration
from engine.runtime.validation import (
    RETENTION_ACTION_PROPERTY,
    RETENTION_ACTIONS,
    RETENTION_PROPERTY,
)
from engine.services.base import Service

log = logging.getLogger(__name__)

FINISHED = ("completed", "terminated")
ANONYMISED_ACTION = "instance_anonymised"
# The scheduled_run row of the daily run, and the actor its changes are audited under.
SCHEDULED_RUN = "retention"
SCHEDULER_ACTOR = "retention"


@dataclass(frozen=True)
class Policy:
    period: Duration
    period_text: str
    action: str


@dataclass(frozen=True)
class RetentionItem:
    instance_id: int
    definition_key: str
    business_key: str | None
    ended_at: datetime
    action: str
    retention: str

    def to_dict(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "process": self.definition_key,
                "business_key": self.business_key, "ended_at": self.ended_at.isoformat(),
                "action": self.action, "retention": self.retention}


@dataclass
class RetentionReport:
    dry_run: bool
    items: list[RetentionItem] = field(default_factory=list)
    attachments_deleted: int = 0

    def count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "anonymised": self.count("anonymise"),
                "deleted": self.count("delete"),
                "attachments_deleted": self.attachments_deleted,
                "cases": [item.to_dict() for item in self.items]}


class RetentionService(Service):

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        # The local day this process last tried the daily run, so the claim query runs once
        # a day per worker rather than on every scheduler tick.
        self._tried_on: date | None = None

    def policy(self, definition: ProcessDefinition) -> Policy | None:
        """Return the retention a process version sets, else the configured default."""
        properties = self.engine.specs.get(definition.id).facts.properties
        period_text = (properties.get(RETENTION_PROPERTY)
                       or self.engine.config.get("RETENTION_PERIOD") or "").strip()
        if not period_text:
            return None
        action = (properties.get(RETENTION_ACTION_PROPERTY)
                  or self.engine.config.get("RETENTION_ACTION") or "anonymise").strip()
        if action not in RETENTION_ACTIONS:
            raise InvalidInput(_("RETENTION_ACTION must be anonymise or delete, not "
                                 "%(value)s.", value=action))
        try:
            period = parse_duration(period_text)
        except TimeExpressionError:
            raise InvalidInput(_("RETENTION_PERIOD must be an ISO 8601 duration such as P5Y, "
                                 "not %(value)s.", value=period_text)) from None
        return Policy(period, period_text, action)

    def due(self, limit: int | None = None) -> list[RetentionItem]:
        """Return the finished cases whose retention time has run out, oldest first."""
        now = self.engine.clock.now()
        limit = limit or int(self.engine.config.get("RETENTION_BATCH", 1000))
        items: list[RetentionItem] = []
        with self.transaction(read_only=True):
            for definition in self.engine.repository.definitions():
                policy = self.policy(definition)
                if policy is None:
                    continue
                cutoff = policy.period.subtract_from(now)
                query = (select(ProcessInstance.id, ProcessInstance.business_key,
                                ProcessInstance.ended_at)
                         .where(ProcessInstance.definition_key == definition.key,
                                ProcessInstance.status.in_(FINISHED),
                                ProcessInstance.ended_at <= cutoff)
                         .order_by(ProcessInstance.ended_at, ProcessInstance.id)
                         .limit(limit - len(items)))
                if policy.action == "anonymise":
                    query = query.where(~exists().where(
                        AuditEvent.instance_id == ProcessInstance.id,
                        AuditEvent.action == ANONYMISED_ACTION))
                items.extend(RetentionItem(row.id, definition.key, row.business_key,
                                           row.ended_at, policy.action, policy.period_text)
                             for row in self.session.execute(query))
                if len(items) >= limit:
                    break
        items.sort(key=lambda item: (item.ended_at, item.instance_id))
        return items

    def run(self, actor: str, dry_run: bool = False, limit: int | None = None
            ) -> RetentionReport:
        """Anonymise or delete every case in `due()`, each in its own transaction, so a
        failure leaves the cases before it done and the rest untouched."""
        report = RetentionReport(dry_run=dry_run, items=self.due(limit))
        if dry_run:
            return report
        for item in report.items:
            report.attachments_deleted += self.engine.attachments.delete_case(
                item.instance_id, actor)
            with self.transaction():
                if item.action == "delete":
                    self._delete(item, actor)
                else:
                    self._anonymise(item, actor)
        log.info("retention run anonymised=%s deleted=%s attachments=%s",
                 report.count("anonymise"), report.count("delete"),
                 report.attachments_deleted)
        return report

    # --- the daily run from the scheduler ------------------------------------------------

    def daily_time(self) -> time | None:
        """Return RETENTION_DAILY_AT as a time of day, or None when it is empty.

        Raises ValueError naming the setting when it is not HH:MM, so a worker with a typo in
        its configuration stops at start-up instead of never running retention.
        """
        text = str(self.engine.config.get("RETENTION_DAILY_AT") or "").strip()
        if not text:
            return None
        try:
            return time.fromisoformat(text)
        except ValueError:
            raise ValueError(f"RETENTION_DAILY_AT must be a time of day as HH:MM, such as "
                             f"02:30, or empty; it is {text!r}") from None

    def run_daily(self, worker_id: str) -> RetentionReport | None:
        """Run retention if today's run time (RETENTION_DAILY_AT, local time) has passed and
        no worker has run it today; return its report, or None when nothing ran.

        The scheduler calls this on every tick. A worker remembers the day it last tried, so
        the claim costs one query a day; a failed run is not retried until the next day, and
        the cases it did not reach are due then.
        """
        at = self.daily_time()
        if at is None:
            return None
        now = self.engine.clock.now()
        local = now.astimezone(ZoneInfo(str(self.engine.config["TIMEZONE"])))
        if local.time() < at or self._tried_on == local.date():
            return None
        self._tried_on = local.date()
        if not self._claim_day(local.date(), now, worker_id):
            return None
        log.info("retention daily run starting worker=%s day=%s", worker_id, local.date())
        return self._run_all()

    def _run_all(self) -> RetentionReport:
        """Run RETENTION_BATCH cases at a time until no case is due, so a backlog (after the
        first upgrade, say) is cleared in one night rather than one batch a day."""
        batch = int(self.engine.config.get("RETENTION_BATCH", 1000))
        total = RetentionReport(dry_run=False)
        handled: set[int] = set()
        while True:
            report = self.run(SCHEDULER_ACTOR, limit=batch)
            new = [item for item in report.items if item.instance_id not in handled]
            if not new:
                if report.items:
                    # A handled case that is due again would loop for ever.
                    log.warning("retention daily run stopped: cases still due after "
                                "handling instance_ids=%s",
                                [item.instance_id for item in report.items[:10]])
                break
            handled.update(item.instance_id for item in new)
            total.items.extend(new)
            total.attachments_deleted += report.attachments_deleted
            if len(report.items) < batch:
                break
        return total

    def _claim_day(self, day: date, now: datetime, worker_id: str) -> bool:
        """Mark `day` as run in one conditional update; return whether this worker won."""
        claim = update(ScheduledRun).where(
            ScheduledRun.name == SCHEDULED_RUN,
            or_(ScheduledRun.last_run_on.is_(None), ScheduledRun.last_run_on < day),
        ).values(last_run_on=day, started_at=now, worker_id=worker_id)
        with self.transaction():
            if self.session.execute(claim).rowcount == 1:
                return True
            present = self.session.scalar(select(ScheduledRun.name).where(
                ScheduledRun.name == SCHEDULED_RUN))
        if present is not None:
            return False
        # The migration inserts the row; a database whose row was removed gets it back here,
        # and of two workers doing so at once the primary key lets one through.
        try:
            with self.transaction():
                self.session.execute(insert(ScheduledRun).values(
                    name=SCHEDULED_RUN, last_run_on=day, started_at=now, worker_id=worker_id))
        except IntegrityError:
            return False
        return True

    # --- the two actions ------------------------------------------------------------------

    def _anonymise(self, item: RetentionItem, actor: str) -> None:
        instance = self.session.get(ProcessInstance, item.instance_id)
        if instance is None:
            return
        compiled = self.engine.specs.get(instance.definition_id)
        instance.title = None
        instance.start_data = None
        instance.state = _without_data(instance.state)
        names = _element_names(compiled)
        for task in self.session.scalars(select(Task).where(
                Task.instance_id == instance.id)):
            task.submitted_data = None
            task.documentation = None
            task.name = names.get(task.element_id, task.element_id)[:300]
        removed = _("Removed when the case was anonymised.")
        for incident in self.session.scalars(select(Incident).where(
                Incident.instance_id == instance.id)):
            incident.message = removed
        self.session.execute(delete(Notification).where(
            Notification.instance_id == instance.id))
        self.audit(ANONYMISED_ACTION, actor, instance_id=instance.id,
                   retention=item.retention)

    def _delete(self, item: RetentionItem, actor: str) -> None:
        instance_id = item.instance_id
        task_ids = select(Task.id).where(Task.instance_id == instance_id)
        self.session.execute(delete(TaskCandidate).where(TaskCandidate.task_id.in_(task_ids)))
        for model in (Notification, Incident, Job, Timer, MessageSubscription, Task):
            self.session.execute(delete(model).where(model.instance_id == instance_id))
        self.session.execute(delete(ProcessInstance).where(ProcessInstance.id == instance_id))
        self.audit("instance_deleted", actor, instance_id=instance_id,
                   process=item.definition_key, retention=item.retention)


def _without_data(state: str) -> str:
    """Return the saved workflow with every variable removed: the workflow's own, each
    task's and each subprocess's, so nothing the case held is left in it."""
    document = json.loads(state)

    def clear(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("data", "internal_data"):
                if isinstance(node.get(key), dict):
                    node[key] = {}
            for value in node.values():
                clear(value)
        elif isinstance(node, list):
            for value in node:
                clear(value)

    clear(document)
    return json.dumps(document)


def _element_names(compiled: Any) -> dict[str, str]:
    """Map every element id in the process and its subprocesses to its diagram name."""
    names: dict[str, str] = {}
    specs = [compiled.spec, *getattr(compiled, "subprocess_specs", {}).values()]
    for spec in specs:
        for task_spec in spec.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if bpmn_id:
                names[bpmn_id] = getattr(task_spec, "bpmn_name", None) or bpmn_id
    return names
