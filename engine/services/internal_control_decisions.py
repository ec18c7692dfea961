"""The follow-up of political decisions in the internal-control report.

A decision case counts when it ran at some time in the year. Its points are the distributed
points (variable `punkter`), each with its responsible unit and deadline; before the
distribution they are the registered points, without a unit. A point's status is, in order:

1. Fullført or Utgår, from the audit event decision_point_status, or Utgår for every other
   point when the whole decision ended as Utgår (revoked);
2. Venter på politisk avklaring while the body is told of an obstacle (Orienter utvalget,
   Registrer politisk avklaring);
3. Forsinket while its implementation task has been sent to the next leader up;
4. the latest status reported for it (audit event decision_point_reported);
5. Under arbeid while its completion waits to be confirmed;
6. Ikke startet.

"Frist passert" marks an open point whose deadline (the open implementation task's, else the
distributed one) lay before the report's instant. Only audit events up to that instant count,
and the tasks are those open at that instant, so a past year's report shows the statuses at
the end of that year.
NOTE: the points themselves (their text, unit and distributed deadline) are the case's
variables of today, because the history keeps no copy of them per instant.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from engine.models import AuditEvent, ProcessInstance, Task, Unit
from engine.runtime import timeexpr
from engine.services.execution import Execution

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

PROCESS = "politisk-vedtak"
NOT_STARTED = "Ikke startet"
IN_PROGRESS = "Under arbeid"
DELAYED = "Forsinket"
DONE = "Fullført"
DROPPED = "Utgår"
AWAITING_BODY = "Venter på politisk avklaring"
# The statuses of a decision point, in the order the report lists them.
STATUSES = (NOT_STARTED, IN_PROGRESS, DELAYED, DONE, DROPPED, AWAITING_BODY)
FINAL = (DONE, DROPPED)

IMPLEMENT = "IverksettVedtak"
CONFIRM = "BekreftFullfort"
AWAITING_TASKS = ("OrienterUtvalget", "RegistrerAvklaring")
POINT_TEXT_LENGTH = 200
# The title property of the point's tasks in politisk-vedtak.bpmn ("Punkt 2: ...").
POINT_IN_NAME = re.compile(r"\bPunkt (\d+):")


@dataclass(frozen=True)
class DecisionPoint:
    case_id: int
    case_number: str
    case_title: str
    number: int
    text: str
    unit_name: str | None
    deadline: datetime | None
    status: str
    overdue: bool
    reported_per: date | None
    reported_status: str | None


@dataclass(frozen=True)
class OpenTask:
    """A task of a decision point as it stood at the report's instant."""

    element_id: str
    due_at: datetime | None
    escalated: bool


@dataclass(frozen=True)
class DecisionSection:
    confidential: bool
    cases: int
    by_status: list[tuple[str, int]] = field(default_factory=list)
    overdue: int = 0
    open_points: list[DecisionPoint] = field(default_factory=list)


def decision_section(engine: ProcessEngine, unit_ids: frozenset[int] | None, begin: datetime,
                     end: datetime, as_of: datetime, confidential: bool) -> DecisionSection:
    """Give every decision point of the cases that ran in the year its status at `as_of`.

    A point belongs to the scope when its responsible unit is in `unit_ids` (None: every
    point). Runs inside the caller's transaction.
    """
    session = engine.uow.session
    query = (select(ProcessInstance)
             .where(ProcessInstance.definition_key == PROCESS,
                    ProcessInstance.started_at < end,
                    or_(ProcessInstance.ended_at.is_(None), ProcessInstance.ended_at >= begin))
             .order_by(ProcessInstance.started_at, ProcessInstance.id))
    if confidential:
        counted = session.scalar(select(func.count()).select_from(query.subquery()))
        return DecisionSection(True, int(counted or 0))

    units = {unit.code: unit for unit in session.scalars(select(Unit))}
    points: list[DecisionPoint] = []
    cases = 0
    for instance in session.scalars(query):
        found = [point for point in _case_points(engine, instance, units, as_of)
                 if unit_ids is None or (point[1] is not None and point[1] in unit_ids)]
        if found:
            cases += 1
        points += [point for point, _unit_id in found]

    counts = Counter(point.status for point in points)
    by_status = [(status, counts[status]) for status in STATUSES]
    by_status += sorted((status, count) for status, count in counts.items()
                        if status not in STATUSES)
    open_points = [point for point in points if point.status not in FINAL]
    return DecisionSection(False, cases, by_status,
                           sum(1 for point in open_points if point.overdue), open_points)


def _case_points(engine: ProcessEngine, instance: ProcessInstance, units: dict[str, Unit],
                 as_of: datetime) -> list[tuple[DecisionPoint, int | None]]:
    execution = Execution.load(engine, instance.id, None, lock=False, instance=None)
    variables = execution.current_data()
    raw_points = variables.get("punkter") or [
        {"nr": number, "tekst": text} for number, text in
        enumerate(_registered_texts(variables.get("vedtakspunkter")), start=1)]

    final: dict[int, str] = {}
    reported: dict[int, tuple[date | None, str]] = {}
    events = engine.uow.session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == instance.id, AuditEvent.at <= as_of,
                                 AuditEvent.action.in_(("decision_point_status",
                                                        "decision_point_reported")))
        .order_by(AuditEvent.id))
    for event in events:
        details = event.details or {}
        number = _number(details.get("point"))
        if number is None or not details.get("status"):
            continue
        if event.action == "decision_point_status":
            final[number] = str(details["status"])
        else:
            reported[number] = (_date(details.get("per")), str(details["status"]))

    open_by_point = _tasks_open_at(engine, execution, instance.id, as_of)
    revoked = instance.status != "running" and instance.case_status == DROPPED \
        and instance.ended_at is not None and instance.ended_at <= as_of
    case_number = str(variables.get("politisk_saksnummer") or instance.business_key
                      or instance.id)
    result = []
    for raw in raw_points:
        if not isinstance(raw, dict):
            continue
        number = _number(raw.get("nr")) or 0
        tasks = open_by_point.get(number, [])
        report = reported.get(number)
        status = _status(final.get(number), revoked, tasks, report)
        deadline = _deadline(raw, tasks)
        unit = units.get(str(raw.get("enhet") or ""))
        text = str(raw.get("tekst") or "").strip()
        result.append((DecisionPoint(
            instance.id, case_number, instance.title or "", number,
            text[:POINT_TEXT_LENGTH], unit.name if unit else None, deadline, status,
            status not in FINAL and deadline is not None and deadline < as_of,
            report[0] if report else None, report[1] if report else None),
            unit.id if unit else None))
    return result


def _tasks_open_at(engine: ProcessEngine, execution: Execution, instance_id: int,
                   as_of: datetime) -> dict[int, list[OpenTask]]:
    """Return the tasks of the case that were open at `as_of`, by point number.

    A task counts as open from its creation until it was completed or cancelled (both set
    completed_at), and as escalated once a task_escalated audit event was recorded for it.
    """
    session = engine.uow.session
    rows = list(session.scalars(
        select(Task).where(Task.instance_id == instance_id, Task.created_at <= as_of,
                           or_(Task.completed_at.is_(None), Task.completed_at > as_of))
        .order_by(Task.created_at, Task.id)))
    escalated = set(session.scalars(
        select(AuditEvent.task_id).where(AuditEvent.instance_id == instance_id,
                                         AuditEvent.action == "task_escalated",
                                         AuditEvent.at <= as_of)))

    by_point: dict[int, list[OpenTask]] = {}
    for row in rows:
        number = _task_point(execution, row)
        if number is None:
            continue
        by_point.setdefault(number, []).append(
            OpenTask(row.element_id, row.due_at, row.id in escalated))
    return by_point


def _task_point(execution: Execution, task: Task) -> int | None:
    """Return the number of the point a task follows up.

    The task's data in the workflow holds the point. When the workflow no longer holds the
    task, the number comes from the task name, which the title property of the diagram
    starts with "Punkt <nr>:".
    """
    spiff_task = execution.spiff_task(task.id)
    if spiff_task is not None:
        point = spiff_task.data.get("punkt") or {}
        return _number(point.get("nr")) if isinstance(point, dict) else None
    match = POINT_IN_NAME.search(task.name or "")
    return int(match.group(1)) if match else None


def _status(final: str | None, revoked: bool, tasks: list[OpenTask],
            report: tuple[date | None, str] | None) -> str:
    if final:
        return final
    if revoked:
        return DROPPED
    elements = {task.element_id for task in tasks}
    if elements & set(AWAITING_TASKS):
        return AWAITING_BODY
    if any(task.element_id == IMPLEMENT and task.escalated for task in tasks):
        return DELAYED
    if report is not None:
        return report[1]
    if CONFIRM in elements:
        return IN_PROGRESS
    return NOT_STARTED


def _deadline(point: dict[str, Any], tasks: list[OpenTask]) -> datetime | None:
    for task in tasks:
        if task.element_id == IMPLEMENT and task.due_at is not None:
            return task.due_at
    day = _date(point.get("frist"))
    return timeexpr.end_of_day(day) if day is not None else None


def _registered_texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    texts = []
    for item in value or []:
        text = item.get("tekst") if isinstance(item, dict) else item
        if str(text or "").strip():
            texts.append(str(text).strip())
    return texts


def _number(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None
