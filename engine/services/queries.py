"""Filtered, paged listings of process instances and open tasks for the REST API.

A listing for a user shows only what that user may see. The rule is the one of
RuntimeService.may_see and TaskService.may_see, evaluated in the database. A listing for a
system with an API token shows everything its scopes allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.errors import InvalidInput
from engine.i18n import gettext as _
from engine.models import ProcessInstance, Task, TaskCandidate
from engine.services.base import Service
from engine.services.task_filters import (
    TaskFilter,
    encode_cursor,
    segments_after,
    unit_subtree,
)

Row = TypeVar("Row")

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of a listing; `next_cursor` fetches the next page, None on the last one."""

    items: list[Row]
    next_cursor: str | None


def parse_cursor(cursor: str | None) -> int | None:
    """Read a cursor this service handed out (a non-negative integer in text)."""
    if cursor is None or cursor == "":
        return None
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 9:
        raise InvalidInput(_("the cursor %(cursor)s is not one this API returned; start "
                             "again without a cursor", cursor=cursor[:40]))
    return int(cursor)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidInput(_("the page size must be between 1 and %(max)s",
                             max=MAX_PAGE_SIZE))


class QueryService(Service):

    def instances(self, viewer: str | None, *, confidential: bool = True,
                  status: str | None = None,
                  key: str | None = None, business_key: str | None = None,
                  started_by: str | None = None,
                  limit: int = 50, cursor: str | None = None) -> Page[ProcessInstance]:
        """Instances, newest first, that `viewer` may see (for None every instance, of
        confidential processes too if `confidential`).

        The cursor is the id of the last instance of the previous page, so pages stay stable
        while new instances start.
        """
        _check_limit(limit)
        before = parse_cursor(cursor)
        query = select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(limit + 1)
        if status:
            query = query.where(ProcessInstance.status == status)
        if key:
            query = query.where(ProcessInstance.definition_key == key)
        if business_key:
            query = query.where(ProcessInstance.business_key == business_key)
        if started_by:
            query = query.where(ProcessInstance.started_by == started_by)
        if before is not None:
            query = query.where(ProcessInstance.id < before)
        if viewer is not None:
            query = query.where(self.engine.runtime.visible_condition(viewer))
        elif not confidential:
            query = query.where(self.engine.visibility.open_to_roles(
                ProcessInstance.definition_key))

        rows = list(self.session.scalars(query))
        if len(rows) <= limit:
            return Page(rows, None)
        return Page(rows[:limit], str(rows[limit - 1].id))

    def open_tasks(self, *, assignee: str | None = None, candidate_group: str | None = None,
                   candidate_user: str | None = None, confidential: bool = True,
                   limit: int = 50, cursor: str | None = None) -> Page[Task]:
        """Open tasks of every user (of confidential processes too if `confidential`),
        ordered as the task lists order them; the cursor is an offset."""
        _check_limit(limit)
        offset = parse_cursor(cursor) or 0
        query = select(Task).where(Task.state == "open")
        if not confidential:
            query = query.where(self.engine.visibility.open_to_roles(Task.definition_key))
        if assignee:
            query = query.where(Task.assignee == assignee)
        if candidate_group:
            query = query.where(Task.id.in_(select(TaskCandidate.task_id).where(
                TaskCandidate.kind == "group", TaskCandidate.value == candidate_group)))
        if candidate_user:
            query = query.where(Task.id.in_(select(TaskCandidate.task_id).where(
                TaskCandidate.kind == "user", TaskCandidate.value == candidate_user)))
        query = query.order_by(Task.due_at.is_(None), Task.due_at, Task.priority.desc(),
                               Task.created_at, Task.id).offset(offset).limit(limit + 1)

        rows = list(self.session.scalars(query))
        if len(rows) <= limit:
            return Page(rows, None)
        return Page(rows[:limit], str(offset + limit))

    def task_list(self, username: str, view: str, filters: TaskFilter | None = None, *,
                  sort: str = "due", limit: int = 50, cursor: str | None = None) -> Page[Task]:
        """Return one page of one of the user's task lists (see TaskService.view_condition),
        narrowed by `filters` and sorted by `sort` (due or priority).

        The cursor is the sort key of the last task of the previous page (keyset paging).
        """
        _check_limit(limit)
        base = select(Task).where(self.engine.tasks.view_condition(username, view))
        if filters is not None:
            unit_ids = list(self.session.scalars(unit_subtree(filters.unit_id))) \
                if filters.unit_id is not None else []
            base = base.where(filters.condition(self.engine.clock.now(), unit_ids))

        rows: list[Task] = []
        for segment, after in segments_after(sort, cursor):
            query = base.where(segment.condition)
            if after is not None:
                query = query.where(after)
            # The lists show each task's case, so the instances come in one more query, not
            # one per row.
            query = query.order_by(*segment.order_by()).limit(limit + 1 - len(rows)) \
                .options(selectinload(Task.instance))
            rows += self.session.scalars(query)
            if len(rows) > limit:
                break

        if len(rows) <= limit:
            return Page(rows, None)
        return Page(rows[:limit], encode_cursor(rows[limit - 1]))

    def user_tasks(self, username: str, view: str, *, limit: int = 50,
                   cursor: str | None = None) -> Page[Task]:
        """Return one page of one of the user's task lists (see TaskService.list)."""
        _check_limit(limit)
        offset = parse_cursor(cursor) or 0
        rows = self.engine.tasks.list(username, view, limit=offset + limit + 1)[offset:]
        if len(rows) <= limit:
            return Page(rows, None)
        return Page(rows[:limit], str(offset + limit))
