"""Handlers of the follow-up of political decisions (oppfølging av politiske vedtak).

The setting `politisk-vedtak.oppfolging` contains what differs between municipalities:
who distributes the decision points, the deadline for that, the reminder and escalation
around each deadline, the unit the cases belong to, and the dates the points report their
status on. DEFAULTS applies to every key the setting leaves out. The reporting dates default
to the tertial dates 30.04 and 31.08, so the points' status follows the tertial reports to
the council.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any

from engine.i18n import gettext as _
from engine.runtime import timeexpr
from engine.runtime.calendar import WORKING_DAYS
from engine.runtime.handlers import HandlerContext, HandlerError, topic
from handlers import settings as shared_settings

log = logging.getLogger(__name__)

SETTING = "politisk-vedtak.oppfolging"
DEFAULTS: dict[str, Any] = {
    "fordeles_av": "politisk-sekretariat",
    "fordeling": "P14D",
    "paaminnelse_for_fordeling": "P3D",
    "eskalering_etter_fordeling": "P3D",
    "paaminnelse_for_frist": "P14D",
    "eskalering_etter_frist": "P1D",
    "rapporteringsdatoer": ["30.04", "31.08"],
    "rapporteringsfrist": "P14D",
    # Time for the follow-up steps of a point, counted from when each task opens: the unit
    # leader confirms an implemented point, the owner writes the briefing about an obstacle,
    # and the secretariat records what the body decided after it (usually at its next meeting).
    "bekreftelse": "P7D",
    "orientering": "P14D",
    "avklaring": "P60D",
}
# The status of a distributed point that nobody has reported on yet.
NOT_STARTED = "Ikke startet"


def settings(ctx: HandlerContext) -> dict[str, Any]:
    return shared_settings.merged(ctx, SETTING, DEFAULTS)


def _setting_error(name: str) -> HandlerError:
    return shared_settings.setting_error(SETTING, name)


def _duration(rules: dict[str, Any], name: str) -> timeexpr.Duration:
    return shared_settings.duration(SETTING, rules, name)


def _points(value: Any) -> list[dict[str, Any]]:
    """Read decision points as a form or the archive system sends them: texts or objects."""
    if isinstance(value, str):
        value = [line for line in value.splitlines() if line.strip()]
    points = []
    for item in value or []:
        point = dict(item) if isinstance(item, dict) else {"tekst": str(item)}
        if str(point.get("tekst") or "").strip():
            points.append(point)
    return points


@topic("politisk-vedtak.registrer")
def register_decision(ctx: HandlerContext) -> dict[str, Any]:
    """Copy the registered decision points to `fordeling` for the distributor, and set who
    distributes them and by when.

    A decision without separate points becomes one point holding the whole decision text.
    """
    points = _points(ctx.variables.get("vedtakspunkter"))
    if not points:
        text = str(ctx.variables.get("vedtakstekst") or "").strip()
        if not text:
            raise HandlerError(_("The decision has neither decision points nor a decision "
                                 "text. Send the decision again with its text."), retry=False)
        points = [{"tekst": text}]

    rules = settings(ctx)
    working = rules.get("kalender") == WORKING_DAYS
    due = _duration(rules, "fordeling").add_to(ctx.now, working)
    reminder = max(ctx.now, _duration(rules, "paaminnelse_for_fordeling").subtract_from(
        due, working))
    result = {
        "fordeling": points,
        "fordeles_av": str(rules["fordeles_av"]),
        "frist_fordeling": due.isoformat(),
        "paaminnelse_fordeling": reminder.isoformat(),
        "eskalering_fordeling": _duration(rules, "eskalering_etter_fordeling").add_to(
            due, working).isoformat(),
    }
    if not ctx.variables.get("enhet"):
        result["enhet"] = _case_unit(ctx, rules)
    return result


def _case_unit(ctx: HandlerContext, rules: dict[str, Any]) -> str | None:
    """Return the unit the case belongs to: the setting's `enhet`, else the municipality at
    the top of the unit tree, whose leaders then see every decision case."""
    if rules.get("enhet"):
        return str(rules["enhet"])
    top = ctx.organisation.units(kind="kommune")
    return top[0].code if top else None


@topic("politisk-vedtak.klargjor")
def prepare_points(ctx: HandlerContext) -> dict[str, Any]:
    """Copy the distributed points to `punkter`, numbered and marked not started.

    The engine merges a submitted list into the stored one row by row, so a row the
    distributor removed stays behind as it was registered, without a unit. Only rows with a
    unit, a person and a deadline become points.
    """
    points = [point for point in _points(ctx.variables.get("fordeling"))
              if point.get("enhet") and point.get("ansvarlig") and point.get("frist")]
    if not points:
        raise HandlerError(_("No decision point has a responsible unit, person and deadline. "
                             "Correct the variable %(name)s and retry the incident.",
                             name="fordeling"), retry=False)
    for number, point in enumerate(points, start=1):
        point["nr"] = number
        point["status"] = NOT_STARTED
    return {"punkter": points}


@topic("politisk-vedtak.punktfrist")
def set_point_deadline(ctx: HandlerContext) -> dict[str, Any]:
    """Place the reminder and escalation around the point's deadline.

    After the body has decided that the point continues, its new deadline (`ny_frist`)
    replaces the old one.
    """
    point = dict(ctx.variables.get("punkt") or {})
    if ctx.variables.get("ny_frist"):
        point["frist"] = ctx.variables["ny_frist"]
    due = _end_of_day(point.get("frist"))
    rules = settings(ctx)
    working = rules.get("kalender") == WORKING_DAYS
    reminder = max(ctx.now, _duration(rules, "paaminnelse_for_frist").subtract_from(
        due, working))
    escalation = _duration(rules, "eskalering_etter_frist").add_to(due, working)
    point.update(paaminnelse=reminder.isoformat(), eskalering=escalation.isoformat())
    follow_up = {f"frist_{name}": _duration_text(rules, name)
                 for name in ("bekreftelse", "orientering", "avklaring")}
    return {"punkt": point, "ny_frist": None, "utfall": None, "bekreftet": None,
            "avklaring": None, **follow_up}


def _duration_text(rules: dict[str, Any], name: str) -> str:
    """Return a setting's duration as ISO 8601 text, which a task's due date counts from when
    the task opens."""
    _duration(rules, name)  # raises a bokmål error when the setting is not a duration
    return str(rules[name]).strip()


def _end_of_day(value: Any) -> datetime:
    try:
        return timeexpr.end_of_day(date.fromisoformat(str(value).strip()[:10]))
    except ValueError:
        raise HandlerError(_("The decision point has no valid deadline (%(value)s). Give it "
                             "a date and retry the incident.", value=repr(value)),
                           retry=False) from None


@topic("politisk-vedtak.punktstatus")
def set_point_status(ctx: HandlerContext) -> dict[str, Any]:
    """Set the status that the service task's property `punktstatus` names on the point."""
    status = ctx.properties.get("punktstatus")
    if not status:
        raise HandlerError(_("The service task %(element)s has no camunda property "
                             "'punktstatus'. Add it in the modeler.", element=ctx.element_id),
                           retry=False)
    point = dict(ctx.variables.get("punkt") or {})
    point["status"] = status
    ctx.engine.history.record("decision_point_status", "system", instance_id=ctx.instance.id,
                              element_id=ctx.element_id, point=point.get("nr"),
                              status=status)
    return {"punkt": point}


def reporting_dates(rules: dict[str, Any], year: int) -> list[date]:
    """Return the reporting dates of `year`, from day.month texts such as "30.04"."""
    dates = []
    for text in rules.get("rapporteringsdatoer") or []:
        try:
            day, month = (int(part) for part in str(text).split("."))
            dates.append(date(year, month, day))
        except ValueError:
            raise _setting_error("rapporteringsdatoer") from None
    if not dates:
        raise _setting_error("rapporteringsdatoer")
    return sorted(dates)


def next_reporting_date(rules: dict[str, Any], after: date) -> date:
    """Return the first reporting date later than `after`."""
    for year in (after.year, after.year + 1):
        for day in reporting_dates(rules, year):
            if day > after:
                return day
    raise _setting_error("rapporteringsdatoer")


@topic("politisk-vedtak.neste-rapportering")
def schedule_report(ctx: HandlerContext) -> dict[str, Any]:
    """Set when the point next reports its status and the deadline of that report.

    The next date follows the previous reporting date, not today, so a report handed in
    after the following date was already due is still asked for at once.
    """
    rules = settings(ctx)
    previous = ctx.variables.get("rapport_per")
    after = date.fromisoformat(previous) if previous else ctx.now.astimezone(
        timeexpr.OSLO).date()
    day = next_reporting_date(rules, after)
    due_at = datetime.combine(day, time(0, 0), timeexpr.OSLO)
    working = rules.get("kalender") == WORKING_DAYS
    report_due = _duration(rules, "rapporteringsfrist").add_to(due_at, working)
    return {"rapport_per": day.isoformat(), "neste_rapportering": due_at.isoformat(),
            "frist_rapport": report_due.isoformat()}


@topic("politisk-vedtak.lagre-rapport")
def store_report(ctx: HandlerContext) -> dict[str, Any]:
    """Record the reported status in the audit trail as decision_point_reported, with the
    point number, the reporting date and the status but no free text.

    The comment stays in the submitted data of the report task.
    NOTE: the report does not change the point's status in `punkter`. The reporting branch
    has its own copy of the point, and the subprocess ends with the implementation branch's.
    """
    point = ctx.variables.get("punkt") or {}
    ctx.engine.history.record("decision_point_reported", "system",
                              instance_id=ctx.instance.id, element_id=ctx.element_id,
                              point=point.get("nr"), per=ctx.variables.get("rapport_per"),
                              status=ctx.variables.get("rapport_status"))
    return {"rapport_status": None, "rapport_kommentar": None}
