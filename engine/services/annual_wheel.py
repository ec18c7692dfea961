"""The annual wheel (årshjul): every yearly timer, legal deadline and recurring review of a year.

Nothing is typed in for it. The entries come from three places:

- the timers that the newest deployed version of each process fixes in the calendar: timer
  start events, and boundary and intermediate timers with a literal date or dated cycle.
  Each is expanded into its firings within the year, which belong to the whole
  municipality. Elements with the property `arshjul.dato` add their yearly date the same
  way, so a legal deadline shows every year even when no case waits for it;
- the waiting timers of running instances, at their real due time;
- the due dates of open tasks.

Entries from instances appear only for cases the viewer may see (RuntimeService.may_see). A
timer carries the case's unit, a task its own unit (which is the case's unless a scoped
candidate group names another). A confidential process's entries never carry the case's
title or the task's title suffix.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from engine.errors import DefinitionInvalid, InvalidInput
from engine.i18n import gettext as _
from engine.models import AuditEvent, ProcessDefinition, ProcessInstance, Task, Timer, Unit
from engine.runtime.compiler import CompiledProcess
from engine.runtime.specs import ClockCycle
from engine.services.annual_wheel_timers import (
    CASE_DEADLINE,
    REVIEW,
    DiagramTimer,
    Firings,
    case_cycle_firings,
    case_timer_kind,
    diagram_timers,
    element_kind,
    element_step,
    element_title,
    find_spec,
    followed_task,
    review_intervals,
    year_bounds,
)
from engine.services.base import Service
from engine.services.task_filters import unit_subtree

log = logging.getLogger(__name__)

MIN_YEAR = 2000
MAX_YEAR = 2100

MUNICIPALITY = "kommune"

# Diagram timers expanded per (definition id, year); deployed versions never change.
DIAGRAM_CACHE_SIZE = 512


@dataclass(frozen=True)
class WheelEntry:
    """One date in the annual wheel."""

    at: datetime
    title: str
    process_key: str
    process_name: str
    kind: str
    element_id: str
    unit_code: str | None = None
    unit_name: str | None = None
    # Set for entries from a case; the viewer may open that case.
    instance_id: int | None = None
    business_key: str | None = None
    case_title: str | None = None
    # Set when the viewer may start the process from its start form.
    start_key: str | None = None
    # The name of the activity a boundary timer belongs to.
    step: str | None = None
    # True for a date the diagram gives for every year (`arshjul.dato`).
    yearly: bool = False
    # True for a review that a running case is expected to reach (`arshjul.intervall`)
    # but does not wait for yet, so its date is an estimate.
    expected: bool = False


@dataclass(frozen=True)
class WheelScope:
    """The part of the organisation a wheel covers: the municipality, a service area or a
    unit (with the units under it)."""

    level: str
    unit_code: str | None = None
    unit_name: str | None = None


@dataclass(frozen=True)
class AnnualWheel:
    year: int
    scope: WheelScope
    entries: list[WheelEntry]
    # Titles of timers that fire more often in the year than the wheel lists.
    crowded: list[str] = field(default_factory=list)
    # True when the cases had more timers or task deadlines in the year than
    # ANNUAL_WHEEL_MAX_CASE_ENTRIES, so only the earliest are listed.
    cases_limited: bool = False


class AnnualWheelService(Service):
    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self._diagram_cache: OrderedDict[tuple[int, int], tuple[list[DiagramTimer],
                                                                 list[str]]] = OrderedDict()
        self._interval_cache: OrderedDict[int, list[tuple[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def wheel(self, viewer: str, year: int, unit_code: str | None = None) -> AnnualWheel:
        """Return the entries of `year` for the municipality, or for the unit `unit_code` and
        the units under it together with the entries that belong to the whole municipality.

        Raises InvalidInput for a year outside MIN_YEAR..MAX_YEAR and UnitNotFound for an
        unknown unit code.
        """
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise InvalidInput(_("the year must be from %(min)s to %(max)s", min=MIN_YEAR,
                                 max=MAX_YEAR))
        with self.transaction(read_only=True):
            units = {unit.id: unit for unit in self.engine.organisation.units()}
            scope, unit_ids = self._scope(unit_code, units)
            limit = int(self.engine.config["ANNUAL_WHEEL_MAX_CASE_ENTRIES"])
            timers, more_timers, busy_cases = self._timer_entries(viewer, year, unit_ids,
                                                                  units, limit)
            tasks, more_tasks = self._task_entries(viewer, year, unit_ids, units, limit)
            expected, more_expected = self._expected_entries(viewer, year, unit_ids, units,
                                                             limit)
            from_cases = timers + tasks + expected
            from_diagrams, crowded = self._diagram_entries(viewer, year)
            crowded += [title for title in busy_cases if title not in crowded]

        # A case's timer at the same moment as the diagram's stands for it. A case's own
        # date for an element with a yearly date replaces that date, even when the case's
        # settings moved it.
        in_cases = {(entry.process_key, entry.element_id, entry.at) for entry in from_cases}
        elements_in_cases = {(entry.process_key, entry.element_id) for entry in from_cases}
        entries = [entry for entry in from_diagrams
                   if (entry.process_key, entry.element_id, entry.at) not in in_cases
                   and not (entry.yearly
                            and (entry.process_key, entry.element_id) in elements_in_cases)]
        entries += from_cases
        entries.sort(key=lambda entry: (entry.at, entry.process_name, entry.title,
                                        entry.instance_id or 0))
        return AnnualWheel(year, scope, entries, crowded,
                           more_timers or more_tasks or more_expected)

    # --- scope ---------------------------------------------------------------------------

    def _scope(self, unit_code: str | None, units: dict[int, Unit]
               ) -> tuple[WheelScope, list[int] | None]:
        """Return the scope and the ids of the units whose cases it shows, None meaning every
        case. A case of the municipality itself (the budget) belongs to every scope."""
        if not unit_code:
            top = next((unit for unit in units.values() if unit.kind == MUNICIPALITY), None)
            return WheelScope(MUNICIPALITY, top.code if top else None,
                              top.name if top else None), None
        unit = self.engine.organisation.unit(unit_code)
        scope = WheelScope(unit.kind, unit.code, unit.name)
        if unit.kind == MUNICIPALITY:
            return scope, None
        everywhere = [other.id for other in units.values() if other.kind == MUNICIPALITY]
        return scope, list(self.session.scalars(unit_subtree(unit.id))) + everywhere

    # --- from the diagrams ---------------------------------------------------------------

    def _diagram_entries(self, viewer: str, year: int) -> tuple[list[WheelEntry], list[str]]:
        entries: list[WheelEntry] = []
        crowded: list[str] = []
        for definition in self.engine.repository.definitions():
            timers, busy = self._diagram_timers(definition, year)
            if not timers:
                continue
            start_key = definition.key if definition.start_form_ref and \
                self.engine.runtime.may_start(definition, viewer) else None
            entries += [WheelEntry(timer.at, timer.title, definition.key, definition.name,
                                   timer.kind, timer.element_id, start_key=start_key,
                                   step=timer.step, yearly=timer.yearly)
                        for timer in timers]
            crowded += [f"{definition.name}: {title}" for title in busy]
        return entries, crowded

    def _diagram_timers(self, definition: ProcessDefinition, year: int
                        ) -> tuple[list[DiagramTimer], list[str]]:
        cache_key = (definition.id, year)
        with self._lock:
            cached = self._diagram_cache.get(cache_key)
        if cached is not None:
            return cached
        compiled = self._compiled(definition.id)
        if compiled is None:
            return [], []
        limit = int(self.engine.config["ANNUAL_WHEEL_MAX_FIRINGS"])
        found = diagram_timers(self.engine, definition, compiled, year, limit)
        with self._lock:
            self._diagram_cache[cache_key] = found
            while len(self._diagram_cache) > DIAGRAM_CACHE_SIZE:
                self._diagram_cache.popitem(last=False)
        return found

    def _compiled(self, definition_id: int) -> CompiledProcess | None:
        """Return the parsed version, or None when it no longer compiles.

        A stored version that no longer compiles (a process it calls is gone) must not take
        the whole wheel down. Its entries are left out, or named by element id.
        """
        try:
            return self.engine.specs.get(definition_id)
        except DefinitionInvalid as invalid:
            log.warning("annual wheel could not parse a definition id=%s error=%s",
                        definition_id, invalid.code)
            return None

    def _element(self, definition_id: int, element_id: str
                 ) -> tuple[CompiledProcess | None, Any | None]:
        compiled = self._compiled(definition_id)
        return compiled, find_spec(compiled, element_id) if compiled is not None else None

    # --- from running cases --------------------------------------------------------------

    def _timer_entries(self, viewer: str, year: int, unit_ids: list[int] | None,
                       units: dict[int, Unit], limit: int
                       ) -> tuple[list[WheelEntry], bool, list[str]]:
        """Return the firings in the year of the earliest `limit` waiting timers of the
        cases, whether there were more timers, and the titles of cycles that fire more
        often than the wheel lists."""
        begin, end = year_bounds(year)
        # A cycle due before the year may still fire in it.
        in_year = or_(Timer.due_at >= begin, Timer.kind == ClockCycle.__name__)
        query = (select(Timer, ProcessInstance)
                 .join(ProcessInstance, Timer.instance_id == ProcessInstance.id)
                 .where(ProcessInstance.status == "running", in_year, Timer.due_at < end,
                        self.engine.runtime.visible_condition(viewer)))
        if unit_ids is not None:
            query = query.where(ProcessInstance.unit_id.in_(unit_ids))
        rows = list(self.session.execute(
            query.order_by(Timer.due_at, Timer.id).limit(limit + 1)))

        max_firings = int(self.engine.config["ANNUAL_WHEEL_MAX_FIRINGS"])
        task_dues = self._open_task_dues([instance.id for _timer, instance in rows[:limit]])
        entries: list[WheelEntry] = []
        crowded: list[str] = []
        for timer, instance in rows[:limit]:
            compiled, spec = self._element(instance.definition_id, timer.element_id)
            if spec is not None:
                followed = followed_task(compiled, spec) if compiled is not None else None
                task_due = task_dues.get((instance.id, followed.bpmn_id)) \
                    if followed is not None else None
                kind = case_timer_kind(self.engine, compiled, spec, timer.kind, timer.due_at,
                                       task_due)
            else:
                kind = REVIEW if timer.kind == ClockCycle.__name__ else CASE_DEADLINE
            if kind is None:
                continue
            title, step = timer.element_id, None
            firings = Firings([timer.due_at] if timer.due_at >= begin else [])
            if compiled is not None and spec is not None:
                title, step = element_title(compiled, spec), element_step(compiled, spec)
                firings = case_cycle_firings(spec, timer.due_at, begin, end, max_firings)
            entry = self._case_entry(timer.due_at, title, kind, timer.element_id, instance,
                                     instance.unit_id, units)
            entries += [replace(entry, at=at, step=step) for at in firings.times]
            if firings.more:
                crowded.append(f"{entry.process_name}: {title}")
        return entries, len(rows) > limit, list(dict.fromkeys(crowded))

    def _open_task_dues(self, instance_ids: list[int]) -> dict[tuple[int, str], datetime]:
        """Return the earliest due date of the open tasks of each element in the instances.

        A multi-instance task has one task per item, and they share the boundary timers'
        element ids, so the earliest due date stands for them all.
        """
        if not instance_ids:
            return {}
        rows = self.session.execute(
            select(Task.instance_id, Task.element_id, func.min(Task.due_at))
            .where(Task.instance_id.in_(sorted(set(instance_ids))), Task.state == "open",
                   Task.due_at.is_not(None))
            .group_by(Task.instance_id, Task.element_id))
        return {(instance_id, element_id): due for instance_id, element_id, due in rows
                if due is not None}

    def _task_entries(self, viewer: str, year: int, unit_ids: list[int] | None,
                      units: dict[int, Unit], limit: int) -> tuple[list[WheelEntry], bool]:
        """Return the earliest `limit` due dates of open tasks in the year, and whether
        there were more."""
        begin, end = year_bounds(year)
        # A task's unit is the unit of its scoped candidate group (leder@sykehjem) or else
        # the case's unit, so one budget case can hold a deadline for each unit.
        unit_of_task = func.coalesce(Task.unit_id, ProcessInstance.unit_id)
        query = (select(Task, ProcessInstance)
                 .join(ProcessInstance, Task.instance_id == ProcessInstance.id)
                 .where(Task.state == "open", Task.due_at >= begin, Task.due_at < end,
                        self.engine.runtime.visible_condition(viewer)))
        if unit_ids is not None:
            query = query.where(unit_of_task.in_(unit_ids))
        rows = list(self.session.execute(query.order_by(Task.due_at, Task.id).limit(limit + 1)))

        entries = []
        for task, instance in rows[:limit]:
            compiled, spec = self._element(instance.definition_id, task.element_id)
            kind = element_kind(spec, CASE_DEADLINE) if spec is not None else CASE_DEADLINE
            if kind is None or task.due_at is None:
                continue
            title = task.name
            if self.engine.visibility.is_confidential(instance.definition_key):
                # The task name may end with its title property, which can name a person.
                title = element_title(compiled, spec) \
                    if compiled is not None and spec is not None else task.element_id
            entries.append(self._case_entry(task.due_at, title, kind, task.element_id,
                                            instance, task.unit_id or instance.unit_id,
                                            units))
        return entries, len(rows) > limit

    def _expected_entries(self, viewer: str, year: int, unit_ids: list[int] | None,
                          units: dict[int, Unit], limit: int
                          ) -> tuple[list[WheelEntry], bool]:
        """Return the expected next reviews of running cases that do not wait for them yet,
        and whether more cases had one than `limit`.

        A review element with `arshjul.intervall` comes again that period after the case
        last passed it (the timer_fired audit event), or after the case started.
        NOTE: the date is an estimate. A process that sets the real date later, such as the
        risk review one period after approval, reaches the element on that date or after.
        """
        begin, end = year_bounds(year)
        keys = [definition.key for definition in self.engine.repository.definitions()
                if self._intervals(definition.id)]
        if not keys:
            return [], False
        query = (select(ProcessInstance)
                 .where(ProcessInstance.status == "running",
                        ProcessInstance.definition_key.in_(keys),
                        self.engine.runtime.visible_condition(viewer)))
        if unit_ids is not None:
            query = query.where(ProcessInstance.unit_id.in_(unit_ids))
        instances = list(self.session.scalars(
            query.order_by(ProcessInstance.id).limit(limit + 1)))

        entries = []
        for instance in instances[:limit]:
            compiled = self._compiled(instance.definition_id)
            if compiled is None:
                continue
            waiting = set(self.session.scalars(
                select(Timer.element_id).where(Timer.instance_id == instance.id)))
            for element_id, period in self._intervals(instance.definition_id):
                if element_id in waiting:
                    continue  # the case's own timer shows the real date
                last_passed = self.session.scalar(
                    select(func.max(AuditEvent.at)).where(
                        AuditEvent.instance_id == instance.id,
                        AuditEvent.action == "timer_fired",
                        AuditEvent.element_id == element_id))
                at = period.add_to(last_passed or instance.started_at)
                if not begin <= at < end:
                    continue
                spec = find_spec(compiled, element_id)
                title = element_title(compiled, spec) if spec is not None else element_id
                entry = self._case_entry(at, title, REVIEW, element_id, instance,
                                         instance.unit_id, units)
                entries.append(replace(entry, expected=True))
        return entries, len(instances) > limit

    def _intervals(self, definition_id: int) -> list[tuple[str, Any]]:
        """Return the review intervals of a version, read once per version (deployed
        versions never change, so an invalid value is logged once)."""
        with self._lock:
            cached = self._interval_cache.get(definition_id)
        if cached is not None:
            return cached
        compiled = self._compiled(definition_id)
        found = review_intervals(compiled) if compiled is not None else []
        with self._lock:
            self._interval_cache[definition_id] = found
            while len(self._interval_cache) > DIAGRAM_CACHE_SIZE:
                self._interval_cache.popitem(last=False)
        return found

    def _case_entry(self, at: datetime, title: str, kind: str, element_id: str,
                    instance: ProcessInstance, unit_id: int | None,
                    units: dict[int, Unit]) -> WheelEntry:
        definition = self.engine.repository.cached_definition(instance.definition_id)
        unit = units.get(unit_id) if unit_id is not None else None
        entry = WheelEntry(at, title, instance.definition_key, definition.name, kind,
                           element_id, unit_code=unit.code if unit else None,
                           unit_name=unit.name if unit else None, instance_id=instance.id)
        if self.engine.visibility.is_confidential(instance.definition_key):
            return entry
        return replace(entry, business_key=instance.business_key, case_title=instance.title)
