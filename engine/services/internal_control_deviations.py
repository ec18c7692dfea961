"""The deviation section of the internal-control report, read from the rows of the cases.

A deviation belongs to the year it was reported in (the case's start, Oslo time). Its kind is
the reporter's `kategori`, its severity the handler's `alvorlighetsgrad` from the assessment
(Vurder avvik), or the reporter's until the assessment is done, and its unit the case's unit,
which follows a transfer. Neither the process state nor a free-text field is read.

The measures are the tasks of the step GjennomforTiltak. A measure is open at an instant when
its task was created before it and finished after it, and overdue when it is open after its
deadline. A measure is on time when its task was completed by its deadline.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from engine.errors import DefinitionNotFound
from engine.models import ProcessInstance, Task, Unit
from engine.runtime.timeexpr import OSLO
from engine.services.annual_wheel_timers import year_bounds

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

PROCESS = "avvik"
REPORT_FORM = "avvik-meld"
ASSESSMENT = "VurderAvvik"
MEASURE = "GjennomforTiltak"
KIND_FIELD = "kategori"
SEVERITY_FIELD = "alvorlighetsgrad"
# The months of each tertial, as the budget's tertial reports count them.
TERTIALS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12))


@dataclass(frozen=True)
class CountRow:
    """A count this year and in the year before, for one value (kind, severity, status)."""

    key: str
    label: str
    count: int
    previous: int


@dataclass(frozen=True)
class PeriodCount:
    """A count for a month (1–12) or a tertial (1–3), this year and the year before."""

    number: int
    count: int
    previous: int


@dataclass(frozen=True)
class MeasureRow:
    case_id: int
    case_key: str
    title: str
    unit_name: str | None
    due_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class DeviationSection:
    confidential: bool
    total: int
    previous_total: int
    by_kind: list[CountRow] = field(default_factory=list)
    by_severity: list[CountRow] = field(default_factory=list)
    by_status: list[CountRow] = field(default_factory=list)
    # Cases per unit code, this year and the year before; "" for cases without a unit.
    by_unit: dict[str, tuple[int, int]] = field(default_factory=dict)
    by_month: list[PeriodCount] = field(default_factory=list)
    by_tertial: list[PeriodCount] = field(default_factory=list)
    open_measures: list[MeasureRow] = field(default_factory=list)
    overdue_measures: int = 0
    completed_measures: int = 0
    completed_on_time: int = 0

    @property
    def on_time_share(self) -> float | None:
        """The share (0–1) of the measures completed in the year that kept their deadline."""
        if not self.completed_measures:
            return None
        return self.completed_on_time / self.completed_measures


@dataclass
class _Case:
    started_at: datetime
    kind: str
    severity: str
    status: str
    unit_code: str


def deviation_section(engine: ProcessEngine, unit_ids: frozenset[int] | None, year: int,
                      as_of: datetime, confidential: bool) -> DeviationSection:
    """Count the deviations of `year` and the year before in the units `unit_ids` (None: all).

    Runs inside the caller's transaction. For a confidential process only the number of cases
    is read.
    """
    begin, end = year_bounds(year)
    previous_begin, _previous_end = year_bounds(year - 1)
    if confidential:
        return DeviationSection(True, _count(engine, unit_ids, begin, end),
                                _count(engine, unit_ids, previous_begin, begin))

    cases = _cases(engine, unit_ids, previous_begin, end)
    this_year = [case for case in cases if case.started_at >= begin]
    last_year = [case for case in cases if case.started_at < begin]
    kind_labels, severity_order = _form_options(engine)

    by_unit: dict[str, tuple[int, int]] = {}
    for code in {case.unit_code for case in cases}:
        by_unit[code] = (sum(1 for case in this_year if case.unit_code == code),
                         sum(1 for case in last_year if case.unit_code == code))

    months_now = Counter(case.started_at.astimezone(OSLO).month for case in this_year)
    months_before = Counter(case.started_at.astimezone(OSLO).month for case in last_year)
    by_month = [PeriodCount(month, months_now[month], months_before[month])
                for month in range(1, 13)]
    by_tertial = [PeriodCount(number, sum(months_now[m] for m in months),
                              sum(months_before[m] for m in months))
                  for number, months in enumerate(TERTIALS, start=1)]

    section = DeviationSection(
        False, len(this_year), len(last_year),
        by_kind=_rows(this_year, last_year, "kind", kind_labels, list(kind_labels)),
        by_severity=_rows(this_year, last_year, "severity", {}, severity_order),
        by_status=_rows(this_year, last_year, "status", {}, []),
        by_unit=by_unit, by_month=by_month, by_tertial=by_tertial)
    return _with_measures(engine, section, unit_ids, begin, end, as_of)


def _scoped(query: Any, unit_ids: frozenset[int] | None) -> Any:
    if unit_ids is None:
        return query
    return query.where(ProcessInstance.unit_id.in_(sorted(unit_ids)))


def _count(engine: ProcessEngine, unit_ids: frozenset[int] | None, begin: datetime,
           end: datetime) -> int:
    query = select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.definition_key == PROCESS, ProcessInstance.started_at >= begin,
        ProcessInstance.started_at < end)
    return int(engine.uow.session.scalar(_scoped(query, unit_ids)) or 0)


def _cases(engine: ProcessEngine, unit_ids: frozenset[int] | None, begin: datetime,
           end: datetime) -> list[_Case]:
    session = engine.uow.session
    in_period = (ProcessInstance.definition_key == PROCESS,
                 ProcessInstance.started_at >= begin, ProcessInstance.started_at < end)
    rows = session.execute(_scoped(
        select(ProcessInstance.id, ProcessInstance.started_at, ProcessInstance.case_status,
               ProcessInstance.start_data, Unit.code)
        .outerjoin(Unit, Unit.id == ProcessInstance.unit_id).where(*in_period), unit_ids))

    # The severity the handler set in the latest assessment of each case.
    assessed: dict[int, str] = {}
    assessments = session.execute(_scoped(
        select(Task.instance_id, Task.submitted_data)
        .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
        .where(*in_period, Task.element_id == ASSESSMENT, Task.state == "completed")
        .order_by(Task.completed_at, Task.id), unit_ids))
    for instance_id, submitted in assessments:
        severity = (submitted or {}).get(SEVERITY_FIELD)
        if severity:
            assessed[instance_id] = str(severity)

    cases = []
    for instance_id, started_at, status, start_data, unit_code in rows:
        data = start_data or {}
        severity = assessed.get(instance_id) or str(data.get(SEVERITY_FIELD) or "")
        cases.append(_Case(started_at, str(data.get(KIND_FIELD) or ""), severity,
                           status or "", unit_code or ""))
    return cases


def _form_options(engine: ProcessEngine) -> tuple[dict[str, str], list[str]]:
    """Return the labels of the kinds and the order of the severities, as the newest report
    form lists them."""
    try:
        definition = engine.repository.latest(PROCESS)
        form = engine.forms.spec(engine.repository.form_for(definition, REPORT_FORM))
    except (DefinitionNotFound, LookupError):
        return {}, []
    kinds: dict[str, str] = {}
    severities: list[str] = []
    for form_field in form.fields():
        values = getattr(form_field, "values", None) or []
        if form_field.data_path == KIND_FIELD:
            kinds = {str(option.value): option.label for option in values}
        elif form_field.data_path == SEVERITY_FIELD:
            severities = [str(option.value) for option in values]
    # The form lists the severities from the least to the most serious; the report leads
    # with the most serious.
    return kinds, list(reversed(severities))


def _rows(this_year: list[_Case], last_year: list[_Case], attribute: str,
          labels: dict[str, str], order: list[str]) -> list[CountRow]:
    """Count the cases by one attribute. The values in `order` come first, in that order,
    even when no case has them; other values follow by count."""
    now = Counter(getattr(case, attribute) for case in this_year)
    before = Counter(getattr(case, attribute) for case in last_year)
    extra = sorted((key for key in set(now) | set(before) if key not in order),
                   key=lambda key: (-now[key], key))
    return [CountRow(key, labels.get(key, key), now[key], before[key])
            for key in [*order, *extra]]


def _with_measures(engine: ProcessEngine, section: DeviationSection,
                   unit_ids: frozenset[int] | None, begin: datetime, end: datetime,
                   as_of: datetime) -> DeviationSection:
    session = engine.uow.session
    units = {unit.id: unit.name for unit in engine.organisation.units()}
    rows = session.execute(_scoped(
        select(Task, ProcessInstance.business_key, ProcessInstance.unit_id)
        .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
        .where(ProcessInstance.definition_key == PROCESS, Task.element_id == MEASURE,
               Task.created_at < end), unit_ids)
        .order_by(Task.due_at, Task.id))

    open_rows: list[MeasureRow] = []
    completed = on_time = 0
    for task, business_key, case_unit_id in rows:
        finished = task.completed_at
        if task.created_at <= as_of and (finished is None or finished > as_of):
            overdue = task.due_at is not None and task.due_at < as_of
            unit_id = task.unit_id or case_unit_id
            open_rows.append(MeasureRow(
                task.instance_id, business_key or str(task.instance_id),
                _measure_title(task.name), units.get(unit_id) if unit_id else None,
                task.due_at, overdue))
        if task.state == "completed" and finished is not None and begin <= finished < end:
            completed += 1
            if task.due_at is None or finished <= task.due_at:
                on_time += 1
    open_rows.sort(key=lambda row: (not row.overdue, row.due_at is None,
                                    row.due_at or as_of, row.case_id))
    return DeviationSection(
        section.confidential, section.total, section.previous_total, section.by_kind,
        section.by_severity, section.by_status, section.by_unit, section.by_month,
        section.by_tertial, open_rows, sum(1 for row in open_rows if row.overdue),
        completed, on_time)


def _measure_title(task_name: str) -> str:
    """Return the measure's own title, which the task name carries after the step name."""
    _step, separator, title = task_name.partition(" – ")
    return title if separator else task_name
