"""Text output of the sloyfe command: aligned tables, Oslo times, readable status words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine.i18n import N_, gettext
from engine.runtime.timeexpr import OSLO

INSTANCE_STATUSES = {
    "running": N_("running"), "completed": N_("completed"),
    "terminated": N_("terminated"), "suspended": N_("suspended"),
}

# Audit actions as the history of a case names them.
AUDIT_ACTIONS = {
    "instance_started": N_("case started"), "instance_completed": N_("case completed"),
    "status_changed": N_("status changed"), "task_created": N_("task created"),
    "task_claimed": N_("task assigned"), "task_unclaimed": N_("task put back"),
    "task_assigned": N_("task assigned by leader"),
    "task_reassigned": N_("task reassigned"),
    "task_delegated": N_("task delegated"), "task_completed": N_("task completed"),
    "task_cancelled": N_("task cancelled"), "task_escalated": N_("task escalated"),
    "timer_fired": N_("timer fired"), "job_completed": N_("automatic step done"),
    "job_retry_scheduled": N_("automatic step failed, retry planned"),
    "incident_created": N_("incident"), "incident_retried": N_("incident retried"),
    "mail_sent": N_("e-mail sent"), "mail_not_sent": N_("e-mail not sent"),
    "mail_failed": N_("e-mail failed"),
    "instance_anonymised": N_("case anonymised"), "instance_deleted": N_("case deleted"),
    "attachments_deleted": N_("attachments deleted"),
    "reminder_sent": N_("reminder sent"), "case_transferred": N_("case transferred"),
    "message_received": N_("message received"),
}


def local_time(value: str | datetime | None) -> str:
    """An ISO timestamp or datetime as dd.mm.åååå HH:MM in Oslo time, or '-'."""
    if not value:
        return "-"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")


def instance_status(code: str) -> str:
    return gettext(INSTANCE_STATUSES[code]) if code in INSTANCE_STATUSES else code


def audit_action(code: str) -> str:
    return gettext(AUDIT_ACTIONS[code]) if code in AUDIT_ACTIONS else code


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell, with the header row first."""
    cells = [[str(value) if value is not None else "-" for value in row] for row in rows]
    widths = [max(len(headers[i]), *(len(row[i]) for row in cells)) if cells
              else len(headers[i]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
              for row in cells]
    return "\n".join(lines)
