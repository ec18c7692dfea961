"""The tables of the internal-control report as CSV, one table after another.

Each table starts with its title on a line of its own and its column headings, and a blank
line ends it. Fields are separated by semicolons, since Excel with Norwegian settings reads
commas as decimal marks. Shares use a decimal comma, and dates are dd.mm.åååå in Oslo time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from babel.dates import get_month_names
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _

from engine.runtime.timeexpr import OSLO
from engine.services.internal_control import InternalControlReport


def render(report: InternalControlReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    this_year, last_year = str(report.year), str(report.year - 1)

    def table(title: str, headings: list[str], rows: Iterable[list[object]]) -> None:
        writer.writerow([title])
        writer.writerow(headings)
        writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
        writer.writerow([])

    scope = report.scope.unit_name or _("The whole municipality")
    table(_("Internal control report %(year)s", year=report.year),
          [_("Scope"), _("Counted at")], [[scope, date_text(report.as_of)]])

    section = report.deviations
    if section.confidential:
        table(_("Deviations"), [_("Number of deviations"), last_year],
              [[section.total, section.previous_total]])
    else:
        months = get_month_names("wide", locale=get_locale())
        headings = [this_year, last_year]
        table(_("Deviations by kind"), [_("Kind"), *headings],
              [[row.label, row.count, row.previous] for row in section.by_kind])
        table(_("Deviations by severity"), [_("Severity"), *headings],
              [[row.label, row.count, row.previous] for row in section.by_severity])
        table(_("Deviations by status"), [_("Status"), *headings],
              [[row.label or _("No status"), row.count, row.previous]
               for row in section.by_status])
        table(_("Deviations by month"), [_("Month"), *headings],
              [[months[row.number], row.count, row.previous] for row in section.by_month])
        table(_("Deviations by tertial"), [_("Tertial"), *headings],
              [[row.number, row.count, row.previous] for row in section.by_tertial])
        table(_("Deviations by unit"),
              [_("Unit"), _("Level"), _("Own cases"), _("With units below"),
               _("With units below, %(year)s", year=last_year)],
              [[row.node.name, row.node.depth, row.own, row.total, row.previous_total]
               for row in report.deviation_units])
        table(_("Measures"), [_("Open"), _("Overdue"), _("Completed in the year"),
                              _("Completed by the deadline"), _("Share by the deadline (%)")],
              [[len(section.open_measures), section.overdue_measures,
                section.completed_measures, section.completed_on_time,
                percent_text(section.on_time_share)]])
        table(_("Open measures"),
              [_("Case"), _("Measure"), _("Responsible unit"), _("Deadline"),
               _("Deadline passed")],
              [[row.case_key, row.title, row.unit_name, date_text(row.due_at),
                _("Yes") if row.overdue else _("No")] for row in section.open_measures])

    risks = report.risks
    table(_("Risk reviews by status"), [_("Status"), _("Number")],
          [[status or _("No status"), count] for status, count in risks.by_status]
          if not risks.confidential else [[_("All"), risks.total]])
    if not risks.confidential:
        table(_("Risk events by level"), [_("Level"), _("Number")],
              [[level.name, level.count] for level in risks.levels])
        table(_("Risk matrix: number of events"),
              [_("Likelihood"), *risks.consequence_labels],
              [[f"{row.likelihood} {row.label}",
                *(f"{cell.count} ({cell.level})" for cell in row.cells)]
               for row in risks.matrix])
        table(_("High risks without accepted measures"),
              [_("Risk review"), _("Unit"), _("Event"), _("Level"), _("Measures"),
               _("Status")],
              [[risk.review_title, risk.unit_name, risk.event_title, risk.level,
                risk.measures, risk.review_status] for risk in risks.high_risks])

    decisions = report.decisions
    if decisions.confidential:
        table(_("Political decisions"), [_("Number of cases")], [[decisions.cases]])
    else:
        table(_("Decision points by status"), [_("Status"), _("Number")],
              [*([status, count] for status, count in decisions.by_status),
               [_("Deadline passed"), decisions.overdue]])
        table(_("Open decision points"),
              [_("Case number"), _("Case"), _("Point"), _("Decision point"),
               _("Responsible unit"), _("Deadline"), _("Status"), _("Deadline passed"),
               _("Last report")],
              [[point.case_number, point.case_title, point.number, point.text,
                point.unit_name, date_text(point.deadline), point.status,
                _("Yes") if point.overdue else _("No"), report_text(point)]
               for point in decisions.open_points])

    suggestions = report.suggestions
    table(_("Improvement suggestions by outcome"), [_("Outcome"), _("Number")],
          [[row.status, row.count] for row in suggestions.by_status]
          if not suggestions.confidential else [[_("All"), suggestions.total]])
    if report.confidential:
        table(_("Confidential processes (number of cases only)"),
              [_("Process"), _("Number")],
              [[row.process_name, row.count] for row in report.confidential])
    return out.getvalue()


# A text cell that starts with one of these is a formula to Excel. Titles come from users, so
# such a cell gets a leading apostrophe, which Excel shows as text and does not run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(cell: object) -> object:
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def date_text(moment: datetime | None) -> str:
    return moment.astimezone(OSLO).strftime("%d.%m.%Y") if moment is not None else ""


def percent_text(share: float | None) -> str:
    if share is None:
        return ""
    return format_decimal(share * 100, format="#0.0", locale="nb_NO")


def report_text(point: object) -> str:
    status = getattr(point, "reported_status", None)
    per = getattr(point, "reported_per", None)
    if not status:
        return ""
    if per is None:
        return str(status)
    return _("%(status)s per %(date)s", status=status, date=per.strftime("%d.%m.%Y"))
