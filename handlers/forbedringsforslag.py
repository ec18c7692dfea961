"""Handlers of the improvement suggestion process (forbedringsforslag): deadlines and the
message to the proposer.

The durations come from the setting `forbedringsforslag.frister`, so each municipality sets
its own. DEFAULT_DEADLINES applies to every key the setting leaves out. With "kalender":
"virkedager" in the setting, the durations count Norwegian working days.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from engine.i18n import gettext as _
from engine.i18n import use_locale
from engine.runtime import timeexpr
from engine.runtime.calendar import WORKING_DAYS
from engine.runtime.handlers import HandlerContext, HandlerError, topic

SETTING = "forbedringsforslag.frister"
DEFAULT_DEADLINES: dict[str, str] = {
    # The leader assesses a suggestion within two weeks, is reminded three days before the
    # deadline, and the next leader up gets the task a week after it.
    "vurdering": "P14D",
    "paaminnelse_for_frist": "P3D",
    "eskalering_etter_frist": "P7D",
    # The leader sets the implementation deadline, and these place the timers around it.
    "paaminnelse_for_gjennomforing": "P7D",
    "eskalering_etter_gjennomforing": "P14D",
}


def deadline_rules(ctx: HandlerContext) -> dict[str, str]:
    """Merge the setting over the defaults."""
    return {**DEFAULT_DEADLINES, **(ctx.setting(SETTING) or {})}


def _duration(rules: dict[str, str], name: str) -> timeexpr.Duration:
    try:
        return timeexpr.parse_duration(rules[name])
    except (KeyError, TypeError, timeexpr.TimeExpressionError):
        raise HandlerError(_("The setting %(setting)s has no valid ISO 8601 duration for "
                             "%(name)s. Correct the setting and retry the incident.",
                             setting=SETTING, name=name), retry=False) from None


@topic("forbedringsforslag.frister")
def set_assessment_deadlines(ctx: HandlerContext) -> dict[str, Any]:
    """Set the assessment deadline and the times of its reminder and escalation."""
    rules = deadline_rules(ctx)
    working = rules.get("kalender") == WORKING_DAYS
    due = _duration(rules, "vurdering").add_to(ctx.now, working)
    reminder = max(ctx.now, _duration(rules, "paaminnelse_for_frist").subtract_from(due, working))
    escalation = _duration(rules, "eskalering_etter_frist").add_to(due, working)
    return {"frist_vurdering": due.isoformat(),
            "paaminnelse_vurdering": reminder.isoformat(),
            "eskalering_vurdering": escalation.isoformat()}


@topic("forbedringsforslag.frister-gjennomforing")
def set_implementation_timers(ctx: HandlerContext) -> dict[str, Any]:
    """Place the reminder and escalation around the deadline the leader chose.

    A date without a time means the end of that day in Oslo, as for the task's own deadline.
    """
    rules = deadline_rules(ctx)
    working = rules.get("kalender") == WORKING_DAYS
    due = _end_of_deadline(ctx.variables.get("frist_gjennomforing"))
    reminder = max(ctx.now, _duration(rules, "paaminnelse_for_gjennomforing").subtract_from(
        due, working))
    escalation = _duration(rules, "eskalering_etter_gjennomforing").add_to(due, working)
    return {"paaminnelse_gjennomforing": reminder.isoformat(),
            "eskalering_gjennomforing": escalation.isoformat()}


def _end_of_deadline(value: Any) -> datetime:
    try:
        if isinstance(value, str) and len(value.strip()) == 10:
            return timeexpr.end_of_day(date.fromisoformat(value.strip()))
        return timeexpr.to_utc_instant(value)
    except (ValueError, timeexpr.TimeExpressionError):
        raise HandlerError(_("The deadline %(value)s is not a date. Correct the variable "
                             "%(name)s and retry the incident.", value=repr(value),
                             name="frist_gjennomforing"), retry=False) from None


@topic("forbedringsforslag.gi-beskjed")
def tell_proposer(ctx: HandlerContext) -> dict[str, Any]:
    """E-mail the proposer that the suggestion was carried out or rejected.

    The e-mail contains a link to the case, never its content.
    """
    proposer = ctx.variables.get("forslagsstiller")
    outcome = ctx.properties.get("utfall", "gjennomfort")
    user = ctx.organisation.find_user(proposer)
    if user is not None:
        with use_locale(user.locale or "nb"):
            key = ctx.instance.business_key or str(ctx.instance.id)
            if outcome == "avslatt":
                subject = _("Your improvement suggestion %(key)s was rejected", key=key)
            else:
                subject = _("Your improvement suggestion %(key)s has been carried out",
                            key=key)
            body = _("Hello %(name)s,\n\nYour improvement suggestion has been handled. Open "
                     "the case to read the outcome:\n%(link)s\n\nThis message was sent by "
                     "Sløyfe.", name=user.display_name, link=ctx.case_link())
        ctx.send_mail(user.username, subject, body)
    return {"forslagsstiller_varslet": ctx.now.isoformat(), "utfall": outcome}
