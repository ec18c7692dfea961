"""E-mail about tasks: assignment, reminder and escalation, sent through an outbox.

A command that assigns a task writes a notification row in its own transaction. The
scheduler sends the due rows after that commit, with retries and backoff, so a mail server
that is down loses no message and never rolls back what the user did.

The rule for the text: a message contains the process name, the step name, the deadline,
the case number when the engine generated it, and a link to the task. The step name is the
BPMN element's name, without the per-task title that a diagram may add. The case title,
form values and other process variables stay out, because they may contain personal data,
so the reader logs in to see them.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update

from engine.i18n import DEFAULT_LOCALE, use_locale
from engine.i18n import gettext as _
from engine.logs import bound_request_id
from engine.models import Notification, ProcessInstance, Task
from engine.runtime.timeexpr import OSLO
from engine.services.base import Service

log = logging.getLogger(__name__)

# The case numbers the engine generates (RuntimeService.start_instance): KEY-YEAR-NUMBER. A
# business key that a caller chose may be anything, a name or an identity number among
# others, so it stays out of the message.
GENERATED_CASE_NUMBER = re.compile(r"[A-Z0-9_.-]+-\d{4}-\d{5,}")

# A task that the process assigns to the user who completed its previous step within this
# time is that user's next step, not news to them. Jobs between the two steps normally run
# within seconds of the completion; a backlog of jobs longer than this sends the mail.
OWN_NEXT_STEP_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class MailMessage:
    address: str
    subject: str
    body: str


class NotificationService(Service):
    """Queue and send the e-mails about tasks (`engine.notifications`)."""

    # --- queueing, inside the caller's transaction ----------------------------------------

    def task_assigned(self, task: Task, actor: str | None) -> None:
        """Queue a mail to the task's assignee, unless they are the one who caused it.

        Nobody is told about a task they took or gave themselves (`actor`), nor about the
        next step that the process gives to the user who just completed the step before:
        the page after completing shows it to them.
        """
        if not task.assignee or task.assignee == actor:
            return
        if self._completed_step_just_now(task.instance_id, task.assignee):
            return
        self._queue("task_assigned", task, task.assignee)

    def _completed_step_just_now(self, instance_id: int, username: str) -> bool:
        """Return whether `username` completed the instance's latest completed task within
        OWN_NEXT_STEP_WINDOW. A service task after a user task runs as a job of its own
        (actor "system"), right after the user's command commits."""
        latest = self.session.execute(
            select(Task.completed_by, Task.completed_at)
            .where(Task.instance_id == instance_id, Task.state == "completed")
            .order_by(Task.completed_at.desc()).limit(1)).first()
        if latest is None or latest.completed_by != username or latest.completed_at is None:
            return False
        return self.engine.clock.now() - latest.completed_at <= OWN_NEXT_STEP_WINDOW

    def task_reminder(self, task: Task, recipient: str) -> None:
        self._queue("task_reminder", task, recipient)

    def task_escalated(self, task: Task, recipient: str) -> None:
        self._queue("task_escalated", task, recipient)

    def _queue(self, kind: str, task: Task, recipient: str) -> None:
        config = self.engine.config
        now = self.engine.clock.now()
        self.session.add(Notification(
            kind=kind, recipient=recipient, instance_id=task.instance_id, task_id=task.id,
            status="pending", due_at=now, attempts=0,
            max_attempts=int(config["MAIL_MAX_ATTEMPTS"]), created_at=now))

    # --- sending, from the scheduler -----------------------------------------------------

    def pending(self, instance_id: int | None = None) -> list[Notification]:
        query = select(Notification).where(Notification.status == "pending") \
            .order_by(Notification.id)
        if instance_id is not None:
            query = query.where(Notification.instance_id == instance_id)
        return list(self.session.scalars(query))

    def deliver_due(self, worker: str, batch: int = 100) -> int:
        """Send every notification due now; returns how many went out."""
        sent = 0
        for notification_id in self._claim(worker, batch):
            with bound_request_id(f"notification-{notification_id}"):
                try:
                    sent += self._deliver(notification_id, worker)
                except Exception as error:  # a broken row must not stop the others
                    log.exception("notification could not be composed id=%s",
                                  notification_id)
                    self._failed(notification_id, error)
        return sent

    def _claim(self, worker: str, batch: int) -> list[int]:
        now = self.engine.clock.now()
        expires = now + timedelta(seconds=int(self.engine.config["CLAIM_TIMEOUT_SECONDS"]))
        with self.transaction() as session:
            query = (select(Notification.id)
                     .where(Notification.status == "pending", Notification.due_at <= now)
                     .where(or_(Notification.claim_expires_at.is_(None),
                                Notification.claim_expires_at < now))
                     .order_by(Notification.due_at, Notification.id).limit(batch))
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list(session.scalars(query))
            if ids:
                session.execute(update(Notification).where(Notification.id.in_(ids))
                                .values(claimed_by=worker, claim_expires_at=expires))
        return ids

    def _deliver(self, notification_id: int, worker: str) -> int:
        """Compose and send one claimed notification; returns 1 when it went out.

        The SMTP conversation happens outside any transaction, so a slow mail server never
        holds a database lock.
        """
        with self.transaction() as session:
            notification = session.get(Notification, notification_id)
            if notification is None or notification.claimed_by != worker or \
                    notification.status != "pending":
                return 0
            outcome = self._compose(notification)
            if isinstance(outcome, str):
                self._finish(notification, "skipped", outcome)
                return 0

        try:
            delivered = self.engine.mailer.send(outcome.address, outcome.subject, outcome.body)
        except (OSError, smtplib.SMTPException) as error:
            self._failed(notification_id, error)
            return 0

        with self.transaction() as session:
            notification = session.get(Notification, notification_id)
            if notification is None:
                return 0
            if delivered:
                self._finish(notification, "sent", None)
                return 1
            self._finish(notification, "skipped", "no-smtp-host")
            return 0

    def _compose(self, notification: Notification) -> MailMessage | str:
        """Return the message to send, or the reason (an audit code) not to send one."""
        session = self.session
        task = session.get(Task, notification.task_id)
        if task is None or task.state != "open":
            return "task-closed"
        if notification.kind == "task_assigned" and task.assignee != notification.recipient:
            return "assignee-changed"
        user = self.engine.organisation.find_user(notification.recipient)
        if user is None or not user.active or not user.email:
            return "no-address"
        instance = session.get(ProcessInstance, task.instance_id)
        if instance is None:
            return "task-closed"

        locale = user.locale or self.engine.config.get("DEFAULT_LOCALE", DEFAULT_LOCALE)
        with use_locale(locale):
            subject, body = self._text(notification.kind, task, instance)
        return MailMessage(user.email, subject, body)

    def _text(self, kind: str, task: Task, instance: ProcessInstance) -> tuple[str, str]:
        definition = self.engine.repository.cached_definition(instance.definition_id)
        step = self._step_name(instance.definition_id, task)
        due = task.due_at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M") if task.due_at else None

        if kind == "task_reminder":
            subject = _("Reminder: %(step)s is due %(due)s", step=step, due=due or "-")
            opening = _("This is a reminder of a task you have in Sløyfe.")
        elif kind == "task_escalated":
            subject = _("Overdue task sent to you: %(step)s", step=step)
            opening = _("A task has passed its deadline and is now also in your task list.")
        else:
            subject = _("New task for you: %(step)s", step=step)
            opening = _("You have been given a task in Sløyfe.")

        facts = [_("Process: %(process)s", process=definition.name),
                 _("Step: %(step)s", step=step)]
        if instance.business_key and GENERATED_CASE_NUMBER.fullmatch(instance.business_key):
            facts.append(_("Case number: %(number)s", number=instance.business_key))
        if due:
            facts.append(_("Deadline: %(due)s", due=due))
        link = self.engine.config["BASE_URL"].rstrip("/") + f"/oppgaver/{task.id}"
        body = "\n\n".join([
            opening,
            "\n".join(facts),
            _("Open the task:") + "\n" + link,
            _("The details of the case are not in this e-mail. Log in to read them."),
            _("This message was sent by Sløyfe."),
        ])
        return subject, body

    def _step_name(self, definition_id: int, task: Task) -> str:
        """Return the BPMN name of the task's element: Task.name may end with a title taken
        from the case's data."""
        compiled = self.engine.specs.get(definition_id)
        # A multi-instance task has two specs with the element's id, and only the spec of
        # each instance carries the name.
        for process_spec in (compiled.spec, *compiled.subprocess_specs.values()):
            for task_spec in process_spec.task_specs.values():
                name = getattr(task_spec, "bpmn_name", None)
                if name and getattr(task_spec, "bpmn_id", None) == task.element_id:
                    return str(name)
        return task.element_id

    def _finish(self, notification: Notification, status: str, reason: str | None) -> None:
        notification.status = status
        notification.claimed_by = None
        notification.claim_expires_at = None
        details: dict[str, str] = {"recipient": notification.recipient,
                                   "kind": notification.kind}
        if status == "sent":
            notification.sent_at = self.engine.clock.now()
            action = "mail_sent"
        else:
            details["reason"] = reason or status
            action = "mail_not_sent" if status == "skipped" else "mail_failed"
        self.engine.history.record(action, "system", instance_id=notification.instance_id,
                                   task_id=notification.task_id, **details)
        log.info("notification %s id=%s kind=%s instance_id=%s task_id=%s reason=%s", status,
                 notification.id, notification.kind, notification.instance_id,
                 notification.task_id, reason or "-")

    def _failed(self, notification_id: int, error: BaseException) -> None:
        """Count a failed attempt; retry with backoff, or give up after the last attempt."""
        with self.transaction() as session:
            notification = session.get(Notification, notification_id)
            if notification is None:
                return
            notification.attempts += 1
            notification.last_error = f"{type(error).__name__}: {error}"[:2000]
            notification.claimed_by = None
            notification.claim_expires_at = None
            if notification.attempts >= notification.max_attempts:
                log.error("notification failed id=%s attempts=%s error=%s", notification.id,
                          notification.attempts, type(error).__name__)
                self._finish(notification, "failed", "smtp-error")
                return
            backoff = int(self.engine.config["MAIL_BACKOFF_SECONDS"]) * \
                2 ** (notification.attempts - 1)
            notification.due_at = self.engine.clock.now() + timedelta(seconds=backoff)
            log.warning("notification retry scheduled id=%s attempt=%s in_s=%s error=%s",
                        notification.id, notification.attempts, backoff, type(error).__name__)
