"""Timer start events: each process version's start timers are rows that start instances.

Deploying a version replaces the start timers of the versions before it, as in Camunda, so a
yearly process does not start twice after a redeploy. A cycle's next firing is counted from
the previous due time, not from when it fired, so it keeps its phase.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from engine.models import ProcessDefinition, Timer
from engine.runtime import expressions, timeexpr
from engine.runtime.specs import ClockCycle, ClockDuration, ClockTimeDate

if TYPE_CHECKING:
    from engine.engine import ProcessEngine
    from engine.runtime.compiler import CompiledProcess

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system"


def start_timer_specs(compiled: CompiledProcess) -> list[Any]:
    return [spec for spec in compiled.spec.task_specs.values()
            if getattr(spec, "start_timer", None) is not None]


def schedule(engine: ProcessEngine, definition: ProcessDefinition,
             compiled: CompiledProcess) -> int:
    """Replace the start timers of `definition.key` with those of this version."""
    session = engine.uow.session
    older = select(ProcessDefinition.id).where(ProcessDefinition.key == definition.key,
                                               ProcessDefinition.id != definition.id)
    session.execute(delete(Timer).where(Timer.definition_id.in_(older)))

    now = engine.clock.now()
    created = 0
    for spec in start_timer_specs(compiled):
        due, remaining = first_firing(engine, spec.start_timer, now)
        if due is None:
            continue
        session.add(Timer(definition_id=definition.id, element_id=spec.bpmn_id, kind="start",
                          due_at=due, remaining=remaining, attempts=0, created_at=now))
        created += 1
    return created


def timer_text(engine: ProcessEngine, definition: Any, now: datetime) -> str:
    """Return a start timer's ISO 8601 text: the literal as written, else the value of its
    expression at `now`."""
    text = (definition.expression or "").strip()
    written = timeexpr.literal(text)
    if written is not None:
        return written
    value = engine.sandbox.evaluate(expressions.python_source(text), {}, now)
    return value.isoformat() if isinstance(value, datetime) else str(value)


def first_firing(engine: ProcessEngine, definition: Any, now: datetime
                 ) -> tuple[datetime | None, int | None]:
    """When a start timer first fires, and for a cycle how many firings are left after it.

    A cycle whose start lies in the past begins at its first occurrence from now on, so a
    yearly cycle deployed late does not start the years it missed.
    """
    text = timer_text(engine, definition, now)
    if isinstance(definition, ClockTimeDate):
        due = timeexpr.parse_instant(text)
        return (due if due >= now else None), None
    if isinstance(definition, ClockDuration):
        return timeexpr.parse_duration(text).add_to(now), None
    if isinstance(definition, ClockCycle):
        cycle = timeexpr.parse_cycle(text)
        due = cycle.first_due(now)
        left = cycle.repetitions  # firings including this one; None is unbounded
        if left == 0 or cycle.period.is_zero():
            return None, None
        while due < now:
            if left is not None:
                left -= 1
                if left <= 0:
                    return None, None
            due = cycle.period.add_to(due)
        return due, (-1 if left is None else left - 1)
    return None, None


def next_firing(engine: ProcessEngine, timer: Timer, compiled: CompiledProcess
                ) -> datetime | None:
    """The next due time of a cycle start timer after it fired, or None when it is done."""
    spec = compiled.spec.task_specs.get(timer.element_id)
    definition = getattr(spec, "start_timer", None)
    if not isinstance(definition, ClockCycle) or timer.remaining == 0:
        return None
    cycle = timeexpr.parse_cycle(timer_text(engine, definition, timer.due_at))
    return cycle.period.add_to(timer.due_at)
