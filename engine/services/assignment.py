"""Who gets a new user task, when it is due and how urgent it is, from its Camunda attributes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from engine.errors import EngineError, InvalidInput
from engine.i18n import gettext as _
from engine.models import ProcessInstance, TaskCandidate
from engine.runtime import timeexpr
from engine.runtime.specs import UserTask, uses_working_days
from engine.services.organisation import split_scoped_group

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

DEFAULT_PRIORITY = 50
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class Assignment:
    assignee: str | None = None
    candidate_groups: list[str] = field(default_factory=list)
    candidate_users: list[str] = field(default_factory=list)
    unit_id: int | None = None
    due_at: datetime | None = None
    follow_up_at: datetime | None = None
    priority: int = DEFAULT_PRIORITY

    def candidate_rows(self) -> list[TaskCandidate]:
        rows = [TaskCandidate(kind="group", value=g) for g in self.candidate_groups]
        rows += [TaskCandidate(kind="user", value=u) for u in self.candidate_users]
        return rows


def resolve_assignment(engine: ProcessEngine, instance: ProcessInstance, spiff_task: Any,
                       safe: bool = False) -> Assignment:
    """Evaluate the task's attributes against its data; with `safe`, skip what fails."""
    spec: UserTask = spiff_task.task_spec
    result = Assignment(unit_id=instance.unit_id)
    evaluate = engine.script_engine.evaluate_template

    def attempt(action: Any) -> None:
        try:
            action()
        except EngineError:
            if not safe:
                raise

    def set_assignee() -> None:
        if spec.assignee:
            value = evaluate(spiff_task, spec.assignee) if "${" in spec.assignee \
                else spec.assignee
            result.assignee = str(value).strip() or None if value else None

    def set_candidates() -> None:
        groups = _names(evaluate(spiff_task, spec.candidate_groups)
                        if spec.candidate_groups and "${" in spec.candidate_groups
                        else spec.candidate_groups)
        users = _names(evaluate(spiff_task, spec.candidate_users)
                       if spec.candidate_users and "${" in spec.candidate_users
                       else spec.candidate_users)
        if not groups and not users and not spec.assignee and spec.lane_groups:
            groups = _names(evaluate(spiff_task, spec.lane_groups)
                            if "${" in spec.lane_groups else spec.lane_groups)
        result.candidate_groups = groups
        result.candidate_users = users

    def set_dates() -> None:
        now = engine.clock.now()
        working_days = uses_working_days(spiff_task)
        if spec.due_date:
            result.due_at = _instant(engine, spiff_task, spec.due_date, now, working_days)
        if spec.follow_up_date:
            result.follow_up_at = _instant(engine, spiff_task, spec.follow_up_date, now,
                                           working_days)

    def set_priority() -> None:
        if spec.priority:
            value = evaluate(spiff_task, spec.priority) if "${" in spec.priority \
                else spec.priority
            try:
                result.priority = int(value)
            except (TypeError, ValueError):
                raise InvalidInput(_("the priority %(value)s is not a whole number",
                                     value=value)) from None

    for action in (set_assignee, set_candidates, set_dates, set_priority):
        attempt(action)

    for group in result.candidate_groups:
        scoped = split_scoped_group(group)
        if scoped:
            unit = engine.organisation.find_unit(scoped[1])
            if unit is not None:
                result.unit_id = unit.id
                break
    return result


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        items = [str(v) for v in value]
    else:
        items = str(value).split(",")
    names: list[str] = []
    for item in items:
        name = item.strip()
        if name and name not in names:
            names.append(name[:128])
    return names


def _instant(engine: ProcessEngine, spiff_task: Any, text: str, now: datetime,
             working_days: bool) -> datetime | None:
    raw = text.strip()
    written = timeexpr.literal(raw)
    if written is not None:
        value: Any = written
    else:
        value = engine.script_engine.evaluate_template(spiff_task, raw)
    return due_from_value(value, now, working_days)


def due_from_value(value: Any, now: datetime, working_days: bool = False) -> datetime | None:
    """Read a due date as a process gives it: instant, date, ISO text, duration or timedelta.

    A date without a time (2027-01-20) means the end of that day in Oslo, so a task due that
    day is not overdue from its first minute.
    """
    if value is None or value == "":
        return None
    if isinstance(value, timedelta):
        return now + value
    if isinstance(value, str) and value.strip().upper().startswith("P"):
        try:
            return timeexpr.parse_duration(value).add_to(now, working_days=working_days)
        except timeexpr.TimeExpressionError:
            raise InvalidInput(_("%(value)s is not a valid ISO 8601 duration",
                                 value=value)) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        return timeexpr.end_of_day(value)
    if isinstance(value, str) and _DATE_ONLY.fullmatch(value.strip()):
        return timeexpr.end_of_day(date.fromisoformat(value.strip()))
    try:
        return timeexpr.to_utc_instant(value)
    except timeexpr.TimeExpressionError:
        raise InvalidInput(_("%(value)s is not a date or a duration", value=value)) from None
