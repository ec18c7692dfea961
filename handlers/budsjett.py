"""Handlers of the budget cycle (budsjett og økonomiplan), one process instance per budget year.

An instance follows budget year Y. It closes the accounts of Y-1 (by 22.02) and the annual
report (by 31.03), and collects forecasts for Y per 30.04 and 31.08. It ends when the council
has adopted the budget for Y+1 and the economy plan from Y+1 (by 31.12), so every date falls
in Y.

The setting `budsjett.syklus` contains what differs between municipalities: the dates as
day.month texts, the periods after the tertial dates, the groups, and which units report.
DEFAULTS applies to every key the setting leaves out. The setting `budsjett.rammer.<year>` maps
unit codes to the adopted budget frame of that year; adopting a budget writes it.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from engine.i18n import gettext as _
from engine.models import ProcessInstance
from engine.runtime import timeexpr
from engine.runtime.handlers import (
    CheckContext,
    HandlerContext,
    HandlerError,
    start_check,
    task_check,
    topic,
)
from engine.services.organisation import LEADER_ROLE, scoped_group
from handlers import settings as shared_settings

log = logging.getLogger(__name__)

SETTING = "budsjett.syklus"
FRAMES_SETTING = "budsjett.rammer.{year}"
DEFAULTS: dict[str, Any] = {
    # Legal dates (kommuneloven chapter 14 and its regulations).
    "aarsregnskap": "22.02",
    "aarsrapport": "31.03",
    "tertialer": ["30.04", "31.08"],
    "budsjettvedtak": "31.12",
    "offentlig_ettersyn": "P14D",
    "okonomiplan_aar": 4,
    # Internal deadlines: after the figures date of a tertial, and fixed dates.
    "prognosefrist": "P10D",
    "tertialrapportfrist": "P30D",
    "rammer": "30.06",
    "forslag": "15.11",
    # How long after a passed deadline the escalation fires.
    "eskalering_etter_frist": "P0D",
    # How long before the end of the adoption deadline day the reminder about it goes out.
    "paaminnelse_for_budsjettvedtak": "P1M",
    # Who does what.
    "okonomi_gruppe": "okonomi",
    "okonomisjef_gruppe": "okonomisjef",
    "sekretariat_gruppe": "politisk-sekretariat",
    # The user name of the kommunedirektør. Empty means the leader of the top unit.
    "kommunedirektor": "",
    # The kind of unit whose leaders report forecasts, or an explicit list of unit codes.
    "budsjettniva": "enhet",
    "enheter": [],
}
# The economy plan covers at least four years (kommuneloven chapter 14).
MIN_PLAN_YEARS = 4
# The budget years a person may start, relative to the Oslo year of the engine clock. Last
# year is allowed so that a year the timer did not start can still be opened in January. An
# older year would escalate every deadline at once. Next year is not allowed, because the
# timer starts it on 1 January and would then stop with an incident.
YEARS_BEFORE_CURRENT = 1
YEARS_AFTER_CURRENT = 0
# The user tasks whose form has the list `rammer` with one budget frame per unit.
FRAME_TASKS = ("FastsettRammer", "LeggFramForslag", "RegistrerVedtak")


def settings(ctx: HandlerContext) -> dict[str, Any]:
    return shared_settings.merged(ctx, SETTING, DEFAULTS)


def _setting_error(name: str) -> HandlerError:
    return shared_settings.setting_error(SETTING, name)


def day_in_year(rules: dict[str, Any], name: str, year: int, text: Any = None) -> date:
    """Return the date that a day.month text such as "22.02" names in `year`."""
    raw = rules.get(name) if text is None else text
    try:
        day, month = (int(part) for part in str(raw).split("."))
        return date(year, month, day)
    except (TypeError, ValueError):
        raise _setting_error(name) from None


def _duration(rules: dict[str, Any], name: str) -> timeexpr.Duration:
    return shared_settings.duration(SETTING, rules, name)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in Oslo."""
    return datetime.combine(day, time(0, 0), timeexpr.OSLO)


def deadline_pair(rules: dict[str, Any], day: date) -> tuple[str, str]:
    """Return the deadline (the end of `day`) and the escalation instant (once the day has
    passed, plus the setting's delay) as ISO texts."""
    escalation = _duration(rules, "eskalering_etter_frist").add_to(
        start_of_day(day + timedelta(days=1)))
    return timeexpr.end_of_day(day).isoformat(), escalation.isoformat()


def budget_year(ctx: HandlerContext) -> int:
    """Return the budget year from the start form, or the Oslo year of a timer start."""
    value = ctx.variables.get("budsjettaar")
    if value in (None, ""):
        return ctx.now.astimezone(timeexpr.OSLO).year
    try:
        return int(value)
    except (TypeError, ValueError):
        raise HandlerError(_("The budget year %(value)s is not a year. Start the budget year "
                             "again with a year such as 2027.", value=repr(value)),
                           retry=False) from None


def instance_year(instance: ProcessInstance) -> int | None:
    """Return the budget year of an instance: the start form's year, else the Oslo year in
    which the timer started it."""
    written = (instance.start_data or {}).get("budsjettaar")
    if written not in (None, ""):
        try:
            return int(written)
        except (TypeError, ValueError):
            return None
    return instance.started_at.astimezone(timeexpr.OSLO).year


def running_case_of_year(session: Any, process_key: str, year: int,
                         exclude_id: int | None = None) -> ProcessInstance | None:
    """Return a running instance of `process_key` that follows budget year `year`, other than
    `exclude_id`, or None."""
    query = select(ProcessInstance).where(ProcessInstance.definition_key == process_key,
                                          ProcessInstance.status == "running")
    if exclude_id is not None:
        query = query.where(ProcessInstance.id != exclude_id)
    for instance in session.scalars(query.order_by(ProcessInstance.id)):
        if instance_year(instance) == year:
            return instance
    return None


def reject_second_case(ctx: HandlerContext, year: int) -> None:
    """Raise when another running case already follows `year`, so no unit gets its forecast
    tasks twice.

    The start form rejects such a year already. This covers the yearly timer start, which
    has no form, and two starts that pass their checks at the same time.
    """
    other = running_case_of_year(ctx.engine.uow.session, ctx.instance.definition_key, year,
                                 exclude_id=ctx.instance.id)
    if other is not None:
        raise HandlerError(_("The budget year %(year)s already has the case %(key)s. "
                             "Cancel this case, or cancel the other one and retry the "
                             "incident.", year=year, key=other.business_key), retry=False)


@start_check("budsjett")
def check_start(ctx: CheckContext) -> dict[str, list[str]]:
    """Reject a budget year other than last year and this year, and a year that already has
    a running case."""
    text = str(ctx.values.get("budsjettaar") or "").strip()
    if not text.isdigit():
        return {}  # the form's own pattern rule reports it
    year = int(text)
    current = ctx.now.astimezone(timeexpr.OSLO).year
    first, last = current - YEARS_BEFORE_CURRENT, current + YEARS_AFTER_CURRENT
    if not first <= year <= last:
        return {"budsjettaar": [_(
            "The budget year %(year)s cannot be started now. Enter a year from %(first)s to "
            "%(last)s.", year=year, first=first, last=last)]}
    if ctx.engine is None:
        return {}
    other = running_case_of_year(ctx.engine.uow.session, "budsjett", year)
    if other is not None:
        return {"budsjettaar": [_(
            "The budget year %(year)s already has the running case %(key)s. Continue in "
            "that case, or cancel it before you start the year again.",
            year=year, key=other.business_key)]}
    return {}


def check_frame_rows(ctx: CheckContext) -> dict[str, list[str]]:
    """Reject a unit that has more than one row in the list of frames, since only one frame
    per unit can be stored."""
    if "rammer" not in ctx.sent:
        return {}
    rows = ctx.values.get("rammer") or []
    first_row: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        unit = row.get("enhet") if isinstance(row, dict) else None
        if not unit:
            continue
        if unit not in first_row:
            first_row[unit] = index
            continue
        errors[f"rammer[{index}].enhet"] = [_(
            "Row %(row)s repeats the unit %(unit)s from row %(first)s. Give each unit one row "
            "with its whole frame, and remove this row or choose another unit.",
            row=index + 1, unit=ctx.label("rammer[].enhet", unit), first=first_row[unit] + 1)]
    return errors


for _element_id in FRAME_TASKS:
    task_check("budsjett", _element_id)(check_frame_rows)


@task_check("budsjett", "RegistrerVedtak")
def check_decision_date(ctx: CheckContext) -> dict[str, list[str]]:
    """Reject a council decision date after today, since the task records a decision that
    was made."""
    text = ctx.values.get("vedtaksdato")
    if not text:
        return {}
    decided = date.fromisoformat(str(text))
    today = ctx.now.astimezone(timeexpr.OSLO).date()
    if decided > today:
        return {"vedtaksdato": [_(
            "The decision date %(date)s is in the future. Enter the date of the council "
            "meeting that made the decision, at the latest today.",
            date=decided.strftime("%d.%m.%Y"))]}
    return {}


def top_unit(ctx: HandlerContext) -> Any:
    units = ctx.organisation.units(kind="kommune")
    if not units:
        raise HandlerError(_("The organisation has no unit of kind kommune. Create the "
                             "municipality at the top of the unit tree and retry the "
                             "incident."), retry=False)
    return units[0]


def reporting_units(ctx: HandlerContext, rules: dict[str, Any]) -> list[Any]:
    """Return the units whose leaders report forecasts: the setting's `enheter`, else every
    unit of the kind `budsjettniva`. A unit without a leader is an error, since nobody could
    take its task."""
    codes = rules.get("enheter") or []
    if codes:
        units = []
        for code in codes:
            unit = ctx.organisation.find_unit(str(code))
            if unit is None:
                raise _setting_error("enheter")
            units.append(unit)
    else:
        units = ctx.organisation.units(kind=str(rules["budsjettniva"]))
    if not units:
        raise _setting_error("budsjettniva")
    leaderless = [unit.name for unit in units if unit.leader is None]
    if leaderless:
        raise HandlerError(_("These units have no leader to report the forecast: %(units)s. "
                             "Set a leader for each and retry the incident.",
                             units=", ".join(leaderless)), retry=False)
    return units


def frames(ctx: HandlerContext, year: int) -> dict[str, Any]:
    stored = ctx.setting(FRAMES_SETTING.format(year=year)) or {}
    return stored if isinstance(stored, dict) else {}


@topic("budsjett.klargjor")
def prepare_year(ctx: HandlerContext) -> dict[str, Any]:
    """Set the budget year, its title, groups and every date of the cycle.

    The dates are Europe/Oslo days of the budget year, read from the setting, so the timers
    of the diagram and the annual wheel show the same days.
    """
    rules = settings(ctx)
    year = budget_year(ctx)
    reject_second_case(ctx, year)
    municipality = top_unit(ctx)
    plan_years = max(MIN_PLAN_YEARS, int(rules.get("okonomiplan_aar") or MIN_PLAN_YEARS))

    result: dict[str, Any] = {
        "budsjettaar": year,
        "regnskapsaar": year - 1,
        "nytt_budsjettaar": year + 1,
        "okonomiplan_fra": year + 1,
        "okonomiplan_til": year + plan_years,
        # The year's case closes one year's accounts and adopts the next year's budget, so
        # the title names both years.
        "tittel": _("Budget and economy plan %(year)s: accounts %(accounts)s, budget "
                    "%(budget)s", year=year, accounts=year - 1, budget=year + 1),
        "enhet": municipality.code,
        "okonomi_gruppe": str(rules["okonomi_gruppe"]),
        "sekretariat_gruppe": str(rules["sekretariat_gruppe"]),
        "kommunedirektor_gruppe": scoped_group(LEADER_ROLE, municipality.code),
    }
    for name in ("aarsregnskap", "aarsrapport", "rammer", "budsjettvedtak"):
        due, escalation = deadline_pair(rules, day_in_year(rules, name, year))
        result[f"frist_{name}"] = due
        result[f"eskalering_{name}"] = escalation
    result["frist_forslag"] = timeexpr.end_of_day(
        day_in_year(rules, "forslag", year)).isoformat()
    adoption_day = day_in_year(rules, "budsjettvedtak", year)
    # The recommendation must be out for public display before the council can adopt the
    # budget by its deadline, so publishing it is due that display period earlier.
    result["frist_innstilling"] = _duration(rules, "offentlig_ettersyn").subtract_from(
        timeexpr.end_of_day(adoption_day)).isoformat()
    result["paaminnelse_budsjettvedtak"] = _duration(
        rules, "paaminnelse_for_budsjettvedtak").subtract_from(
        start_of_day(adoption_day + timedelta(days=1))).isoformat()

    tertials = rules.get("tertialer") or []
    if len(tertials) != 2:
        raise _setting_error("tertialer")
    for number, text in enumerate(tertials, start=1):
        figures_day = day_in_year(rules, "tertialer", year, text)
        # The figures are per the end of that day, so the tertial opens the next morning.
        result[f"tall_tertial{number}"] = start_of_day(
            figures_day + timedelta(days=1)).isoformat()

    current = frames(ctx, year)
    result["rammer"] = [
        {"enhet": unit.code, "ramme": current.get(unit.code)}
        for unit in reporting_units(ctx, rules)]
    return result


@topic("budsjett.tertial")
def open_tertial(ctx: HandlerContext) -> dict[str, Any]:
    """List one forecast per reporting unit and set the deadlines of the tertial.

    The service task's property `tertial` (1 or 2) picks the figures date from the setting.
    """
    rules = settings(ctx)
    try:
        number = int(ctx.properties.get("tertial", ""))
        text = (rules.get("tertialer") or [])[number - 1]
    except (ValueError, IndexError):
        raise HandlerError(_("The service task %(element)s needs the camunda property "
                             "'tertial' set to 1 or 2. Add it in the modeler.",
                             element=ctx.element_id), retry=False) from None
    year = int(ctx.variables["budsjettaar"])
    figures_day = day_in_year(rules, "tertialer", year, text)
    forecast_day = _duration(rules, "prognosefrist").add_to(
        start_of_day(figures_day)).astimezone(timeexpr.OSLO).date()
    report_day = _duration(rules, "tertialrapportfrist").add_to(
        start_of_day(figures_day)).astimezone(timeexpr.OSLO).date()

    current = frames(ctx, year)
    phase = _("%(number)s. tertial", number=number)
    forecasts = []
    for unit in reporting_units(ctx, rules):
        forecasts.append({
            "enhet": unit.code, "enhetsnavn": unit.name, "ansvarlig": unit.leader.username,
            "ansvarlig_navn": unit.leader.display_name,
            "ramme": current.get(unit.code), "fase": phase, "tall_per": figures_day.isoformat(),
            "frist": forecast_day.isoformat()})

    forecast_due, forecast_escalation = deadline_pair(rules, forecast_day)
    report_due, report_escalation = deadline_pair(rules, report_day)
    return {"tertial": number, "fase": phase, "tall_per": figures_day.isoformat(),
            "prognoser": forecasts,
            "frist_prognose": forecast_due, "eskalering_prognose": forecast_escalation,
            "frist_tertialrapport": report_due,
            "eskalering_tertialrapport": report_escalation}


def whole(value: float) -> int | float:
    """Return `value` as an int when it has no fraction, so forms show 1 000 and not 1 000,0."""
    return int(value) if float(value).is_integer() else value


def deviation(frame: Any, forecast: Any) -> tuple[int | float | None, float | None]:
    """Return the deviation from the budget frame in kr and in per cent of the frame.

    A negative deviation is an overspend (the forecast exceeds the frame). The per cent is
    None when the frame is missing, zero or negative, because a share of such a frame has no
    meaning. The forms reject negative frames, but a stored setting may still contain one.
    """
    if frame is None or forecast is None:
        return None, None
    amount = whole(round(float(frame) - float(forecast), 2))
    if float(frame) <= 0:
        return amount, None
    return amount, round(amount / float(frame) * 100, 1)


@topic("budsjett.avvik")
def compute_deviation(ctx: HandlerContext) -> dict[str, Any]:
    """Compute the unit's deviation from its frame after the leader sent the forecast."""
    forecast = dict(ctx.variables.get("prognose") or {})
    amount, percent = deviation(forecast.get("ramme"), forecast.get("aarsprognose"))
    forecast.update(avvik_kr=amount, avvik_prosent=percent)
    return {"prognose": forecast}


@topic("budsjett.sammenstill")
def consolidate(ctx: HandlerContext) -> dict[str, Any]:
    """Sum the units' forecasts into the tertial report that finance completes.

    The report is also kept as `tertial1` or `tertial2`, so the second tertial does not
    replace the first.
    """
    forecasts = [dict(item) for item in ctx.variables.get("prognoser") or []]
    total_frame = whole(sum(float(item.get("ramme") or 0) for item in forecasts))
    total_forecast = whole(sum(float(item.get("aarsprognose") or 0) for item in forecasts))
    amount, percent = deviation(total_frame, total_forecast)
    number = ctx.variables.get("tertial")
    report = {
        "tertial": number, "tall_per": ctx.variables.get("tall_per"),
        "enheter": forecasts, "sum_ramme": total_frame, "sum_prognose": total_forecast,
        "sum_avvik_kr": amount, "sum_avvik_prosent": percent,
        "enheter_med_merforbruk": sum(1 for item in forecasts
                                      if (item.get("avvik_kr") or 0) < 0),
    }
    return {"tertialrapport": report, f"tertial{number}": report}


@topic("budsjett.ettersyn")
def start_public_display(ctx: HandlerContext) -> dict[str, Any]:
    """Start the public display of the formannskap's recommendation today.

    The council may adopt the budget once the recommendation has been public for the
    period of the setting (14 days by law), so the next step waits until then.
    """
    rules = settings(ctx)
    published = ctx.now.astimezone(timeexpr.OSLO).date()
    ends = _duration(rules, "offentlig_ettersyn").add_to(start_of_day(published))
    return {"lagt_ut": published.isoformat(), "ettersyn_slutt": ends.isoformat(),
            "tidligste_mote": ends.astimezone(timeexpr.OSLO).date().isoformat()}


@topic("budsjett.vedtatt")
def store_adoption(ctx: HandlerContext) -> dict[str, Any]:
    """Store the adopted frames as next year's frames, so its forecasts compare with them."""
    year = int(ctx.variables["nytt_budsjettaar"])
    adopted = {str(row["enhet"]): row.get("ramme")
               for row in ctx.variables.get("rammer") or []
               if isinstance(row, dict) and row.get("enhet")}
    ctx.engine.repository.set_setting(FRAMES_SETTING.format(year=year), adopted,
                                      actor="system")
    ctx.engine.history.record("budget_adopted", "system", instance_id=ctx.instance.id,
                              element_id=ctx.element_id, year=year,
                              plan_to=ctx.variables.get("okonomiplan_til"))
    return {"budsjett_vedtatt": True}

