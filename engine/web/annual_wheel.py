"""The annual wheel page: a year calendar and a wheel drawn on the server, for one scope.

The GET parameter `ar` is the year, this year in Oslo by default. The GET parameter `enhet` is
the code of a service area or unit. Without it the page shows the whole municipality.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel.dates import get_month_names
from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale, lazy_gettext
from flask_babel import gettext as _

from engine.access import AUTHENTICATED, access
from engine.errors import InvalidInput, UnitNotFound
from engine.models import Unit
from engine.runtime.timeexpr import OSLO
from engine.services.annual_wheel import (
    MAX_YEAR,
    MIN_YEAR,
    MUNICIPALITY,
    AnnualWheel,
    WheelEntry,
)
from engine.services.annual_wheel_timers import (
    CASE_DEADLINE,
    ESCALATION,
    KINDS,
    LEGAL_DEADLINE,
    REMINDER,
    REVIEW,
    START,
)
from engine.web import wheel_geometry
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine

log = logging.getLogger(__name__)

bp = Blueprint("annual_wheel", __name__)

KIND_LABELS = {
    START: lazy_gettext("Process start"),
    LEGAL_DEADLINE: lazy_gettext("Legal deadline"),
    REVIEW: lazy_gettext("Recurring review"),
    CASE_DEADLINE: lazy_gettext("Case deadline"),
    REMINDER: lazy_gettext("Reminder"),
    ESCALATION: lazy_gettext("Escalation"),
}
KIND_HINTS = {
    START: lazy_gettext("The process starts by itself."),
    LEGAL_DEADLINE: lazy_gettext("A fixed date in the process."),
    REVIEW: lazy_gettext("Repeats on fixed dates."),
    CASE_DEADLINE: lazy_gettext("A deadline in a running case."),
    REMINDER: lazy_gettext("A reminder before a deadline in a running case."),
    ESCALATION: lazy_gettext("Follows up a passed deadline that the wheel shows no date "
                             "for."),
}


# Maximum number of entries that one mark's title lists. A mark stands for every entry of its
# kind on its date.
MAX_TITLES_PER_MARK = 10


@dataclass(frozen=True)
class EntryRow:
    entry: WheelEntry
    local: datetime
    kind_label: str
    case_url: str | None
    start_url: str | None
    description: str


@dataclass(frozen=True)
class WheelMark:
    kind: str
    path: str
    title: str


@dataclass
class MonthRows:
    number: int
    name: str
    heading_id: str
    rows: list[EntryRow] = field(default_factory=list)


@dataclass(frozen=True)
class ScopeOption:
    code: str
    label: str
    depth: int


@bp.route("/arshjul")
@access(AUTHENTICATED)
def annual_wheel() -> tuple[str, int]:
    user = current_user()
    engine = sloyfe_engine()
    now = engine.clock.now()
    this_year = now.astimezone(OSLO).year
    raw_year = (request.args.get("ar") or "").strip()
    unit_code = (request.args.get("enhet") or "").strip() or None

    with engine.transaction(read_only=True):
        options = list(_scope_options(engine.organisation.units()))
    page: dict[str, Any] = {"options": options, "unit_code": unit_code or "",
                            "year_text": raw_year or str(this_year), "min_year": MIN_YEAR,
                            "max_year": MAX_YEAR, "kinds": _legend()}

    year = _parse_year(raw_year, this_year)
    if year is None:
        log.info("annual wheel rejected a year value=%r", raw_year[:20])
        message = _("The year %(year)s is not valid. Enter a year from %(min)s to %(max)s.",
                    year=raw_year[:20], min=MIN_YEAR, max=MAX_YEAR)
        return render_template("annual_wheel.html", error=message, error_field="year",
                               **page), 400
    try:
        wheel = engine.annual_wheel.wheel(user.username, year, unit_code)
    except UnitNotFound:
        log.info("annual wheel rejected a unit code=%r", (unit_code or "")[:64])
        message = _("No unit has the code %(code)s. Choose a unit in the list and show the "
                    "annual wheel again.", code=(unit_code or "")[:64])
        return render_template("annual_wheel.html", error=message, error_field="unit",
                               **page), 404
    except InvalidInput as invalid:
        log.info("annual wheel rejected a request code=%s", invalid.code)
        return render_template("annual_wheel.html", error=str(invalid), error_field="year",
                               **page), 400

    months = _months(wheel)
    counts = {kind: 0 for kind in KINDS}
    for entry in wheel.entries:
        counts[entry.kind] += 1
    today = wheel_geometry.today_line(now, year) if year == this_year else None
    return render_template(
        "annual_wheel.html", wheel=wheel, months=months, marks=_marks(months, year),
        counts=counts,
        sectors=wheel_geometry.sectors(year), today=today, today_date=now,
        scope_text=_scope_text(wheel), view_radius=wheel_geometry.VIEW_RADIUS,
        previous_url=_url(year - 1, unit_code) if year > MIN_YEAR else None,
        next_url=_url(year + 1, unit_code) if year < MAX_YEAR else None,
        **page), 200


def _parse_year(text: str, default: int) -> int | None:
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        return None
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _url(year: int, unit_code: str | None) -> str:
    if unit_code:
        return url_for("annual_wheel.annual_wheel", ar=year, enhet=unit_code)
    return url_for("annual_wheel.annual_wheel", ar=year)


def _months(wheel: AnnualWheel) -> list[MonthRows]:
    names = get_month_names("wide", locale=get_locale())
    months = [MonthRows(number, names[number], f"maaned-{number}") for number in range(1, 13)]
    for entry in wheel.entries:
        local = entry.at.astimezone(OSLO)
        months[local.month - 1].rows.append(_row(entry, local))
    return months


def _row(entry: WheelEntry, local: datetime) -> EntryRow:
    kind_label = str(KIND_LABELS[entry.kind])
    title = entry.title
    if entry.step:
        title = _("%(title)s (at the step %(step)s)", title=entry.title, step=entry.step)
    if entry.expected:
        title = _("%(title)s (expected)", title=title)
    parts = [local.strftime("%d.%m.%Y %H:%M"), title, entry.process_name, kind_label]
    if entry.unit_name:
        parts.append(entry.unit_name)
    if entry.case_title:
        parts.append(entry.case_title)
    case_url = url_for("cases.case", instance_id=entry.instance_id) \
        if entry.instance_id is not None else None
    start_url = url_for("home.start", key=entry.start_key) if entry.start_key else None
    return EntryRow(entry, local, kind_label, case_url, start_url, " – ".join(parts))


def _marks(months: list[MonthRows], year: int) -> list[WheelMark]:
    """Return one mark per kind and date, titled with the entries it stands for."""
    groups: dict[tuple[str, str], list[EntryRow]] = {}
    for month in months:
        for row in month.rows:
            groups.setdefault((row.entry.kind, row.local.date().isoformat()), []).append(row)

    marks = []
    for (kind, _day), rows in groups.items():
        title_lines = [row.description for row in rows[:MAX_TITLES_PER_MARK]]
        if len(rows) > 1:
            title_lines.insert(0, _("%(count)s dates on %(date)s:", count=len(rows),
                              date=rows[0].local.strftime("%d.%m.%Y")))
        if len(rows) > MAX_TITLES_PER_MARK:
            title_lines.append(_("and %(count)s more", count=len(rows) - MAX_TITLES_PER_MARK))
        geometry = wheel_geometry.mark(rows[0].entry.at, year, kind)
        marks.append(WheelMark(kind, geometry.path, "\n".join(title_lines)))
    return marks


def _legend() -> list[dict[str, Any]]:
    return [{"kind": kind, "label": str(KIND_LABELS[kind]), "hint": str(KIND_HINTS[kind]),
             "path": wheel_geometry.shape_path(wheel_geometry.SHAPES[kind], 8, 8, 10)}
            for kind in KINDS]


def _scope_text(wheel: AnnualWheel) -> str:
    scope = wheel.scope
    if scope.level == MUNICIPALITY:
        return _("Everything in %(name)s.", name=scope.unit_name) if scope.unit_name else \
            _("Everything in the municipality.")
    if scope.level == "tjenesteomraade":
        return _("%(name)s and the units under it, with what applies to the whole "
                 "municipality.", name=scope.unit_name)
    return _("%(name)s, with what applies to the whole municipality.", name=scope.unit_name)


def _scope_options(units: list[Unit]) -> Iterator[ScopeOption]:
    """List the units below the municipality as a tree: each area, then its units."""
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def walk(parent_id: int | None, depth: int, seen: set[int]) -> Iterator[ScopeOption]:
        for unit in children.get(parent_id, []):
            if unit.id in seen:
                continue
            seen.add(unit.id)
            if unit.kind == MUNICIPALITY:  # the empty choice stands for it
                yield from walk(unit.id, depth, seen)
                continue
            yield ScopeOption(unit.code, unit.name, depth)
            yield from walk(unit.id, depth + 1, seen)

    yield from walk(None, 0, set())
