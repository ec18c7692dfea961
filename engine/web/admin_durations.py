"""How long the completed user tasks of a process took, per BPMN element, for the heatmap.

The median and the 90th percentile (nearest rank) are picked in SQL with window functions, so
only up to three rows per element reach Python, whatever the number of completed tasks. The
same query runs on SQLite (3.25 or newer, for window functions) and PostgreSQL. Only the
ordering uses the database's duration. The seconds shown are computed in Python from the
picked rows' timestamps, as `nearest_rank` and `statistics.median` would compute them from
every row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import extract, func, or_, select

from engine.engine import ProcessEngine
from engine.models import Task


@dataclass(frozen=True)
class DurationStats:
    """The completed tasks of one element: their number, median and 90th percentile in
    seconds from creation to completion."""

    samples: int
    median_seconds: float
    p90_seconds: float


def nearest_rank(values: list[float], percent: int) -> float:
    """Return the `percent` percentile by the nearest-rank method: the smallest value with at
    least that share of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def seconds_between(start: datetime, end: datetime) -> float:
    """Return the seconds from `start` to `end`, and 0 when `end` comes first."""
    return max(0.0, (end - start).total_seconds())


def _duration_order(dialect: str) -> Any:
    """Build a SQL expression that orders tasks by how long they took."""
    if dialect == "sqlite":
        # julianday() reads the stored text with millisecond precision, so tasks less than a
        # millisecond apart may swap places. The seconds shown still come from Python.
        return func.julianday(Task.completed_at) - func.julianday(Task.created_at)
    return extract("epoch", Task.completed_at - Task.created_at)


def task_durations(engine: ProcessEngine, key: str) -> dict[str, DurationStats]:
    """Return per element of the process `key` (all versions) the duration statistics of its
    completed user tasks. Call inside a transaction."""
    session = engine.uow.session
    order = _duration_order(session.bind.dialect.name)
    ranked = (
        select(Task.element_id, Task.created_at, Task.completed_at,
               func.row_number().over(partition_by=Task.element_id,
                                      order_by=(order, Task.id)).label("rank"),
               func.count().over(partition_by=Task.element_id).label("total"))
        .where(Task.definition_key == key, Task.state == "completed",
               Task.completed_at.is_not(None))
        .subquery())
    # The two middle ranks (the same one for an odd total) and ceil(0.9 * total), in
    # integer division.
    lower_middle = (ranked.c.total + 1) // 2
    upper_middle = (ranked.c.total + 2) // 2
    p90_rank = (ranked.c.total * 9 + 9) // 10
    picked = session.execute(
        select(ranked.c.element_id, ranked.c.rank, ranked.c.total, ranked.c.created_at,
               ranked.c.completed_at)
        .where(or_(ranked.c.rank == lower_middle, ranked.c.rank == upper_middle,
                   ranked.c.rank == p90_rank)))

    by_element: dict[str, dict[int, float]] = {}
    totals: dict[str, int] = {}
    for element_id, rank, total, created_at, completed_at in picked:
        by_element.setdefault(element_id, {})[int(rank)] = seconds_between(created_at,
                                                                           completed_at)
        totals[element_id] = int(total)

    stats: dict[str, DurationStats] = {}
    for element_id, values in by_element.items():
        total = totals[element_id]
        lower, upper = values[(total + 1) // 2], values[(total + 2) // 2]
        median = lower if total % 2 else (lower + upper) / 2
        stats[element_id] = DurationStats(total, median, values[(total * 9 + 9) // 10])
    return stats
