"""The history of a case as its handlers read it: who took, handed on and completed which
task, and how the status changed.

The case page leaves out who did what, because the reporter reads it too. This history is
for the task page, which only those who handle the case may open. Technical events (timers,
jobs, e-mails, incidents) stay out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from engine.engine import ProcessEngine
from engine.models import AuditEvent, Task


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    text: str


def handler_history(engine: ProcessEngine, instance_id: int) -> list[HistoryEntry]:
    """List the case's events in the order they happened; call inside a transaction."""
    events = engine.history.events(instance_id)
    rows = engine.uow.session.execute(
        select(Task.id, Task.name).where(Task.instance_id == instance_id))
    task_names = {task_id: name for task_id, name in rows}
    people: set[str] = set()
    for event in events:
        details = event.details or {}
        people.update(name for name in (event.actor, details.get("previous"),
                                        details.get("assignee")) if isinstance(name, str))
    names = engine.organisation.display_names(people)
    groups = {group: engine.organisation.describe_group(group) for event in events
              if event.action == "task_escalated"
              for group in [(event.details or {}).get("group")] if isinstance(group, str)}

    entries = []
    for event in events:
        text = _event_text(event, task_names.get(event.task_id or "", ""), names, groups)
        if text:
            entries.append(HistoryEntry(event.at, text))
    return entries


def _event_text(event: AuditEvent, task: str, names: dict[str, str],
                groups: dict[str, str]) -> str:
    details: dict[str, Any] = event.details or {}

    def name(username: Any) -> str:
        return names.get(username, username) if isinstance(username, str) else ""

    actor = name(event.actor)
    action = event.action
    if action == "instance_started":
        return _("%(actor)s registered the case.", actor=actor)
    if action == "status_changed" and details.get("status"):
        return _("Status changed to %(status)s.", status=details["status"])
    if action == "task_created":
        return _("New task: %(task)s.", task=task)
    if action == "task_claimed":
        return _("%(actor)s took the task %(task)s.", actor=actor, task=task)
    if action == "task_unclaimed":
        return _("%(actor)s put the task %(task)s back.", actor=actor, task=task)
    if action == "task_delegated":
        return _("%(actor)s delegated the task %(task)s to %(assignee)s.", actor=actor,
                 task=task, assignee=name(details.get("assignee")))
    if action in ("task_reassigned", "task_assigned"):
        if details.get("previous"):
            return _("%(actor)s reassigned the task %(task)s from %(previous)s to "
                     "%(assignee)s.", actor=actor, task=task,
                     previous=name(details["previous"]), assignee=name(details.get("assignee")))
        return _("%(actor)s assigned the task %(task)s to %(assignee)s.", actor=actor,
                 task=task, assignee=name(details.get("assignee")))
    if action == "task_completed":
        return _("%(actor)s completed the task %(task)s.", actor=actor, task=task)
    if action == "task_cancelled":
        return _("The task %(task)s was cancelled.", task=task)
    if action == "task_escalated":
        return _("The task %(task)s was sent to %(group)s.", task=task,
                 group=groups.get(details.get("group") or "", ""))
    if action == "attachment_added":
        return _("%(actor)s attached a file at the task %(task)s.", actor=actor, task=task)
    if action == "attachment_deleted":
        return _("%(actor)s deleted an attachment at the task %(task)s.", actor=actor,
                 task=task)
    if action == "reminder_sent":
        return _("A reminder about the task %(task)s was sent.", task=task)
    if action == "case_transferred":
        return _("The case was transferred to another unit.")
    if action == "instance_completed":
        return _("The case was closed.")
    return ""
