"""Handlers of the yearly leader and employee conversations (medarbeidersamtaler).

Two processes work together. `medarbeidersamtale-planlegging` is one case per unit and year:
a yearly timer starts it for every unit with a leader, the leader plans the round, and a
handler then starts one `medarbeidersamtale` case per employee. Each conversation is its own
case because the engine decides who may read a case per process instance. In the
confidential conversation process only those who take part in a case (the employee and the
leader) and the reader group (HR) read it, so no employee reads another's conversation. The
planning case holds names, deadlines and case ids, never what was said.

The deadlines come from the setting `medarbeidersamtale.frister`, so each municipality sets
its own. DEFAULTS applies to every key the setting leaves out. Dates within the year are
day.month texts ("31.03"); durations are ISO 8601 ("P7D").
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from engine.forms.options import personal_account_ids
from engine.i18n import gettext as _
from engine.i18n import ngettext, use_locale
from engine.models import ProcessInstance, Task, Unit, User
from engine.runtime import timeexpr
from engine.runtime.handlers import (
    CheckContext,
    HandlerContext,
    HandlerError,
    task_check,
    topic,
)
from engine.services.execution import Execution
from handlers import settings as shared_settings

log = logging.getLogger(__name__)

SETTING = "medarbeidersamtale.frister"
DEFAULTS: dict[str, str] = {
    # The leader plans the round within two weeks of its start; the next leader up gets the
    # planning task a week after that deadline.
    "planlegging": "P14D",
    "eskalering_etter_planlegging": "P7D",
    # The employee is invited at least this long before the conversation.
    "varsel": "P7D",
    # Leaders' conversations by the end of the first quarter, employees' by the end of April.
    "ledersamtaler": "31.03",
    "medarbeidersamtaler": "30.04",
    # How long after a passed conversation deadline the next leader up is told.
    "eskalering_etter_frist": "P0D",
    # The follow-up conversation opens on the first date and is due on the second.
    "oppfolgingssamtale_fra": "01.09",
    "oppfolgingssamtale": "31.10",
    # The leader above follows up conversations not held by their deadline within this long.
    "oppfolging_av_forsinkede": "P14D",
    # The employee confirms the summary within this long after the leader wrote it.
    "bekreftelse": "P14D",
    # Whoever holds the invitation, the conversation, the confirmation or the follow-up gets
    # an e-mail this long before its deadline.
    "paaminnelse_for_frist": "P3D",
}

CONVERSATION_PROCESS = "medarbeidersamtale"
PLANNING_PROCESS = "medarbeidersamtale-planlegging"
# The user task whose completion means the conversation was held.
HELD_ELEMENT = "GjennomforSamtale"
SYSTEM_ACTOR = "system"
# Reminders go out at the start of a working day, not at the minute a deadline falls.
REMINDER_HOUR = time(8, 0)

LEADER_CONVERSATION = "ledersamtale"
EMPLOYEE_CONVERSATION = "medarbeidersamtale"
KIND_NAMES = {LEADER_CONVERSATION: "Ledersamtale", EMPLOYEE_CONVERSATION: "Medarbeidersamtale"}
DEADLINE_KEYS = {LEADER_CONVERSATION: "ledersamtaler", EMPLOYEE_CONVERSATION: "medarbeidersamtaler"}
OWNER_NAMES = {"medarbeider": "medarbeideren", "leder": "lederen", "begge": "begge"}


def settings(ctx: HandlerContext) -> dict[str, Any]:
    return shared_settings.merged(ctx, SETTING, DEFAULTS)


def _setting_error(name: str) -> HandlerError:
    return shared_settings.setting_error(SETTING, name)


def _duration(rules: dict[str, Any], name: str) -> timeexpr.Duration:
    return shared_settings.duration(SETTING, rules, name)


def day_in_year(rules: dict[str, Any], name: str, year: int) -> date:
    """Return the date that a day.month setting such as "31.03" names in `year`."""
    try:
        day, month = (int(part) for part in str(rules[name]).split("."))
        return date(year, month, day)
    except (KeyError, ValueError):
        raise _setting_error(name) from None


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), timeexpr.OSLO).astimezone(timeexpr.UTC)


def _today(ctx: HandlerContext) -> date:
    return ctx.now.astimezone(timeexpr.OSLO).date()


def _year(ctx: HandlerContext) -> int:
    try:
        return int(ctx.variables.get("aar") or _today(ctx).year)
    except (TypeError, ValueError):
        raise HandlerError(_("The year %(value)s is not a whole number. Correct the variable "
                             "aar and retry the incident.", value=repr(ctx.variables.get("aar"))),
                           retry=False) from None


# --- the yearly start and the planning case of a unit ---------------------------------------

def conversation_partners(ctx: HandlerContext, unit: Unit) -> list[tuple[User, str]]:
    """Return whom the leader of `unit` holds conversations with, and the kind of each.

    The leaders of the units right below hold leader conversations with them; the active
    personal accounts whose home unit is `unit` hold employee conversations.
    """
    leader = unit.leader
    partners: list[tuple[User, str]] = []
    seen: set[int] = set()
    for child in sorted(unit.children, key=lambda item: item.name):
        child_leader = child.leader
        if child_leader is None or not child_leader.active or child_leader is leader:
            continue
        if child_leader.id not in seen:
            partners.append((child_leader, LEADER_CONVERSATION))
            seen.add(child_leader.id)
    members = list(ctx.engine.uow.session.scalars(
        select(User).where(User.unit_id == unit.id, User.active.is_(True))
        .order_by(User.display_name)))
    # An account that only runs the system, such as admin, holds no conversation.
    personal = personal_account_ids(ctx.engine, members)
    for user in members:
        if (leader is not None and user.id == leader.id) or user.id in seen:
            continue
        if user.id not in personal:
            continue
        partners.append((user, EMPLOYEE_CONVERSATION))
        seen.add(user.id)
    return partners


@topic("medarbeidersamtale.start-enheter")
def start_unit_planning(ctx: HandlerContext) -> dict[str, Any]:
    """Start this year's planning case in every unit that has a leader and someone for the
    leader to hold a conversation with."""
    year = _year(ctx)
    definition = ctx.engine.repository.latest(PLANNING_PROCESS)
    started = []
    for unit in ctx.organisation.units():
        if unit.leader is None or not unit.leader.active:
            continue
        if not conversation_partners(ctx, unit):
            continue
        key = f"MEDARBEIDERSAMTALER-{year}-{unit.code}".upper()
        if _case_exists(ctx, PLANNING_PROCESS, key):
            continue
        instance_id, _jobs = ctx.engine.runtime.start_instance(
            definition, SYSTEM_ACTOR, {"enhet": unit.code, "aar": year}, key)
        started.append(instance_id)
    log.info("conversation round started year=%s units=%s", year, len(started))
    return {"aar": year, "planlegginger": started}


@topic("medarbeidersamtale.planlegging")
def prepare_planning(ctx: HandlerContext) -> dict[str, Any]:
    """List the unit's conversations with their deadlines, and set the planning deadline, the
    escalation times and the unit above that deadlines escalate to."""
    rules = settings(ctx)
    year = _year(ctx)
    unit = ctx.organisation.find_unit(ctx.variables.get("enhet"))
    if unit is None or unit.leader is None:
        raise HandlerError(_("The unit %(unit)s does not exist or has no leader. Set a leader "
                             "for the unit and retry the incident.",
                             unit=ctx.variables.get("enhet")), retry=False)

    deadlines = {kind: day_in_year(rules, key, year) for kind, key in DEADLINE_KEYS.items()}
    rows = [{"medarbeider": user.username, "navn": user.display_name, "samtaletype": kind,
             "samtaletype_navn": KIND_NAMES[kind], "frist": deadlines[kind].isoformat(),
             "samtale_i_aar": "ja"}
            for user, kind in conversation_partners(ctx, unit)]

    planning_due = _duration(rules, "planlegging").add_to(ctx.now)
    after_deadline = _duration(rules, "eskalering_etter_frist")
    above = ctx.organisation.parent_leader(unit)
    return {
        "aar": year,
        "tittel": f"Medarbeidersamtaler {year} – {unit.name}",
        "enhet_navn": unit.name,
        "leder": unit.leader.username,
        "overordnet_enhet": above[0].code if above else unit.code,
        "samtaler": rows,
        "frist_planlegging": planning_due.isoformat(),
        "eskalering_planlegging": _duration(rules, "eskalering_etter_planlegging").add_to(
            planning_due).isoformat(),
        "frist_ledersamtaler": deadlines[LEADER_CONVERSATION].isoformat(),
        "frist_medarbeidersamtaler": deadlines[EMPLOYEE_CONVERSATION].isoformat(),
        "kontroll_ledersamtaler": after_deadline.add_to(
            timeexpr.end_of_day(deadlines[LEADER_CONVERSATION])).isoformat(),
        "kontroll_medarbeidersamtaler": after_deadline.add_to(
            timeexpr.end_of_day(deadlines[EMPLOYEE_CONVERSATION])).isoformat(),
    }


def _case_exists(ctx: HandlerContext, process_key: str, business_key: str) -> bool:
    return ctx.engine.uow.session.scalar(
        select(ProcessInstance.id).where(ProcessInstance.definition_key == process_key,
                                         ProcessInstance.business_key == business_key)
        .limit(1)) is not None


def business_key(year: int, user: User) -> str:
    """The case number of a user's conversation in a year, which the next year's
    conversation uses to find the plan agreed in this one."""
    return f"MEDARBEIDERSAMTALE-{year}-{user.id:05d}"


def previous_plan(ctx: HandlerContext, year: int, user: User) -> dict[str, Any]:
    """Return the plan filed in the user's conversation of the year before, as texts for the
    leader's preparation, or no keys when there is none."""
    previous = ctx.engine.uow.session.scalar(
        select(ProcessInstance)
        .where(ProcessInstance.definition_key == CONVERSATION_PROCESS,
               ProcessInstance.business_key == business_key(year - 1, user))
        .order_by(ProcessInstance.id.desc()).limit(1))
    if previous is None:
        return {}
    data = Execution.load(ctx.engine, previous.id, None, lock=False).current_data()
    summary = data.get("oppsummering")
    if not isinstance(summary, dict):
        return {}
    return {"forrige_samtale": previous.id,
            "forrige_arbeidsmaal": summary.get("arbeidsmaal") or "",
            "forrige_utviklingsmaal": summary.get("utviklingsmaal") or "",
            "forrige_tiltak": measures_text(summary.get("tiltak"))}


def measures_text(measures: Any) -> str:
    """Write agreed measures one per line, with their owner and deadline."""
    lines = []
    for measure in measures or []:
        if not isinstance(measure, dict) or not str(measure.get("beskrivelse") or "").strip():
            continue
        owner = OWNER_NAMES.get(str(measure.get("ansvarlig")), str(measure.get("ansvarlig")))
        line = f"- {str(measure['beskrivelse']).strip()} (ansvarlig: {owner}"
        deadline = _date_text(measure.get("frist"))
        line += f", frist {deadline})" if deadline else ")"
        lines.append(line)
    return "\n".join(lines)


def _date_text(value: Any) -> str:
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return ""


@topic("medarbeidersamtale.start-samtaler")
def start_conversations(ctx: HandlerContext) -> dict[str, Any]:
    """Start one confidential conversation case per planned row.

    The previous year's plan goes straight into the new conversation as start data, so it
    never passes through the planning case's variables. An employee who already has a
    conversation this year, from another unit's planning or an earlier one, gets no second.
    """
    year = _year(ctx)
    leader = ctx.organisation.find_user(ctx.variables.get("leder"))
    if leader is None:
        raise HandlerError(_("The leader %(user)s of the planning no longer exists. Set the "
                             "variable leder to the unit's leader and retry the incident.",
                             user=ctx.variables.get("leder")), retry=False)
    definition = ctx.engine.repository.latest(CONVERSATION_PROCESS)
    started = []
    already = []
    for row in ctx.variables.get("samtaler") or []:
        if not isinstance(row, dict) or row.get("samtale_i_aar") != "ja":
            continue
        user = ctx.organisation.find_user(row.get("medarbeider"))
        if user is None or not user.active:
            continue
        if _case_exists(ctx, CONVERSATION_PROCESS, business_key(year, user)):
            already.append(user.username)
            continue
        kind = row.get("samtaletype") if row.get("samtaletype") in KIND_NAMES \
            else EMPLOYEE_CONVERSATION
        variables = {
            "medarbeider": user.username, "navn": user.display_name,
            "leder": leader.username, "leder_navn": leader.display_name,
            "enhet": ctx.variables.get("enhet"), "aar": year, "samtaletype": kind,
            "frist": row.get("frist"), "planlegging": ctx.instance.id,
            "tittel": f"{KIND_NAMES[kind]} {year} – {user.display_name}",
            **previous_plan(ctx, year, user),
        }
        instance_id, _jobs = ctx.engine.runtime.start_instance(
            definition, SYSTEM_ACTOR, variables, business_key(year, user))
        started.append({"medarbeider": user.username, "navn": user.display_name,
                        "samtaletype": kind, "samtale": instance_id})
    return {"startede_samtaler": started, "antall_samtaler": len(started),
            "allerede_startet": already}


@topic("medarbeidersamtale.kontroller",
       outputs=("forsinkede_ledersamtale", "forsinkede_medarbeidersamtale"))
def check_deadline(ctx: HandlerContext) -> dict[str, Any]:
    """List the conversations of one kind (the property `samtaletype`) that have not been
    held by their deadline, by name only.

    A conversation counts as held when its step "Gjennomfør og oppsummer samtalen" is
    completed; nothing else of the conversation is read.
    """
    kind = ctx.properties.get("samtaletype")
    if kind not in KIND_NAMES:
        raise HandlerError(_("The service task %(element)s needs the camunda property "
                             "samtaletype, ledersamtale or medarbeidersamtale. Add it in the "
                             "modeler.", element=ctx.element_id), retry=False)
    rows = [row for row in ctx.variables.get("startede_samtaler") or []
            if isinstance(row, dict) and row.get("samtaletype") == kind]
    held = set(ctx.engine.uow.session.scalars(
        select(Task.instance_id).where(
            Task.instance_id.in_([row.get("samtale") for row in rows]),
            Task.element_id == HELD_ELEMENT, Task.state == "completed")))
    late = [row for row in rows if row.get("samtale") not in held]
    if late:
        ctx.engine.history.record("conversations_overdue", SYSTEM_ACTOR,
                                  instance_id=ctx.instance.id, element_id=ctx.element_id,
                                  kind=kind, count=len(late))
    names = "\n".join(f"- {row.get('navn')}" for row in late)
    follow_up = _duration(settings(ctx), "oppfolging_av_forsinkede")
    due = timeexpr.end_of_day(follow_up.add_to(ctx.now).astimezone(timeexpr.OSLO).date())
    return {f"forsinkede_{kind}": len(late), "forsinkede_liste": names,
            "frist_forsinkede": due.isoformat()}


# --- one conversation --------------------------------------------------------------------

@topic("medarbeidersamtale.samtalefrister")
def set_conversation_deadlines(ctx: HandlerContext) -> dict[str, Any]:
    """Set the deadlines of a conversation from its deadline date `frist`.

    The invitation is due the notice period before the conversation deadline, but never
    before now. `varsel_dager` is the notice in days, which the invitation form checks the
    chosen date against.
    """
    rules = settings(ctx)
    try:
        deadline = date.fromisoformat(str(ctx.variables.get("frist"))[:10])
    except ValueError:
        raise HandlerError(_("The conversation deadline %(value)s is not a date. Correct the "
                             "variable frist and retry the incident.",
                             value=repr(ctx.variables.get("frist"))), retry=False) from None
    notice = _duration(rules, "varsel")
    end = timeexpr.end_of_day(deadline)
    invitation_due = max(ctx.now, notice.subtract_from(end))
    notice_days = (notice.add_to(ctx.now).astimezone(timeexpr.OSLO).date() - _today(ctx)).days
    return {"frist_samtale": end.isoformat(), "frist_innkalling": invitation_due.isoformat(),
            "paaminnelse_innkalling": _reminder(ctx, rules, invitation_due).isoformat(),
            "varsel_dager": notice_days}


def _reminder(ctx: HandlerContext, rules: dict[str, Any], due: datetime,
              earliest: datetime | None = None) -> datetime:
    """Return when to remind of a deadline: at 08:00 in Oslo on the day the setting's time
    before it, but not before `earliest` (default now), and never after the deadline."""
    day = _duration(rules, "paaminnelse_for_frist").subtract_from(due).astimezone(
        timeexpr.OSLO).date()
    remind_at = datetime.combine(day, REMINDER_HOUR, tzinfo=timeexpr.OSLO)
    return min(due, max(earliest or ctx.now, remind_at))


@topic("medarbeidersamtale.innkalling")
def send_invitation(ctx: HandlerContext) -> dict[str, Any]:
    """E-mail the employee the invitation: the time of the conversation and a link to the
    case, where the place and the preparation are."""
    user = ctx.organisation.find_user(ctx.variables.get("medarbeider"))
    moment = _moment_text(ctx.variables.get("samtaletidspunkt"))
    if user is not None:
        with use_locale(user.locale or "nb"):
            subject = _("Invitation to your employee conversation")
            body = _("Hello %(name)s,\n\nYou are invited to your employee conversation "
                     "%(moment)s. Open the case to see the place and to prepare:\n%(link)s\n\n"
                     "This message was sent by Sløyfe.", name=user.display_name,
                     moment=moment, link=ctx.case_link())
        ctx.send_mail(user.username, subject, body)
    return {"innkalling_sendt": ctx.now.isoformat(),
            "paaminnelse_samtale": _conversation_reminder(ctx).isoformat(),
            **_leader_name(ctx, ctx.variables.get("leder"))}


def _leader_name(ctx: HandlerContext, username: Any) -> dict[str, Any]:
    """Return the leader's display name for the forms. Whoever completes the invitation or
    the conversation becomes the case's leader (completedByVariable), for example a new
    leader to whom HR handed the task."""
    user = ctx.organisation.find_user(username)
    return {"leder_navn": user.display_name} if user is not None else {}


def _conversation_reminder(ctx: HandlerContext) -> datetime:
    """Remind the leader to write the summary before its deadline, but not before the day
    after the conversation: a conversation held close to the deadline is not yet late."""
    due = timeexpr.to_utc_instant(ctx.variables["frist_samtale"])
    try:
        held = timeexpr.to_utc_instant(ctx.variables.get("samtaletidspunkt"))
    except (timeexpr.TimeExpressionError, ValueError):
        held = ctx.now
    return _reminder(ctx, settings(ctx), due, earliest=max(ctx.now, held + timedelta(days=1)))


def _moment_text(value: Any) -> str:
    try:
        moment = timeexpr.to_utc_instant(value).astimezone(timeexpr.OSLO)
    except (timeexpr.TimeExpressionError, ValueError):
        return str(value or "")
    return moment.strftime("%d.%m.%Y %H:%M")


@topic("medarbeidersamtale.oppsummering")
def write_summary(ctx: HandlerContext) -> dict[str, Any]:
    """Collect what the leader wrote after the conversation as `oppsummering`, and the agreed
    measures as text for the employee to read before confirming."""
    variables = ctx.variables
    measures = [dict(measure) for measure in variables.get("tiltak") or []
                if isinstance(measure, dict)]
    summary = {
        "samtaletidspunkt": variables.get("samtaletidspunkt"),
        "arbeidsmaal": variables.get("arbeidsmaal") or "",
        "utviklingsmaal": variables.get("utviklingsmaal") or "",
        "utviklingsbehov": [str(need) for need in variables.get("utviklingsbehov") or []
                            if need],
        "tiltak": measures,
    }
    rules = settings(ctx)
    confirm_due = timeexpr.end_of_day(
        _duration(rules, "bekreftelse").add_to(ctx.now).astimezone(timeexpr.OSLO).date())
    return {"oppsummering": summary, "tiltak_tekst": measures_text(measures),
            "frist_bekreftelse": confirm_due.isoformat(),
            "paaminnelse_bekreftelse": _reminder(ctx, rules, confirm_due).isoformat(),
            **_leader_name(ctx, variables.get("leder"))}


@topic("medarbeidersamtale.arkiver")
def file_summary(ctx: HandlerContext) -> dict[str, Any]:
    """File the confirmed summary with the employee's comment, count its development needs
    for the unit's competence plan, and schedule the follow-up conversation.

    The competence plan gets an audit event with the unit, the year and the need categories,
    without the case id, so the counts cannot be traced back to a conversation through it.
    """
    variables = ctx.variables
    summary = dict(variables.get("oppsummering") or {})
    summary["kommentar"] = variables.get("kommentar") or ""
    summary["bekreftet"] = ctx.now.isoformat()
    year = _year(ctx)
    ctx.engine.history.record("conversation_filed", SYSTEM_ACTOR, instance_id=ctx.instance.id,
                              element_id=ctx.element_id)
    ctx.engine.history.record("development_needs_filed", SYSTEM_ACTOR,
                              unit=variables.get("enhet"), year=year,
                              categories=list(summary.get("utviklingsbehov") or []))

    rules = settings(ctx)
    opens = max(ctx.now, _start_of_day(day_in_year(rules, "oppfolgingssamtale_fra", year)))
    due = timeexpr.end_of_day(day_in_year(rules, "oppfolgingssamtale", year))
    if due <= opens:
        # A conversation held after the follow-up date still gets its follow-up, a month on.
        due = timeexpr.end_of_day((opens + timedelta(days=30)).astimezone(timeexpr.OSLO).date())
    return {"oppsummering": summary, "arkivert": ctx.now.isoformat(),
            "oppfolging_fra": opens.isoformat(), "frist_oppfolging": due.isoformat(),
            "paaminnelse_oppfolging": _reminder(ctx, rules, due, earliest=opens).isoformat(),
            **_follow_up_leader(ctx)}


def _follow_up_leader(ctx: HandlerContext) -> dict[str, Any]:
    """Give the autumn follow-up to the unit's leader then, when the leader who held the
    conversation no longer leads the unit."""
    unit = ctx.organisation.find_unit(ctx.variables.get("enhet"))
    current = ctx.variables.get("leder")
    if unit is None or unit.leader is None or unit.leader.username == current:
        return {}
    if unit.leader.username == ctx.variables.get("medarbeider"):
        return {}
    log.info("conversation follow-up moved to new leader instance_id=%s unit=%s",
             ctx.instance.id, unit.code)
    return {"leder": unit.leader.username, "leder_navn": unit.leader.display_name}


@task_check("medarbeidersamtale", "SendInnkalling")
def check_conversation_time(ctx: CheckContext) -> dict[str, list[str]]:
    """Reject a conversation time that gives the employee less than the notice, or that lies
    after the conversation deadline, naming the dates that would do."""
    try:
        chosen = timeexpr.to_utc_instant(ctx.values.get("samtaletidspunkt"))
        deadline = date.fromisoformat(str(ctx.values.get("frist"))[:10])
    except (timeexpr.TimeExpressionError, ValueError):
        return {}
    day = chosen.astimezone(timeexpr.OSLO).date()
    notice_days = int(ctx.values.get("varsel_dager") or 0)
    earliest = ctx.now.astimezone(timeexpr.OSLO).date() + timedelta(days=notice_days)
    if day < earliest:
        return {"samtaletidspunkt": [ngettext(
            "The conversation on %(day)s is too soon: the employee is to have at least "
            "%(num)s day's notice. Choose %(earliest)s or later.",
            "The conversation on %(day)s is too soon: the employee is to have at least "
            "%(num)s days' notice. Choose %(earliest)s or later.", notice_days,
            day=day.strftime("%d.%m.%Y"), earliest=earliest.strftime("%d.%m.%Y"))]}
    if day > deadline:
        return {"samtaletidspunkt": [_(
            "The conversation on %(day)s is after its deadline, %(deadline)s. Choose a day "
            "no later than the deadline.", day=day.strftime("%d.%m.%Y"),
            deadline=deadline.strftime("%d.%m.%Y"))]}
    return {}
