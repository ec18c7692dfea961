"""Display formats of dates, deadlines, priorities and statuses.

Dates are dd.mm.åååå and times HH:MM in Europe/Oslo (the TIMEZONE setting) in both
languages, as in the municipality's other systems.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext

# Lowest priority of each level; a task below every level is "Lav".
PRIORITY_LEVELS = ((90, lazy_gettext("Critical")), (70, lazy_gettext("High")),
                   (40, lazy_gettext("Normal")))
PRIORITY_LOW = lazy_gettext("Low")

# The engine's instance statuses, for cases whose process sets no status of its own.
INSTANCE_STATUS_NAMES = {
    "running": lazy_gettext("In progress"),
    "completed": lazy_gettext("Completed"),
    "terminated": lazy_gettext("Cancelled"),
    "suspended": lazy_gettext("On hold"),
}


class DueState(Enum):
    NONE = ""
    SOON = "soon"
    OVERDUE = "overdue"


def _zone() -> ZoneInfo:
    return ZoneInfo(str(current_app.config.get("TIMEZONE", "Europe/Oslo")))


def format_date(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(_zone()).strftime("%d.%m.%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(_zone()).strftime("%d.%m.%Y %H:%M")


def iso_datetime(value: datetime | None) -> str:
    """Format an instant for the datetime attribute of a <time> element."""
    return value.isoformat() if value is not None else ""


def priority_label(priority: int | None) -> str:
    value = priority if priority is not None else 50
    for lowest, label in PRIORITY_LEVELS:
        if value >= lowest:
            return str(label)
    return str(PRIORITY_LOW)


def due_state(due_at: datetime | None, now: datetime, soon_hours: float) -> DueState:
    if due_at is None:
        return DueState.NONE
    if due_at <= now:
        return DueState.OVERDUE
    if due_at - now <= timedelta(hours=soon_hours):
        return DueState.SOON
    return DueState.NONE


def due_label(state: DueState) -> str:
    if state is DueState.OVERDUE:
        return _("Deadline passed")
    if state is DueState.SOON:
        return _("Deadline soon")
    return ""


def case_status(case_status_text: str | None, instance_status: str) -> str:
    """Return the process's own status (Meldt, Under behandling …), else the engine's status
    in words."""
    if case_status_text:
        return case_status_text
    name = INSTANCE_STATUS_NAMES.get(instance_status)
    return str(name) if name is not None else instance_status


def init_formatting(app: Flask) -> None:
    app.add_template_filter(format_date)
    app.add_template_filter(format_datetime)
    app.add_template_filter(iso_datetime)
    app.add_template_filter(priority_label)
    app.add_template_filter(due_label)
