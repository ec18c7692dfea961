"""The timers that a deployed diagram itself fixes in the calendar, expanded over one year.

Timer start events count however they are written, as the scheduler reads them (see
start_timers). Boundary and intermediate timers count when their timeDate or timeCycle is an
ISO 8601 literal that needs no process variable. Durations and cycles without a start date
count from the moment an instance reaches them, so only running instances show those.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lxml import etree

from engine.runtime import expressions, timeexpr
from engine.runtime.calendar import WORKING_DAYS
from engine.runtime.sandbox_rules import SandboxError
from engine.runtime.specs import ClockCycle, ClockDuration, ClockTimeDate
from engine.services import start_timers

if TYPE_CHECKING:
    from engine.engine import ProcessEngine
    from engine.models import ProcessDefinition
    from engine.runtime.compiler import CompiledProcess

log = logging.getLogger(__name__)

# Kinds of entries in the annual wheel.
START = "start"
LEGAL_DEADLINE = "legal_deadline"
REVIEW = "review"
CASE_DEADLINE = "case_deadline"
REMINDER = "reminder"
ESCALATION = "escalation"
KINDS = (START, LEGAL_DEADLINE, REVIEW, CASE_DEADLINE, REMINDER, ESCALATION)

# The element property that sets an entry's kind, or leaves the element out of the wheel.
KIND_PROPERTY = "arshjul"
PROPERTY_KINDS = {"oppstart": START, "lovfrist": LEGAL_DEADLINE, "gjennomgang": REVIEW,
                  "frist": CASE_DEADLINE, "paaminnelse": REMINDER, "eskalering": ESCALATION}
HIDDEN = "skjul"
# The element property with the day and month that the element's deadline falls on every
# year ("22.02", or ISO 8601 "--02-22"), such as a legal deadline whose exact date a running
# case computes from its variables.
YEARLY_DATE_PROPERTY = "arshjul.dato"
# The element property with the ISO 8601 period ("P1Y") after which a recurring review comes
# again, counted from when the case last passed the element, or from its start.
INTERVAL_PROPERTY = "arshjul.intervall"

# Steps a cycle may take to reach the year asked for, so a short period that began long ago
# cannot keep a request busy. It covers a daily cycle over 270 years.
MAX_CYCLE_STEPS = 100_000

EMBEDDED_SUBPROCESS_TAGS = ("subProcess", "transaction")

# Sandbox functions a timer expression may name and still give the same value whenever it
# is evaluated; now() and today() are left out.
CONSTANT_NAMES = frozenset({"date", "datetime", "time", "timedelta", "str", "int", "min",
                            "max", "abs", "round"})


@dataclass(frozen=True)
class DiagramTimer:
    """One firing of a timer that the diagram fixes, before scope and viewer are applied."""

    at: datetime
    element_id: str
    title: str
    kind: str
    step: str | None = None
    # True for a date from `arshjul.dato`: a case's own date for the element replaces it.
    yearly: bool = False


@dataclass(frozen=True)
class Firings:
    """The firings of one timer within a year; `more` is true when some were left out."""

    times: list[datetime]
    more: bool = False


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """Return the first instant of `year` and of the year after, in Oslo time, as UTC."""
    begin = datetime.combine(date(year, 1, 1), time(0, 0), timeexpr.OSLO)
    end = datetime.combine(date(year + 1, 1, 1), time(0, 0), timeexpr.OSLO)
    return begin.astimezone(UTC), end.astimezone(UTC)


def cycle_firings(first: datetime, repetitions: int | None, period: timeexpr.Duration,
                  begin: datetime, end: datetime, *, working_days: bool = False,
                  max_firings: int) -> Firings:
    """List the firings of a cycle in [begin, end), each counted from the one before it.

    `repetitions` is the number of firings in all, starting with `first` (None is unbounded).
    Counting each from the previous one is what the scheduler does, so a monthly cycle from
    31 January runs 28 February, then 28 March.
    """
    if repetitions == 0 or period.is_zero():
        return Firings([])
    due, fired = first, 0
    exact = _exact_length(period)
    if exact is not None and due < begin and not working_days:
        skipped = (begin - due) // exact
        if repetitions is not None:
            skipped = min(skipped, repetitions - 1)
        due, fired = due + skipped * exact, skipped

    times: list[datetime] = []
    steps = 0
    while due < end and (repetitions is None or fired < repetitions):
        if due >= begin:
            if len(times) == max_firings:
                return Firings(times, more=True)
            times.append(due)
        due = period.add_to(due, working_days=working_days)
        fired += 1
        steps += 1
        if steps > MAX_CYCLE_STEPS:
            log.warning("annual wheel stopped a cycle first=%s steps=%s", first.isoformat(),
                        steps)
            return Firings(times, more=True)
    return Firings(times)


def case_cycle_firings(spec: Any, next_due: datetime, begin: datetime, end: datetime,
                       max_firings: int) -> Firings:
    """List the firings in [begin, end) of a cycle that a case waits on, from its next due
    time on, as the engine counts them (each from the previous one).

    Only an unbounded cycle written as a literal can be counted on. The firings left of a
    bounded one are kept in the case's state, so for it, and for any other timer, the next
    due time is all that is known.
    """
    event = getattr(spec, "event_definition", None)
    text = timeexpr.literal((getattr(event, "expression", None) or "").strip())
    if isinstance(event, ClockCycle) and text is not None:
        try:
            cycle = timeexpr.parse_cycle(text)
        except timeexpr.TimeExpressionError:
            cycle = None
        if cycle is not None and cycle.repetitions is None:
            return cycle_firings(next_due, None, cycle.period, begin, end,
                                 working_days=_uses_working_days(spec),
                                 max_firings=max_firings)
    return _one_firing(next_due, begin, end)


def _exact_length(period: timeexpr.Duration) -> timedelta | None:
    """Return the length of a period made only of hours, minutes and seconds, else None."""
    if period.years or period.months or period.weeks or period.days:
        return None
    return timedelta(hours=period.hours, minutes=period.minutes, seconds=period.seconds)


def diagram_timers(engine: ProcessEngine, definition: ProcessDefinition,
                   compiled: CompiledProcess, year: int, max_firings: int
                   ) -> tuple[list[DiagramTimer], list[str]]:
    """Return the firings within `year` of the timers the diagram fixes, and the titles of
    the timers that fire more often than `max_firings` times in it."""
    begin, end = year_bounds(year)
    found = yearly_dates(definition, compiled, year)
    crowded: list[str] = []
    dated = {timer.element_id for timer in found}
    for spec in _timer_specs(compiled):
        if spec.bpmn_id in dated:
            continue
        kind = element_kind(spec)
        if kind is None or (kind == ESCALATION and followed_task(compiled, spec) is not None):
            continue
        try:
            firings = _spec_firings(engine, definition, spec, begin, end, max_firings)
        except (timeexpr.TimeExpressionError, SandboxError) as error:
            log.warning("annual wheel skipped an unreadable timer key=%s element=%s error=%s",
                        definition.key, spec.bpmn_id, type(error).__name__)
            continue
        title = element_title(compiled, spec)
        step = element_step(compiled, spec)
        found += [DiagramTimer(at, spec.bpmn_id, title, kind, step) for at in firings.times]
        if firings.more:
            crowded.append(title)
    return found, crowded


def yearly_dates(definition: ProcessDefinition, compiled: CompiledProcess, year: int
                 ) -> list[DiagramTimer]:
    """Return an entry in `year` for each element with the property `arshjul.dato`, at the
    end of that day in Oslo, as a deadline in a case falls (timeexpr.end_of_day).

    Such an entry is a legal deadline unless `arshjul` sets another kind. A value that names
    no day in the year (30.02, or 29.02 outside a leap year) is logged and left out.
    """
    found = []
    for element, text in _elements_with(compiled, YEARLY_DATE_PROPERTY):
        kind = element_kind(element, LEGAL_DEADLINE)
        if kind is None:
            continue
        day = day_in_year(text, year)
        if day is None:
            log.warning("annual wheel skipped a yearly date key=%s element=%s value=%r "
                        "year=%s", definition.key, element.bpmn_id, text[:20], year)
            continue
        found.append(DiagramTimer(timeexpr.end_of_day(day), element.bpmn_id,
                                  element_title(compiled, element), kind,
                                  element_step(compiled, element), yearly=True))
    return found


def review_intervals(compiled: CompiledProcess) -> list[tuple[str, timeexpr.Duration]]:
    """Return the element ids and periods of the elements with `arshjul.intervall`.

    A value that is not an ISO 8601 duration is logged and left out.
    """
    found = []
    for element, text in _elements_with(compiled, INTERVAL_PROPERTY):
        try:
            period = timeexpr.parse_duration(text)
        except timeexpr.TimeExpressionError:
            log.warning("annual wheel skipped a review interval process=%s element=%s "
                        "value=%r", compiled.process_id, element.bpmn_id, text[:20])
            continue
        if not period.is_zero():
            found.append((str(element.bpmn_id), period))
    return found


def _elements_with(compiled: CompiledProcess, name: str) -> list[tuple[Any, str]]:
    """Return the specs of the process and its embedded subprocesses that set the element
    property `name`, each with the property's value."""
    found = []
    for spec in _process_specs(compiled):
        for element in spec.task_specs.values():
            extensions = getattr(element, "extensions", None) or {}
            text = str(extensions.get(name) or "").strip()
            if text:
                found.append((element, text))
    return found


def day_in_year(text: str, year: int) -> date | None:
    """Return the day that "22.02" or "--02-22" names in `year`, or None if it names none."""
    if text.startswith("--"):
        month_text, _separator, day_text = text[2:].partition("-")
    else:
        day_text, _separator, month_text = text.partition(".")
    if not all(part.isascii() and part.isdigit() for part in (day_text, month_text)):
        return None
    try:
        return date(year, int(month_text), int(day_text))
    except ValueError:
        return None


def _spec_firings(engine: ProcessEngine, definition: ProcessDefinition, spec: Any,
                  begin: datetime, end: datetime, max_firings: int) -> Firings:
    start_timer = getattr(spec, "start_timer", None)
    if start_timer is not None:
        return _start_firings(engine, definition, start_timer, begin, end, max_firings)

    event = spec.event_definition
    text = fixed_text(engine, event)
    if text is None:
        return Firings([])  # needs process variables: only instances know the date
    if isinstance(event, ClockTimeDate):
        return _one_firing(timeexpr.parse_instant(text), begin, end)
    if isinstance(event, ClockCycle):
        cycle = timeexpr.parse_cycle(text)
        if cycle.start is None:
            return Firings([])  # counted from when an instance reaches it
        return cycle_firings(cycle.start, cycle.repetitions, cycle.period, begin, end,
                             working_days=_uses_working_days(spec), max_firings=max_firings)
    return Firings([])


def _start_firings(engine: ProcessEngine, definition: ProcessDefinition, timer: Any,
                   begin: datetime, end: datetime, max_firings: int) -> Firings:
    """Return the firings of a timer start event as the scheduler plans them from the
    moment the version was deployed (an expression is evaluated as of then, too)."""
    deployed = definition.deployed_at
    text = start_timers.timer_text(engine, timer, deployed)
    if isinstance(timer, ClockTimeDate):
        return _one_firing(timeexpr.parse_instant(text), begin, end)
    if isinstance(timer, ClockDuration):
        return _one_firing(timeexpr.parse_duration(text).add_to(deployed), begin, end)
    if isinstance(timer, ClockCycle):
        cycle = timeexpr.parse_cycle(text)
        return cycle_firings(cycle.first_due(deployed), cycle.repetitions, cycle.period, begin,
                             end, max_firings=max_firings)
    return Firings([])


def _one_firing(at: datetime, begin: datetime, end: datetime) -> Firings:
    return Firings([at] if begin <= at < end else [])


def _uses_working_days(spec: Any) -> bool:
    return (getattr(spec, "extensions", None) or {}).get("kalender") == WORKING_DAYS


def _process_specs(compiled: CompiledProcess) -> list[Any]:
    """Return the specs of the process and of its embedded subprocesses.

    Called processes are deployed definitions of their own, so their elements are theirs.
    """
    embedded = {str(node.get("id")) for tag in EMBEDDED_SUBPROCESS_TAGS
                for node in compiled.root.xpath(f".//*[local-name()='{tag}']")}
    return [compiled.spec] + [sub for key, sub in compiled.subprocess_specs.items()
                              if key in embedded and sub is not None]


def _timer_specs(compiled: CompiledProcess) -> list[Any]:
    """Return the specs with a timer, of the process and of its embedded subprocesses."""
    timers = []
    for process_spec in _process_specs(compiled):
        for spec in process_spec.task_specs.values():
            if getattr(spec, "start_timer", None) is not None or isinstance(
                    getattr(spec, "event_definition", None),
                    (ClockTimeDate, ClockDuration, ClockCycle)):
                timers.append(spec)
    return timers


def find_spec(compiled: CompiledProcess, element_id: str) -> Any | None:
    """Return the task spec of `element_id` in the process or an embedded subprocess."""
    for process_spec in (compiled.spec, *compiled.subprocess_specs.values()):
        if process_spec is None:
            continue
        for spec in process_spec.task_specs.values():
            if getattr(spec, "bpmn_id", None) == element_id:
                return spec
    return None


def element_kind(spec: Any, default: str | None = None) -> str | None:
    """Return the kind of entry an element makes, or None when it stays out of the wheel.

    The element property `arshjul` decides when set. Otherwise an element with a yearly date
    (`arshjul.dato`) is a legal deadline, a start timer a start, a cycle a recurring review,
    and any other timer a legal deadline (or `default`).
    """
    extensions = getattr(spec, "extensions", None) or {}
    chosen = str(extensions.get(KIND_PROPERTY, "")).strip().lower()
    if chosen == HIDDEN:
        return None
    if chosen in PROPERTY_KINDS:
        return PROPERTY_KINDS[chosen]
    if str(extensions.get(YEARLY_DATE_PROPERTY) or "").strip():
        return LEGAL_DEADLINE
    if getattr(spec, "start_timer", None) is not None:
        return START
    if default is not None:
        return default
    if isinstance(getattr(spec, "event_definition", None), ClockCycle):
        return REVIEW
    return LEGAL_DEADLINE


def case_timer_kind(engine: ProcessEngine, compiled: CompiledProcess | None, spec: Any,
                    timer_kind: str, due_at: datetime, task_due: datetime | None
                    ) -> str | None:
    """Return the kind of entry a waiting timer of a case makes, or None to leave it out.

    `task_due` is the due date of the open task that the timer follows up (see
    followed_task), if any. A timer the diagram fixes keeps the kind it has in the diagram.
    Any other is a recurring review when it is a cycle. A follow-up of a task is a reminder
    when it fires before the task's due date and an escalation from then on. Anything else
    is a deadline of the case. `arshjul` on the element sets another kind.

    An escalation that follows up a task with a due date is left out, because that due date
    is the deadline the wheel shows.
    """
    followed = followed_task(compiled, spec) if compiled is not None else None
    if _is_fixed(engine, spec):
        kind = element_kind(spec)
    elif timer_kind == ClockCycle.__name__:
        kind = element_kind(spec, REVIEW)
    elif followed is not None and task_due is not None:
        kind = element_kind(spec, REMINDER if due_at < task_due else ESCALATION)
    else:
        kind = element_kind(spec, CASE_DEADLINE)
    if kind == ESCALATION and followed is not None:
        return None
    return kind


def followed_task(compiled: CompiledProcess, spec: Any) -> Any | None:
    """Return the spec of the user task that a boundary timer follows up, else None.

    A non-interrupting boundary timer on a user task with a due date leaves the task open, so
    it can only remind or escalate about that due date. An interrupting one ends the task,
    so its own date is the deadline. A task that `arshjul` hides has no deadline in the wheel
    to follow up.
    """
    if getattr(spec, "cancel_activity", True):
        return None
    nodes = compiled.root.xpath(".//*[@id=$id]", id=spec.bpmn_id)
    if not nodes or etree.QName(nodes[0]).localname != "boundaryEvent":
        return None
    task = find_spec(compiled, str(nodes[0].get("attachedToRef") or ""))
    if task is None or not getattr(task, "due_date", None):
        return None
    if element_kind(task, CASE_DEADLINE) is None:
        return None
    return task


def fixed_text(engine: ProcessEngine, event: Any) -> str | None:
    """Return the ISO 8601 text of a timer that needs no process variable, else None.

    That is a literal, or an expression that names only the date and number functions of
    the sandbox (`${date(2027, 2, 22)}`). An expression that reads the clock (now, today) or
    a variable is not fixed.
    """
    raw = (getattr(event, "expression", None) or "").strip()
    written = timeexpr.literal(raw)
    if written is not None:
        return written
    source = expressions.python_source(raw)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        return None
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    if not names <= CONSTANT_NAMES:
        return None
    return _constant_value(engine.sandbox, source)


@lru_cache(maxsize=512)
def _constant_value(sandbox: Any, source: str) -> str | None:
    try:
        # The expression names no clock function, so the moment passed is never read.
        value = sandbox.evaluate(source, {}, datetime(2000, 1, 1, tzinfo=UTC))
    except SandboxError:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _is_fixed(engine: ProcessEngine, spec: Any) -> bool:
    event = getattr(spec, "event_definition", None)
    text = fixed_text(engine, event)
    if text is None:
        return False
    if isinstance(event, ClockTimeDate):
        return True
    if isinstance(event, ClockCycle):
        try:
            return timeexpr.parse_cycle(text).start is not None
        except timeexpr.TimeExpressionError:
            return False
    return False


def element_title(compiled: CompiledProcess, spec: Any) -> str:
    """Return the element's name; for an unnamed boundary timer, the name of its activity."""
    name = (getattr(spec, "bpmn_name", None) or "").strip()
    if name:
        return name
    nodes = compiled.root.xpath(".//*[@id=$id]", id=spec.bpmn_id)
    attached = nodes[0].get("attachedToRef") if nodes else None
    if attached:
        activities = compiled.root.xpath(".//*[@id=$id]", id=attached)
        if activities and (activities[0].get("name") or "").strip():
            return str(activities[0].get("name")).strip()
    return str(spec.bpmn_id)


def element_step(compiled: CompiledProcess, spec: Any) -> str | None:
    """Return the name of the activity a named boundary timer is attached to, else None.

    An unnamed boundary timer already takes that name as its title (see element_title).
    """
    if not (getattr(spec, "bpmn_name", None) or "").strip():
        return None
    nodes = compiled.root.xpath(".//*[@id=$id]", id=spec.bpmn_id)
    attached = nodes[0].get("attachedToRef") if nodes else None
    if not attached:
        return None
    activities = compiled.root.xpath(".//*[@id=$id]", id=attached)
    name = (activities[0].get("name") or "").strip() if activities else ""
    return name or None
