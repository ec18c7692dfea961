"""The yearly internal-control report: a page, and the same report as an HTML file and a CSV.

GET parameters: `ar` (the year, this year in Oslo by default) and `enhet` (a unit code).
Administrators see the whole municipality and may choose any unit. A unit leader (the
kommunedirektør leads the municipality itself) may read the units they lead and those below
them, and the page opens on the highest of them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import get_month_names
from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from engine.access import Principal, Rule, access
from engine.errors import InvalidInput, UnitNotFound
from engine.models import Unit
from engine.runtime.timeexpr import OSLO
from engine.services.internal_control import MAX_YEAR, MIN_YEAR, InternalControlReport
from engine.web import internal_control_csv
from engine.web.auth import current_user
from engine.web.context import sloyfe_engine
from engine.web.report_charts import BarChart, bar_chart

log = logging.getLogger(__name__)

bp = Blueprint("internal_control", __name__)

STYLESHEET = "internal-control.css"


def _reads_report(principal: Principal, _args: Mapping[str, Any], _engine: Any) -> bool:
    return principal.leads_unit or "administrator" in principal.roles


REPORT_READER = Rule("administrator or unit leader", _reads_report)


@dataclass(frozen=True)
class ScopeOption:
    code: str
    label: str
    depth: int


def allowed_units(engine: Any, username: str) -> tuple[list[Unit], bool]:
    """Return the units whose report `username` may read, as a tree in name order, and
    whether that is the whole municipality. Call inside a transaction."""
    units = engine.organisation.units()
    if engine.organisation.has_role(username, "administrator"):
        return _tree(units, {unit.id for unit in units if unit.parent_id is None}), True
    led = {unit.id for unit in engine.organisation.led_units(username)}
    tops = {unit.id for unit in units if unit.id in led and not _led_above(unit, led)}
    everything = any(unit.parent_id is None for unit in units if unit.id in tops)
    return _tree(units, tops), everything


def _led_above(unit: Unit, led: set[int]) -> bool:
    current = unit.parent
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        if current.id in led:
            return True
        seen.add(current.id)
        current = current.parent
    return False


def _tree(units: list[Unit], top_ids: set[int]) -> list[Unit]:
    children: dict[int | None, list[Unit]] = {}
    for unit in sorted(units, key=lambda unit: unit.name):
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[Unit] = []
    seen: set[int] = set()

    def walk(unit: Unit) -> None:
        if unit.id in seen:
            return
        seen.add(unit.id)
        ordered.append(unit)
        for child in children.get(unit.id, []):
            walk(child)

    for unit in sorted(units, key=lambda unit: unit.name):
        if unit.id in top_ids:
            walk(unit)
    return ordered


def _depths(units: list[Unit]) -> list[ScopeOption]:
    ids = {unit.id for unit in units}
    options = []
    for unit in units:
        depth = 0
        current = unit.parent
        while current is not None and current.id in ids and depth < len(units):
            depth += 1
            current = current.parent
        options.append(ScopeOption(unit.code, unit.name, depth))
    return options


def _parse_year(text: str, default: int) -> int | None:
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or len(text) != 4:
        return None
    year = int(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


@dataclass
class _Request:
    year_text: str
    unit_code: str
    options: list[ScopeOption]
    error: str | None = None
    status: int = 200
    report: InternalControlReport | None = None


def _load_report() -> _Request:
    """Read the year and the unit from the URL, check them, and compute the report."""
    user = current_user()
    engine = sloyfe_engine()
    this_year = engine.clock.now().astimezone(OSLO).year
    raw_year = (request.args.get("ar") or "").strip()
    unit_code = (request.args.get("enhet") or "").strip()
    with engine.transaction(read_only=True):
        units, everything = allowed_units(engine, user.username)
        options = _depths(units)
    page = _Request(raw_year or str(this_year), unit_code, options)

    year = _parse_year(raw_year, this_year)
    if year is None:
        log.info("internal-control report rejected a year value=%r", raw_year[:20])
        page.error = _("The year %(year)s is not valid. Enter a year from %(min)s to %(max)s, "
                       "for example %(example)s.", year=raw_year[:20], min=MIN_YEAR,
                       max=MAX_YEAR, example=this_year)
        page.status = 400
        return page
    if not unit_code and not everything and units:
        unit_code = units[0].code
        page.unit_code = unit_code
    if unit_code and unit_code not in {unit.code for unit in units}:
        exists = any(option.code == unit_code for option in _all_codes(engine))
        log.info("internal-control report rejected a unit code=%r", unit_code[:64])
        page.error = _("You can see the report only for the units you lead and the units "
                       "below them. Choose a unit in the list.") if exists else \
            _("No unit has the code %(code)s. Choose a unit in the list.",
              code=unit_code[:64])
        page.status = 403 if exists else 404
        return page
    try:
        page.report = engine.internal_control.report(year, unit_code or None)
    except (InvalidInput, UnitNotFound) as invalid:
        log.info("internal-control report rejected a request code=%s", invalid.code)
        page.error = str(invalid)
        page.status = 400
    return page


def _all_codes(engine: Any) -> list[ScopeOption]:
    with engine.transaction(read_only=True):
        return [ScopeOption(unit.code, unit.name, 0) for unit in engine.organisation.units()]


def charts(report: InternalControlReport) -> dict[str, BarChart]:
    """Lay out the report's charts: deviations by month, tertial, kind and unit."""
    section = report.deviations
    if section.confidential:
        return {}
    this_year, last_year = str(report.year), str(report.year - 1)
    months = get_month_names("abbreviated", locale=get_locale())
    result = {
        "month": bar_chart(_("Deviations by month"), [months[m.number] for m in section.by_month],
                           [[m.count for m in section.by_month],
                            [m.previous for m in section.by_month]], [this_year, last_year]),
        "tertial": bar_chart(
            _("Deviations by tertial"),
            [_("Tertial %(number)s", number=t.number) for t in section.by_tertial],
            [[t.count for t in section.by_tertial], [t.previous for t in section.by_tertial]],
            [this_year, last_year]),
        "kind": bar_chart(_("Deviations by kind"), [row.label for row in section.by_kind],
                          [[row.count for row in section.by_kind],
                           [row.previous for row in section.by_kind]], [this_year, last_year]),
    }
    units = [row for row in report.deviation_units if row.node.depth == 1] or \
        report.deviation_units[:1]
    result["unit"] = bar_chart(_("Deviations by unit"), [row.node.name for row in units],
                               [[row.total for row in units],
                                [row.previous_total for row in units]],
                               [this_year, last_year])
    return result


def _context(page: _Request) -> dict[str, Any]:
    report = page.report
    context: dict[str, Any] = {"page": page, "report": report, "min_year": MIN_YEAR,
                               "max_year": MAX_YEAR}
    if report is not None:
        context["charts"] = charts(report)
        context["tables"] = _compare_tables(report)
        context["month_names"] = get_month_names("wide", locale=get_locale())
        query = {"ar": report.year, **({"enhet": page.unit_code} if page.unit_code else {})}
        context["html_url"] = url_for("internal_control.report_file", **query)
        context["csv_url"] = url_for("internal_control.report_csv", **query)
    return context


def _compare_tables(report: InternalControlReport) -> dict[str, list[tuple[Any, int, int]]]:
    """Return the rows (label, this year, the year before) of the deviation tables."""
    section = report.deviations
    return {
        "tertial": [(_("Tertial %(number)s", number=row.number), row.count, row.previous)
                    for row in section.by_tertial],
        "kind": [(row.label, row.count, row.previous) for row in section.by_kind],
        "severity": [(row.label, row.count, row.previous) for row in section.by_severity],
        "status": [(row.label or _("No status"), row.count, row.previous)
                   for row in section.by_status],
    }


def _file_name(report: InternalControlReport, extension: str) -> str:
    scope = report.scope.unit_code or "kommune"
    safe = "".join(char if char.isascii() and (char.isalnum() or char in "-_") else "-"
                   for char in scope)
    return f"internkontroll-{report.year}-{safe}.{extension}"


def _attachment(body: str | bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/internkontroll")
@access(REPORT_READER)
def report_page() -> tuple[str, int]:
    page = _load_report()
    return render_template("internal_control.html", **_context(page)), page.status


@bp.route("/internkontroll/rapport.html")
@access(REPORT_READER)
def report_file() -> Response | tuple[str, int]:
    """Return the report as one HTML file with its stylesheet inline, for the council papers."""
    page = _load_report()
    if page.report is None:
        return render_template("internal_control.html", **_context(page)), page.status
    stylesheet = Path(current_app.static_folder or "", STYLESHEET).read_text(encoding="utf-8")
    body = render_template("internal_control_file.html", stylesheet=stylesheet,
                           **_context(page))
    return _attachment(body, "text/html", _file_name(page.report, "html"))


@bp.route("/internkontroll/rapport.csv")
@access(REPORT_READER)
def report_csv() -> Response | tuple[str, int]:
    """Return the report's tables as CSV for Excel: semicolons, UTF-8 with a byte order
    mark, Norwegian decimal commas and dates."""
    page = _load_report()
    if page.report is None:
        return render_template("internal_control.html", **_context(page)), page.status
    text = internal_control_csv.render(page.report)
    return _attachment(("\ufeff" + text).encode("utf-8"), "text/csv",
                       _file_name(page.report, "csv"))
