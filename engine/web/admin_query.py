"""The administrators' instance list: its query string, the filtered query and the counts.

    /admin/saker?prosess=avvik&versjon=3&status=venter&enhet=sykehjem&startet_av=ola.ansatt
                &fra=2027-01-01&til=2027-01-31&forfalt=ja&sok=AV-2027-1&side=<cursor>

Every parameter is optional. The statuses, which overlap on purpose:

- `aktiv`: the instance runs (status running), waiting or not, with or without an incident.
- `venter`: it runs and has no open user task, so it waits for a timer, a message or a
  service call.
- `feil`: it has an open incident (the has_incident flag).
- `pause`, `fullfort`, `avsluttet`: status suspended, completed, terminated.

Pages are keyset pages on the instance id, newest first, so a page costs the same on the
first page and the thousandth. A value the list does not know gives a message in the user's
language instead of an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    true,
)

from engine.engine import ProcessEngine
from engine.errors import InvalidInput
from engine.models import ProcessDefinition, ProcessInstance, Task
from engine.services.queries import parse_cursor
from engine.web.formatting import _zone
from engine.web.task_list_query import _shown as shown
from engine.web.task_list_query import process_keys

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
PARAMETERS = ("prosess", "versjon", "status", "enhet", "startet_av", "fra", "til", "forfalt",
              "sok", "antall")
STATUSES = ("aktiv", "venter", "feil", "pause", "fullfort", "avsluttet")
SEARCH_LENGTH = 128


def _open_user_task() -> ColumnElement[bool]:
    return exists().where(Task.instance_id == ProcessInstance.id, Task.state == "open")


def status_condition(status: str) -> ColumnElement[bool]:
    """Build the WHERE clause of one of STATUSES."""
    running = ProcessInstance.status == "running"
    conditions: dict[str, Any] = {
        "aktiv": running,
        "venter": and_(running, ~_open_user_task()),
        "feil": ProcessInstance.has_incident.is_(True),
        "pause": ProcessInstance.status == "suspended",
        "fullfort": ProcessInstance.status == "completed",
        "avsluttet": ProcessInstance.status == "terminated",
    }
    return conditions[status]


@dataclass
class AdminQuery:
    """A parsed query string; `errors` lists what was wrong with it, in words."""

    key: str | None = None
    version: int | None = None
    status: str | None = None
    unit_id: int | None = None
    started_by: str | None = None
    started_from: datetime | None = None
    started_before: datetime | None = None
    overdue: bool = False
    search: str | None = None
    # Processes whose cases administrators may not read: filters on who or what a case is
    # about leave them out, so a filter cannot reveal that such a person has a case.
    confidential_keys: frozenset[str] = frozenset()
    page_size: int = PAGE_SIZE
    cursor: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return any(self.values.get(name) for name in PARAMETERS if name != "antall")

    def link_arguments(self, **changes: str | None) -> dict[str, str]:
        """Return the arguments of this list's URL with `changes`; None leaves one out."""
        arguments = {name: value for name, value in self.values.items() if value}
        for name, value in changes.items():
            if value is None:
                arguments.pop(name, None)
            else:
                arguments[name] = value
        return arguments

    def conditions(self, now: datetime, *, with_status: bool = True
                   ) -> list[ColumnElement[bool]]:
        """Build the WHERE clauses of the filters; `with_status` False leaves out the status,
        for the counts per status."""
        clauses: list[ColumnElement[bool]] = []
        if self.key is not None:
            clauses.append(ProcessInstance.definition_key == self.key)
        if self.version is not None:
            clauses.append(ProcessInstance.definition_id.in_(
                select(ProcessDefinition.id).where(ProcessDefinition.key == self.key,
                                                   ProcessDefinition.version == self.version)))
        if with_status and self.status is not None:
            clauses.append(status_condition(self.status))
        if self.unit_id is not None:
            clauses.append(ProcessInstance.unit_id == self.unit_id)
        if self.started_by is not None:
            clauses.append(ProcessInstance.started_by == self.started_by)
        if self.started_from is not None:
            clauses.append(ProcessInstance.started_at >= self.started_from)
        if self.started_before is not None:
            clauses.append(ProcessInstance.started_at < self.started_before)
        if self.overdue:
            # An uncorrelated IN reads the overdue tasks once through the (state, due_at)
            # index. As a correlated EXISTS, SQLite scanned every overdue task per instance.
            clauses.append(ProcessInstance.id.in_(
                select(Task.instance_id).where(Task.state == "open", Task.due_at < now)))
        if self.search is not None:
            # A prefix match, which the index on business_key serves.
            escaped = (self.search.replace("\\", "\\\\").replace("%", "\\%")
                       .replace("_", "\\_"))
            clauses.append(ProcessInstance.business_key.like(escaped + "%", escape="\\"))
        personal = (self.unit_id, self.started_by, self.search)
        if self.confidential_keys and any(value is not None for value in personal):
            clauses.append(ProcessInstance.definition_key.notin_(sorted(self.confidential_keys)))
        return clauses


def parse_admin_query(engine: ProcessEngine, arguments: Mapping[str, str]) -> AdminQuery:
    """Read the list's parameters. Call inside a transaction, because processes, versions
    and units are looked up."""
    values = {name: arguments.get(name, "").strip()[:SEARCH_LENGTH] for name in PARAMETERS}
    query = AdminQuery(values=values, cursor=arguments.get("side") or None)
    errors = query.errors

    key = values["prosess"] or None
    if key is not None and key not in process_keys(engine):
        errors.append(_("No process has the key %(value)s. Choose a process from the list.",
                        value=shown(key)))
        key = None
    query.key = key

    if values["versjon"]:
        query.version = _version(engine, key, values["versjon"], errors)

    status = values["status"] or None
    if status is not None and status not in STATUSES:
        errors.append(_("The status %(value)s is not valid. Choose a status from the list.",
                        value=shown(status)))
        status = None
    query.status = status

    if values["enhet"]:
        unit = engine.organisation.find_unit(values["enhet"])
        if unit is None:
            errors.append(_("No unit has the code %(value)s. Choose a unit from the list.",
                            value=shown(values["enhet"])))
        else:
            query.unit_id = unit.id

    query.started_by = values["startet_av"] or None

    started_from = _date(values["fra"], _("Started from"), errors)
    started_to = _date(values["til"], _("Started to"), errors)
    if started_from is not None:
        query.started_from = _start_of(started_from)
    if started_to is not None:
        query.started_before = _start_of(started_to + timedelta(days=1))
    if started_from and started_to and started_from > started_to:
        errors.append(_("The start date %(start)s is after the end date %(end)s. Swap them "
                        "or clear one.", start=values["fra"], end=values["til"]))

    overdue = values["forfalt"]
    if overdue not in ("", "ja"):
        errors.append(_("The overdue filter %(value)s is not valid. Tick the box or leave it "
                        "empty.", value=shown(overdue)))
    query.overdue = overdue == "ja"

    query.search = values["sok"] or None
    query.confidential_keys = engine.visibility.rules().confidential

    if values["antall"]:
        text = values["antall"]
        if text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_PAGE_SIZE:
            query.page_size = int(text)
        else:
            errors.append(_("The page size must be a whole number from 1 to %(max)s, not "
                            "%(value)s.", max=MAX_PAGE_SIZE, value=shown(text)))

    try:
        parse_cursor(query.cursor)
    except InvalidInput:
        errors.append(_("The page link is damaged or out of date. Open the first page again."))
        query.cursor = None
    return query


def _version(engine: ProcessEngine, key: str | None, text: str,
             errors: list[str]) -> int | None:
    if key is None:
        errors.append(_("Choose a process to filter by version."))
        return None
    versions = list(engine.uow.session.scalars(
        select(ProcessDefinition.version).where(ProcessDefinition.key == key)))
    if text.isascii() and text.isdigit() and int(text) in versions:
        return int(text)
    errors.append(_("The process %(key)s has no version %(value)s. Its versions are "
                    "%(versions)s.", key=key, value=shown(text),
                    versions=", ".join(str(version) for version in sorted(versions))))
    return None


def _date(text: str, label: str, errors: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(_("%(field)s: %(value)s is not a date. Write it as YYYY-MM-DD, for "
                        "example 2027-01-31.", field=label, value=shown(text)))
        return None


def _start_of(day: date) -> datetime:
    """Return the instant the day begins in the site's time zone (TIMEZONE)."""
    return datetime.combine(day, time(0), tzinfo=_zone())


@dataclass(frozen=True)
class InstancePage:
    """One page of rows and the counts per status. A count stops at `count_limit` + 1, so a
    count above `count_limit` means "more than count_limit" rather than an exact number."""

    rows: list[ProcessInstance]
    next_cursor: str | None
    counts: dict[str, int]
    total: int
    count_limit: int

    def capped(self, value: int) -> bool:
        """Tell whether a count stopped at the limit and so is only a lower bound."""
        return value > self.count_limit

    @property
    def counts_capped(self) -> bool:
        return any(self.capped(value) for value in (self.total, *self.counts.values()))


def list_page(engine: ProcessEngine, query: AdminQuery) -> InstancePage:
    """Return one page of the filtered instances, newest first, and the counts per status of
    the filters without the status, each up to ADMIN_COUNT_LIMIT. Call inside a
    transaction."""
    now = engine.clock.now()
    rows_query = (select(ProcessInstance).where(true(), *query.conditions(now))
                  .order_by(ProcessInstance.id.desc()).limit(query.page_size + 1))
    before = parse_cursor(query.cursor)
    if before is not None:
        rows_query = rows_query.where(ProcessInstance.id < before)
    rows = list(engine.uow.session.scalars(rows_query))
    next_cursor = None
    if len(rows) > query.page_size:
        rows = rows[:query.page_size]
        next_cursor = str(rows[-1].id)

    limit = int(engine.config["ADMIN_COUNT_LIMIT"])
    filters = query.conditions(now, with_status=False)
    session = engine.uow.session
    # The overdue filter reads every overdue open task whatever the limit, so its matches
    # are counted in one pass. Otherwise a capped total decides.
    exact = query.overdue or int(session.scalar(
        select(_bounded_count(filters, limit + 1))) or 0) <= limit
    # NOTE: at most ADMIN_COUNT_LIMIT instances match when the total is within the limit, so
    # one pass over them counts every status exactly. Past it, each count stops after
    # ADMIN_COUNT_LIMIT + 1 matches, read through the indexes on status or has_incident, so
    # an unfiltered list does not grow with the table. Waiting is the exception: it reads
    # running instances until enough have no open user task, at worst every running one.
    counted = session.execute(counts_query(filters, limit, exact=exact)).one()
    counts = {status: int(counted[index + 1] or 0) for index, status in enumerate(STATUSES)}
    return InstancePage(rows, next_cursor, counts, int(counted[0] or 0), limit)


def counts_query(filters: list[ColumnElement[bool]], limit: int, *,
                 exact: bool) -> Select[Any]:
    """Build the query of the total and the count per status of STATUSES, in that order,
    of the instances that match `filters`. `exact` counts them in one pass over every
    match; otherwise each count stops at `limit` + 1."""
    if exact:
        return (select(func.count(), *(func.count(case((status_condition(status), 1)))
                                       for status in STATUSES))
                .select_from(ProcessInstance).where(true(), *filters))
    return select(_bounded_count(filters, limit + 1),
                  *(_bounded_count([*filters, status_condition(status)], limit + 1)
                    for status in STATUSES))


def _bounded_count(conditions: list[ColumnElement[bool]],
                   limit: int) -> ScalarSelect[int]:
    """Count the instances that match `conditions`, reading no more than `limit` of them."""
    matching = (select(literal(1).label("one")).select_from(ProcessInstance)
                .where(true(), *conditions).limit(limit).subquery())
    return select(func.count()).select_from(matching).scalar_subquery()
