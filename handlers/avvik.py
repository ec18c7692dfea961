"""Handlers of the deviation process (avvikshåndtering): deadlines, transfer, telling the reporter.

Deadlines come from the setting `avvik.frister`, looked up by kind and severity, so each
municipality sets its own; DEFAULT_DEADLINES applies only where the setting is silent. With
"kalender": "virkedager" in a rule, its days count Norwegian working days. The 72-hour
deadline to Datatilsynet always counts hours, because GDPR article 33 does.

The start check rejects a report whose times or subcategory cannot be right, on every start
path, before a case exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from engine.i18n import gettext as _
from engine.i18n import use_locale
from engine.runtime import timeexpr
from engine.runtime.calendar import WORKING_DAYS
from engine.runtime.handlers import (
    CheckContext,
    HandlerContext,
    HandlerError,
    start_check,
    task_check,
    topic,
)

DEFAULT_DEADLINES: dict[str, Any] = {
    # "evaluering" and "lukking" count from when the evaluation and the closing task open.
    "standard": {"vurdering": "P3D", "paaminnelse_for_frist": "P1D",
                 "eskalering_etter_frist": "P2D", "strakstiltak": "P1D", "analyse": "P14D",
                 "evaluering": "P14D", "lukking": "P7D"},
    "alvorlighetsgrad": {
        "Kritisk": {"vurdering": "PT4H", "paaminnelse_for_frist": "PT2H",
                    "eskalering_etter_frist": "PT4H", "strakstiltak": "PT4H", "analyse": "P3D"},
        "Høy": {"vurdering": "P1D", "paaminnelse_for_frist": "PT6H",
                "eskalering_etter_frist": "P1D", "strakstiltak": "P1D", "analyse": "P7D"},
    },
    "kategori": {},
    "datatilsynet": {"frist": "PT72H", "varsel_for_frist": "PT24H"},
}
DEFAULT_PRIORITIES = {"Kritisk": 100, "Høy": 80, "Middels": 50, "Lav": 30, "Ubetydelig": 10}
# How far the reporter's clock may run ahead of the server's before a time counts as future.
CLOCK_SKEW = timedelta(minutes=5)
# The tasks that notify Datatilsynet, Arbeidstilsynet and the police, in both notification
# branches of bpmn/avvik.bpmn. A case that ends while one is open waits for it.
NOTIFICATION_TASKS = ("VurderDatatilsynet", "VarsleMyndigheter", "NyVurderDatatilsynet",
                      "NyVarsleMyndigheter")
# The case statuses of the end events AvvikLukketVenter and AvvikAvvistVenter in
# bpmn/avvik.bpmn, with the outcome the case gets when the notification branch ends.
WAITING_STATUSES = {"Lukket, venter på varsling": "lukket",
                    "Avvist, venter på varsling": "avvist"}


def deadline_rules(settings: dict[str, Any], kind: str | None, severity: str | None
                   ) -> dict[str, str]:
    """Merge the deadline durations: standard, then kind, then severity, then both."""
    rules = dict(DEFAULT_DEADLINES["standard"])
    rules.update(settings.get("standard", {}))
    rules.update((settings.get("kategori") or {}).get(kind or "", {}))
    rules.update((settings.get("alvorlighetsgrad") or {}).get(severity or "", {}))
    rules.update((settings.get("kategori_alvorlighetsgrad") or {}).get(f"{kind}/{severity}", {}))
    return rules


def _duration(rules: dict[str, str], name: str) -> timeexpr.Duration:
    try:
        return timeexpr.parse_duration(rules[name])
    except (KeyError, timeexpr.TimeExpressionError):
        raise HandlerError(_("The setting avvik.frister has no valid ISO 8601 duration for "
                             "%(name)s. Correct the setting and retry the incident.",
                             name=name), retry=False) from None


def _duration_text(rules: dict[str, str], name: str) -> str:
    """Return a duration as ISO 8601 text, which a task's due date counts from when the task
    opens."""
    _duration(rules, name)  # raises a bokmål error when the setting is not a duration
    return str(rules[name]).strip()


def compute_deadlines(ctx: HandlerContext) -> dict[str, Any]:
    """Compute the deadlines of a case from its current kind and severity.

    The assessment deadline counts from now, so a transferred case gets a fresh one in the
    new unit. The deadlines for the immediate measures and the analysis count from the
    report (the start of the instance), so recomputing them after a late assessment or a
    changed severity does not push them past the durations in the setting.
    """
    settings = ctx.setting("avvik.frister") or DEFAULT_DEADLINES
    variables = ctx.variables
    now = ctx.now
    reported = ctx.instance.started_at or now
    rules = deadline_rules(settings, variables.get("kategori"), variables.get("alvorlighetsgrad"))

    working = rules.get("kalender") == WORKING_DAYS
    due = _duration(rules, "vurdering").add_to(now, working)
    reminder = max(now, _duration(rules, "paaminnelse_for_frist").subtract_from(due, working))
    escalation = _duration(rules, "eskalering_etter_frist").add_to(due, working)
    priorities = {**DEFAULT_PRIORITIES, **(ctx.setting("avvik.prioritet") or {})}
    result: dict[str, Any] = {
        "frist_vurdering": due.isoformat(),
        "paaminnelse_vurdering": reminder.isoformat(),
        "eskalering_vurdering": escalation.isoformat(),
        "frist_strakstiltak": _duration(rules, "strakstiltak").add_to(reported,
                                                                      working).isoformat(),
        "frist_analyse": _duration(rules, "analyse").add_to(reported, working).isoformat(),
        "frist_evaluering": _duration_text(rules, "evaluering"),
        "frist_lukking": _duration_text(rules, "lukking"),
        "prioritet": int(priorities.get(variables.get("alvorlighetsgrad"), 50)),
    }

    if "personopplysninger_ved_melding" not in variables:
        # What the reporter flagged; the assessment starts the notifications for flags that
        # the handler adds later, and only for those.
        result["personopplysninger_ved_melding"] = bool(variables.get("personopplysninger"))
        result["alvorlig_ved_melding"] = bool(variables.get("personskade")
                                              and variables.get("alvorlig_hendelse"))

    if variables.get("personopplysninger"):
        privacy = {**DEFAULT_DEADLINES["datatilsynet"], **(settings.get("datatilsynet") or {})}
        discovered = _instant(variables.get("oppdaget")) or _instant(
            variables.get("tidspunkt")) or now
        privacy_due = _duration(privacy, "frist").add_to(discovered)
        warning = max(now, _duration(privacy, "varsel_for_frist").subtract_from(privacy_due))
        result["frist_datatilsynet"] = privacy_due.isoformat()
        result["varsel_datatilsynet"] = warning.isoformat()
    return result


def _instant(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return timeexpr.to_utc_instant(value)
    except timeexpr.TimeExpressionError:
        return None


@start_check("avvik")
def check_report(ctx: CheckContext) -> dict[str, list[str]]:
    """Reject an event time or discovery time in the future, a discovery before the event,
    and a subcategory of another kind than the chosen one.

    The subcategory options (the setting `skjemaverdier.underkategorier`) are the one list
    of valid pairs: each value starts with its kind and a slash, as in "hms/vold-trusler".
    """
    errors = _discovery_errors(ctx)
    happened = _instant(ctx.values.get("tidspunkt"))
    if happened is not None and happened > ctx.now + CLOCK_SKEW:
        errors["tidspunkt"] = [_(
            "The time of the event, %(time)s, is in the future. Give the time it happened, "
            "at the latest now.", time=_local_text(happened))]

    kind = ctx.values.get("kategori")
    subkind = ctx.values.get("underkategori")
    if kind and subkind and "/" in str(subkind) and str(subkind).split("/", 1)[0] != kind:
        errors["underkategori"] = [_(
            "The subcategory %(subkind)s does not belong to the kind %(kind)s. Choose a "
            "subcategory of that kind, or change the kind.",
            subkind=ctx.label("underkategori", subkind), kind=ctx.label("kategori", kind))]
    return errors


@task_check("avvik", "VurderAvvik")
def check_assessment(ctx: CheckContext) -> dict[str, list[str]]:
    """Reject a discovery time in the future or before the reported event time, when the
    handler flags personal data and gives the discovery time.

    A discovery time that only the report contains was checked at the start, so a case from
    before that check still lets the handler through.
    """
    if "oppdaget" not in ctx.sent:
        return {}
    return _discovery_errors(ctx)


def _discovery_errors(ctx: CheckContext) -> dict[str, list[str]]:
    discovered = _instant(ctx.values.get("oppdaget"))
    if discovered is None:
        return {}
    if discovered > ctx.now + CLOCK_SKEW:
        return {"oppdaget": [_(
            "The time of discovery, %(time)s, is in the future. Give the time the breach "
            "was discovered, at the latest now.", time=_local_text(discovered))]}
    happened = _instant(ctx.values.get("tidspunkt"))
    if happened is not None and discovered < happened:
        return {"oppdaget": [_(
            "The breach cannot be discovered (%(discovered)s) before the event happened "
            "(%(happened)s). Correct one of the two times.",
            discovered=_local_text(discovered), happened=_local_text(happened))]}
    return {}


def _local_text(moment: datetime) -> str:
    return moment.astimezone(timeexpr.OSLO).strftime("%d.%m.%Y %H:%M")


@topic("avvik.frister", outputs=("personopplysninger_ved_melding", "alvorlig_ved_melding"))
def set_deadlines(ctx: HandlerContext) -> dict[str, Any]:
    """Set the deadlines, reminder and escalation times and the priority of the case."""
    return compute_deadlines(ctx)


@topic("avvik.overfor", outputs=("personopplysninger_ved_melding", "alvorlig_ved_melding"))
def transfer(ctx: HandlerContext) -> dict[str, Any]:
    """Move the case to the unit the handler chose, with fresh deadlines there."""
    target = ctx.variables.get("ny_enhet")
    unit = ctx.organisation.find_unit(target)
    if unit is None:
        raise HandlerError(_("The unit %(unit)s that the case should move to does not exist. "
                             "Correct the unit and retry the incident.", unit=target or "-"),
                           retry=False)
    source = ctx.variables.get("enhet")
    ctx.engine.history.record("case_transferred", "system", instance_id=ctx.instance.id,
                              element_id=ctx.element_id, from_unit=source, to_unit=unit.code)
    ctx.variables["enhet"] = unit.code
    result = compute_deadlines(ctx)
    result.update({"enhet": unit.code, "beslutning": None, "ny_enhet": None,
                   "overfort_fra": source,
                   "antall_overforinger": int(ctx.variables.get("antall_overforinger") or 0) + 1})
    return result


@topic("avvik.varsle-melder", outputs=("varsling_pagar",))
def tell_reporter(ctx: HandlerContext) -> dict[str, Any]:
    """E-mail the reporter that the case is closed or rejected, with a link (no content)."""
    reporter = ctx.variables.get("melder")
    outcome = ctx.properties.get("utfall", "lukket")
    user = ctx.organisation.find_user(reporter)
    if user is not None:
        with use_locale(user.locale or "nb"):
            key = ctx.instance.business_key or str(ctx.instance.id)
            if outcome == "avvist":
                subject = _("Your deviation report %(key)s was rejected", key=key)
            else:
                subject = _("Your deviation report %(key)s is closed", key=key)
            body = _("Hello %(name)s,\n\nThe deviation you reported has been handled. Open the "
                     "case to read the outcome:\n%(link)s\n\nThis message was sent by Sløyfe.",
                     name=user.display_name, link=ctx.case_link())
        ctx.send_mail(user.username, subject, body)
    return {"melder_varslet": ctx.now.isoformat(), "utfall": outcome,
            "varsling_pagar": _notification_open(ctx)}


def _notification_open(ctx: HandlerContext) -> bool:
    return any(ctx.open_tasks(element) for element in NOTIFICATION_TASKS)


@topic("avvik.varsling-ferdig", outputs=("sak_utfall",))
def finish_notification(ctx: HandlerContext) -> dict[str, Any]:
    """Return the outcome that a case waiting for its notification tasks gets now that they
    are done: "lukket", "avvist", or None while the handling of the case goes on."""
    return {"sak_utfall": WAITING_STATUSES.get(ctx.instance.case_status or "")}
