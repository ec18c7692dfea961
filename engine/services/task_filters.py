"""Filters, sort orders and keyset cursors of the task lists.

A cursor contains the sort key of the last task of a page: the next page starts after that
task, so pages stay stable while other tasks are created or completed, and each page costs
the same however deep it is.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true

from engine.errors import InvalidInput
from engine.i18n import gettext as _
from engine.models import Task, Unit

TASK_STATUSES = ("assigned", "unassigned")
DUE_FILTERS = ("overdue", "within", "none")
SORTS = ("due", "priority")
MAX_WITHIN_DAYS = 366


@dataclass(frozen=True)
class TaskFilter:
    """Filters that narrow a task list. None leaves a filter out.

    `unit_id` keeps the tasks of that unit and of every unit below it. `due` is `overdue`
    (deadline passed), `within` (deadline in the next `within_days` days, not passed) or
    `none` (no deadline).
    """

    process: str | None = None
    status: str | None = None
    unit_id: int | None = None
    due: str | None = None
    within_days: int | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in TASK_STATUSES:
            raise InvalidInput(_("the status must be one of %(values)s",
                                 values=", ".join(TASK_STATUSES)))
        if self.due is not None and self.due not in DUE_FILTERS:
            raise InvalidInput(_("the deadline filter must be one of %(values)s",
                                 values=", ".join(DUE_FILTERS)))
        if self.due == "within" and not (
                self.within_days is not None and 1 <= self.within_days <= MAX_WITHIN_DAYS):
            raise InvalidInput(_("the number of days must be a whole number from 1 to "
                                 "%(max)s", max=MAX_WITHIN_DAYS))

    def condition(self, now: datetime, unit_ids: Sequence[int] = ()) -> ColumnElement[bool]:
        """Return a WHERE clause on Task. `now` decides which deadlines have passed, and
        `unit_ids` are the ids from unit_subtree(unit_id) when the filter has a unit."""
        parts: list[ColumnElement[bool]] = []
        if self.process is not None:
            parts.append(Task.definition_key == self.process)
        if self.status == "assigned":
            parts.append(Task.assignee.is_not(None))
        elif self.status == "unassigned":
            parts.append(Task.assignee.is_(None))
        if self.unit_id is not None:
            parts.append(Task.unit_id.in_(unit_ids))
        if self.due == "overdue":
            parts.append(Task.due_at <= now)
        elif self.due == "within":
            parts.append(and_(Task.due_at > now,
                              Task.due_at <= now + timedelta(days=self.within_days or 0)))
        elif self.due == "none":
            parts.append(Task.due_at.is_(None))
        return and_(true(), *parts)


def unit_subtree(unit_id: int) -> Select[tuple[int]]:
    """Select the id of `unit_id` and of every unit below it."""
    subtree = select(Unit.id).where(Unit.id == unit_id).cte("unit_subtree", recursive=True)
    below = select(Unit.id).join(subtree, Unit.parent_id == subtree.c.id)
    # UNION, not UNION ALL, so a unit tree with a cycle still ends.
    subtree = subtree.union(below)
    return select(subtree.c.id)


@dataclass(frozen=True)
class SortKey:
    """One column of a sort order. A nullable column sorts its NULLs last."""

    column: Any
    field: str  # the cursor's name for the column's value
    descending: bool = False
    nullable: bool = False

    def order(self) -> Any:
        if self.descending:
            return self.column.desc()
        return self.column.asc().nulls_last() if self.nullable else self.column.asc()

    def after(self, value: Any) -> ColumnElement[bool]:
        """Return a WHERE clause for the rows after `value` in this column alone."""
        if value is None:
            return false()  # NULLs come last, so nothing follows them
        beyond = self.column < value if self.descending else self.column > value
        return or_(beyond, self.column.is_(None)) if self.nullable else beyond

    def equal(self, value: Any) -> ColumnElement[bool]:
        return self.column.is_(None) if value is None else self.column == value


@dataclass(frozen=True)
class Segment:
    """A part of a sort order that one query reads: the rows where `condition` holds, in the
    order of `keys`. A sort order is its segments one after the other."""

    condition: ColumnElement[bool]
    keys: tuple[SortKey, ...]
    holds: Callable[[dict[str, Any]], bool]  # whether a cursor's row lies in this segment

    def order_by(self) -> list[Any]:
        return [key.order() for key in self.keys]

    def after(self, values: dict[str, Any]) -> ColumnElement[bool]:
        """Return a WHERE clause for the rows after the cursor's row in this segment."""
        branches = []
        for index, key in enumerate(self.keys):
            equal_before = [earlier.equal(values[earlier.field])
                            for earlier in self.keys[:index]]
            branches.append(and_(*equal_before, key.after(values[key.field])))
        return or_(*branches)


_PRIORITY = SortKey(Task.priority, "priority", descending=True)
_TIEBREAK = (SortKey(Task.created_at, "created"), SortKey(Task.id, "id"))

# By deadline, the earliest first, then the tasks without a deadline. Each part is read
# with its own query, so both follow an index on (state, due_at, priority DESC,
# created_at, id): a single ORDER BY due_at NULLS LAST cannot use one on SQLite, which
# stores NULLs first.
_BY_DUE = (
    Segment(Task.due_at.is_not(None),
            (SortKey(Task.due_at, "due"), _PRIORITY, *_TIEBREAK),
            lambda values: values["due"] is not None),
    Segment(Task.due_at.is_(None), (_PRIORITY, *_TIEBREAK),
            lambda values: values["due"] is None),
)
# By priority, the highest first, then by deadline with the tasks without one last.
_BY_PRIORITY = (
    Segment(true(), (_PRIORITY, SortKey(Task.due_at, "due", nullable=True), *_TIEBREAK),
            lambda values: True),
)
SORT_ORDERS: dict[str, tuple[Segment, ...]] = {"due": _BY_DUE, "priority": _BY_PRIORITY}


def segments_after(sort: str, cursor: str | None
                   ) -> list[tuple[Segment, ColumnElement[bool] | None]]:
    """List the segments a page of `sort` reads from, in order, each with the WHERE clause
    that skips what earlier pages showed (None to read the segment from its start)."""
    if sort not in SORT_ORDERS:
        raise InvalidInput(_("the sort order must be one of %(values)s",
                             values=", ".join(SORTS)))
    order = SORT_ORDERS[sort]
    if not cursor:
        return [(segment, None) for segment in order]
    values = decode_cursor(cursor)
    for index, segment in enumerate(order):
        if segment.holds(values):
            return [(segment, segment.after(values)),
                    *((later, None) for later in order[index + 1:])]
    return []


def encode_cursor(task: Task) -> str:
    """Encode the cursor of the page after `task`. Both sort orders read the same cursor."""
    payload = [task.due_at.isoformat() if task.due_at else None, task.priority,
               task.created_at.isoformat(), task.id]
    text = json.dumps(payload, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    """Read a cursor from encode_cursor into its values by field name."""
    invalid = InvalidInput(_("the page link is damaged or out of date; open the first page "
                             "again"))
    if len(cursor) > 400:
        raise invalid
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        due, priority, created, task_id = json.loads(text)
        values = {"due": datetime.fromisoformat(due) if due is not None else None,
                  "priority": int(priority), "created": datetime.fromisoformat(created),
                  "id": str(task_id)}
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid from None
    if any(moment is not None and moment.tzinfo is None
           for moment in (values["due"], values["created"])):
        raise invalid
    return values
