"""Handlers of the risk review (risikovurdering, NS 5814): matrix, risk levels, measures and
the approval with its yearly renewal.

Two settings hold what differs between municipalities. `risikovurdering.matrise` is the risk
matrix (engine/risk_matrix.py describes it). `risikovurdering.frister` contains the durations
in DEFAULT_DEADLINES, which apply to every key the setting leaves out. With "kalender":
"virkedager" they count Norwegian working days.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from engine.i18n import gettext as _
from engine.i18n import ngettext
from engine.risk_matrix import SETTING as MATRIX_SETTING
from engine.risk_matrix import InvalidMatrix, RiskMatrix, merged_setting, parse_matrix
from engine.runtime import timeexpr
from engine.runtime.calendar import WORKING_DAYS
from engine.runtime.handlers import (
    CheckContext,
    HandlerContext,
    HandlerError,
    task_check,
    topic,
)

DEADLINE_SETTING = "risikovurdering.frister"
DEFAULT_DEADLINES: dict[str, str] = {
    # The risk owner approves the mandate within a week, and the process leader plans the
    # round within two weeks of its start.
    "godkjenn_mandat": "P7D",
    "planlegging": "P14D",
    # The owner of a measure is reminded a week before its deadline, and the task goes to the
    # next leader up as soon as the deadline has passed.
    "paaminnelse_for_tiltaksfrist": "P7D",
    "eskalering_etter_tiltaksfrist": "PT0S",
    # The next review starts a year after the approval. The approved review stays valid three
    # months longer, so the next one can be approved before it runs out.
    "neste_gjennomgang": "P1Y",
    "gyldighet": "P1Y3M",
}
# The analysis fields of an event. A new round clears them and keeps the event itself.
ANALYSIS_FIELDS = ("nr", "aarsaker", "barrierer", "sannsynlighet", "konsekvens",
                   "kunnskapsstyrke", "risikonivaa", "farge", "akseptabel",
                   "rest_sannsynlighet", "rest_konsekvens", "rest_risikonivaa", "rest_farge",
                   "rest_akseptabel")
# The decisions of the risk owner and the process leader in the previous round.
ROUND_DECISIONS = ("beslutning_mandat", "kommentar_mandat", "evaluering",
                   "beslutning_restrisiko", "kommentar_restrisiko", "frist")


def deadline_rules(ctx: HandlerContext) -> dict[str, str]:
    """Merge the setting over the defaults."""
    return {**DEFAULT_DEADLINES, **(ctx.setting(DEADLINE_SETTING) or {})}


def _duration(rules: dict[str, str], name: str) -> timeexpr.Duration:
    try:
        return timeexpr.parse_duration(rules[name])
    except (KeyError, TypeError, AttributeError, timeexpr.TimeExpressionError):
        raise HandlerError(_("The setting %(setting)s has no valid ISO 8601 duration for "
                             "%(name)s. Correct the setting and retry the incident.",
                             setting=DEADLINE_SETTING, name=name), retry=False) from None


def setting_matrix(ctx: HandlerContext) -> RiskMatrix:
    """Read the risk matrix from the setting, or raise a HandlerError saying what to fix."""
    try:
        return parse_matrix(merged_setting(ctx.setting(MATRIX_SETTING)))
    except InvalidMatrix as error:
        raise HandlerError(_("The setting %(setting)s is invalid: %(reason)s. Correct the "
                             "setting and retry the incident.", setting=MATRIX_SETTING,
                             reason=str(error)), retry=False) from None


def case_matrix(ctx: HandlerContext) -> RiskMatrix:
    """Return the matrix this round copied into the variable `matrise`."""
    try:
        return parse_matrix(ctx.variables.get("matrise") or {})
    except InvalidMatrix as error:
        raise HandlerError(_("The variable %(name)s does not hold a valid risk matrix: "
                             "%(reason)s.", name="matrise", reason=str(error)),
                           retry=False) from None


def _scale_options(labels: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"label": f"{number} – {label}", "value": number}
            for number, label in enumerate(labels, start=1)]


def _scale_text(labels: tuple[str, ...]) -> str:
    return "\n".join(f"{number} – {label}" for number, label in enumerate(labels, start=1))


def _joined(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


def _criteria_text(matrix: RiskMatrix) -> str:
    acceptable = [level.name for level in matrix.levels if level.acceptable]
    unacceptable = [level.name for level in matrix.levels if not level.acceptable]
    text = ngettext("Risk at the level %(levels)s is acceptable.",
                    "Risk at the levels %(levels)s is acceptable.", len(acceptable),
                    levels=_joined(acceptable))
    if unacceptable:
        text += " " + ngettext(
            "Risk at the level %(levels)s is not acceptable and needs measures.",
            "Risk at the levels %(levels)s is not acceptable and needs measures.",
            len(unacceptable), levels=_joined(unacceptable))
    return text


@topic("risikovurdering.klargjor", outputs=("gyldig_til",))
def prepare_round(ctx: HandlerContext) -> dict[str, Any]:
    """Start a round: copy the matrix from the setting, and offer its scales in the forms.

    A later round keeps the plan and the events of the previous one as a starting point, and
    clears their analysis, the measures and the decisions.
    """
    matrix = setting_matrix(ctx)
    rules = deadline_rules(ctx)
    _duration(rules, "godkjenn_mandat")
    _duration(rules, "planlegging")
    variables = ctx.variables
    round_number = int(variables.get("runde") or 0) + 1
    result: dict[str, Any] = {
        "runde": round_number,
        "matrise": matrix.to_variable(),
        "sannsynlighetsvalg": _scale_options(matrix.likelihood_labels),
        "konsekvensvalg": _scale_options(matrix.consequence_labels),
        "frist_mandat": rules["godkjenn_mandat"],
        "frist_planlegging": rules["planlegging"],
        "restrisiko_vurdert": False,
        # The round's timer "Gyldigheten går ut" waits only when an earlier approval exists.
        "gyldig_til": variables.get("gyldig_til"),
    }
    # The plan keeps last year's wording of the scales and criteria unless the matrix behind
    # them has changed since.
    changed = variables.get("matrise") != result["matrise"]
    if changed or not variables.get("skala_sannsynlighet"):
        result["skala_sannsynlighet"] = _scale_text(matrix.likelihood_labels)
    if changed or not variables.get("skala_konsekvens"):
        result["skala_konsekvens"] = _scale_text(matrix.consequence_labels)
    if changed or not variables.get("akseptkriterier"):
        result["akseptkriterier"] = _criteria_text(matrix)

    if round_number > 1:
        # Handler results are merged into the variables row by row, so a cleared field must
        # be set to None: a row without the key would keep last year's value.
        result["hendelser"] = [
            {"tittel": event.get("tittel"), "beskrivelse": event.get("beskrivelse"),
             **dict.fromkeys(ANALYSIS_FIELDS)}
            for event in variables.get("hendelser") or [] if isinstance(event, dict)]
        result.update(dict.fromkeys(ROUND_DECISIONS))
        result.update({"tiltak": [], "tiltak_fordelt": [], "tiltak_runde": []})
    return result


def _scale_value(value: Any, size: int, name: str, event: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= size:
        raise HandlerError(_("The event %(event)s has no %(name)s from 1 to %(size)s. Correct "
                             "the variable hendelser and retry the incident.",
                             event=event, name=name, size=size), retry=False)
    return number


def _assess(matrix: RiskMatrix, event: dict[str, Any], prefix: str) -> dict[str, Any]:
    title = str(event.get("tittel") or "")
    likelihood = _scale_value(event.get(f"{prefix}sannsynlighet"), matrix.likelihood_size,
                              f"{prefix}sannsynlighet", title)
    consequence = _scale_value(event.get(f"{prefix}konsekvens"), matrix.consequence_size,
                               f"{prefix}konsekvens", title)
    level = matrix.level(likelihood, consequence)
    return {f"{prefix}sannsynlighet": likelihood, f"{prefix}konsekvens": consequence,
            f"{prefix}risikonivaa": level.name, f"{prefix}farge": level.colour,
            f"{prefix}akseptabel": level.acceptable}


@topic("risikovurdering.beregn")
def assess_events(ctx: HandlerContext) -> dict[str, Any]:
    """Number the events and give each its risk level from the round's matrix.

    The residual likelihood and consequence start out equal to the analysed ones, so an event
    without measures keeps its risk unless the risk owner changes them.
    """
    matrix = case_matrix(ctx)
    events = []
    for number, raw in enumerate(ctx.variables.get("hendelser") or [], start=1):
        event = {**raw, "nr": number, **_assess(matrix, raw, "")}
        event["rest_sannsynlighet"] = event["sannsynlighet"]
        event["rest_konsekvens"] = event["konsekvens"]
        events.append(event)
    if not events:
        raise HandlerError(_("The review has no events to analyse. Correct the variable "
                             "hendelser and retry the incident."), retry=False)
    return {"hendelser": events,
            "risikooversikt": "\n".join(_overview_line(event) for event in events),
            "hendelsesvalg": [{"label": f"{event['nr']}. {event.get('tittel')}",
                               "value": event["nr"]} for event in events],
            "over_akseptgrensen": sum(1 for event in events if not event["akseptabel"])}


def _overview_line(event: dict[str, Any]) -> str:
    line = _("%(number)s. %(title)s: %(level)s (likelihood %(likelihood)s, consequence "
             "%(consequence)s)", number=event["nr"], title=event.get("tittel") or "",
             level=event["risikonivaa"], likelihood=event["sannsynlighet"],
             consequence=event["konsekvens"])
    if not event["akseptabel"]:
        line += " – " + _("above the acceptance limit")
    return line


def _measure_key(measure: dict[str, Any]) -> list[Any]:
    return [measure.get("tittel"), measure.get("hendelse"), measure.get("ansvarlig"),
            measure.get("frist")]


def _end_of_deadline(value: Any, title: str) -> datetime:
    try:
        return timeexpr.end_of_day(date.fromisoformat(str(value).strip()[:10]))
    except ValueError:
        raise HandlerError(_("The measure %(title)s has no valid deadline (%(value)s). Correct "
                             "the variable tiltak and retry the incident.",
                             title=title, value=repr(value)), retry=False) from None


@topic("risikovurdering.tiltak")
def prepare_measures(ctx: HandlerContext) -> dict[str, Any]:
    """Pick the measures not yet handed out and place the reminder and escalation around
    each deadline.

    After the risk owner sends the review back, only the measures added since the last time
    become new tasks.
    NOTE: a measure is known by its title, event, owner and deadline, so changing any of them
    in the second evaluation hands the measure out again as a new task.
    """
    rules = deadline_rules(ctx)
    working = rules.get("kalender") == WORKING_DAYS
    reminder_before = _duration(rules, "paaminnelse_for_tiltaksfrist")
    escalation_after = _duration(rules, "eskalering_etter_tiltaksfrist")
    titles = {event.get("nr"): event.get("tittel") for event in ctx.variables.get("hendelser")
              or []}
    handed_out = list(ctx.variables.get("tiltak_fordelt") or [])

    new_measures: list[dict[str, Any]] = []
    for measure in ctx.variables.get("tiltak") or []:
        if not isinstance(measure, dict) or _measure_key(measure) in handed_out:
            continue
        title = str(measure.get("tittel") or "")
        due = _end_of_deadline(measure.get("frist"), title)
        new_measures.append({
            **measure,
            "nr": len(handed_out) + len(new_measures) + 1,
            "hendelse_tittel": titles.get(measure.get("hendelse"), ""),
            "paaminnelse": max(ctx.now, reminder_before.subtract_from(due, working)).isoformat(),
            "eskalering": escalation_after.add_to(due, working).isoformat(),
        })
    handed_out += [_measure_key(measure) for measure in new_measures]
    return {"tiltak_runde": new_measures, "tiltak_fordelt": handed_out}


@topic("risikovurdering.restrisiko")
def assess_residual_risk(ctx: HandlerContext) -> dict[str, Any]:
    """Give each event its residual risk level from the residual likelihood and consequence."""
    matrix = case_matrix(ctx)
    events = [{**event, **_assess(matrix, event, "rest_")}
              for event in ctx.variables.get("hendelser") or []]
    return {"hendelser": events, "restrisiko_vurdert": True,
            "rest_over_akseptgrensen": sum(1 for event in events
                                           if not event["rest_akseptabel"])}


@topic("risikovurdering.godkjent", outputs=("gyldig_til",))
def record_approval(ctx: HandlerContext) -> dict[str, Any]:
    """Set when the approved review runs out and when the next review starts.

    The validity must end after the next review starts: otherwise the review would run out
    before anyone could renew it.
    """
    rules = deadline_rules(ctx)
    working = rules.get("kalender") == WORKING_DAYS
    next_review = _duration(rules, "neste_gjennomgang").add_to(ctx.now, working)
    valid_until = _duration(rules, "gyldighet").add_to(ctx.now, working)
    if valid_until <= next_review:
        raise HandlerError(_("In the setting %(setting)s, gyldighet must be longer than "
                             "neste_gjennomgang, so the next review can be approved before "
                             "this one runs out. Correct the setting and retry the incident.",
                             setting=DEADLINE_SETTING), retry=False)
    ctx.engine.history.record("risk_review_approved", "system", instance_id=ctx.instance.id,
                              element_id=ctx.element_id, round=ctx.variables.get("runde"),
                              valid_until=valid_until.isoformat())
    return {"godkjent_dato": ctx.now.isoformat(), "godkjent_runde": ctx.variables.get("runde"),
            "gyldig_til": valid_until.isoformat(), "neste_gjennomgang": next_review.isoformat()}


@task_check("risikovurdering", "EvaluerRisiko")
def check_measures_cover_events(ctx: CheckContext) -> dict[str, list[str]]:
    """Reject an evaluation that leaves an event above the acceptance limit without a
    measure, naming each such event."""
    measures = [measure for measure in ctx.values.get("tiltak") or []
                if isinstance(measure, dict)]
    covered = {measure.get("hendelse") for measure in measures}
    missing = [event for event in ctx.values.get("hendelser") or []
               if isinstance(event, dict) and not event.get("akseptabel")
               and event.get("nr") not in covered]
    if not missing:
        return {}
    names = ", ".join(f"{event.get('nr')}. {event.get('tittel') or ''}".strip()
                      for event in missing)
    return {"tiltak": [ngettext(
        "The event %(events)s is above the acceptance limit and has no measure. Add a measure "
        "for it.",
        "The events %(events)s are above the acceptance limit and have no measure. Add a "
        "measure for each.", len(missing), events=names)]}
