"""Reminders and escalations for any process: the diagram names the task they concern.

Both read the camunda property `oppgave` (the element id of the user task) of the service task.
"""

from __future__ import annotations

from typing import Any

from engine.i18n import gettext as _
from engine.i18n import use_locale
from engine.models import Unit
from engine.runtime.handlers import HandlerContext, HandlerError, topic
from engine.runtime.timeexpr import OSLO
from engine.services.organisation import LEADER_ROLE, scoped_group


def _target_element(ctx: HandlerContext) -> str:
    element = ctx.properties.get("oppgave")
    if not element:
        raise HandlerError(_("The service task %(element)s has no camunda property 'oppgave' "
                             "naming the task to follow up. Add it in the modeler.",
                             element=ctx.element_id), retry=False)
    return element


def _recipients(ctx: HandlerContext, task: Any) -> list[Any]:
    if task.assignee:
        user = ctx.organisation.find_user(task.assignee)
        return [user] if user else []
    people: dict[int, Any] = {}
    for group in task.candidate_groups or []:
        for user in ctx.organisation.members(group):
            people[user.id] = user
    for name in task.candidate_users or []:
        user = ctx.organisation.find_user(name)
        if user is not None:
            people[user.id] = user
    return list(people.values())


@topic("paaminnelse")
def remind(ctx: HandlerContext) -> dict[str, Any]:
    """E-mail whoever holds the open task a reminder of its deadline."""
    element = _target_element(ctx)
    sent = 0
    for task in ctx.open_tasks(element):
        for user in _recipients(ctx, task):
            with use_locale(user.locale or "nb"):
                due = task.due_at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M") \
                    if task.due_at else "-"
                subject = _("Reminder: %(task)s is due %(due)s", task=task.name, due=due)
                body = _("Hello %(name)s,\n\nThe task %(task)s in case %(key)s is due %(due)s. "
                         "Open it here:\n%(link)s\n\nThis message was sent by Sløyfe.",
                         name=user.display_name, task=task.name,
                         key=ctx.instance.business_key, due=due,
                         link=ctx.link(f"/oppgaver/{task.id}"))
            if ctx.send_mail(user.username, subject, body):
                sent += 1
        ctx.engine.history.record("reminder_sent", "system", instance_id=ctx.instance.id,
                                  task_id=task.id, element_id=task.element_id)
    return {f"paaminnelser_{element}": sent}


@topic("eskaler")
def escalate(ctx: HandlerContext) -> dict[str, Any]:
    """Offer the open task also to the next leader up, and tell that leader.

    With the property `til` = `leder`, the task goes to the leader of its own unit instead
    (for tasks that belong to a staff function such as the privacy officer).
    """
    element = _target_element(ctx)
    escalated = 0
    for task in ctx.open_tasks(element):
        unit_id = task.unit_id or ctx.instance.unit_id
        unit = ctx.engine.uow.session.get(Unit, unit_id) if unit_id else None
        if unit is None:
            raise HandlerError(_("The task %(task)s belongs to no unit, so there is no leader "
                                 "to send it to.", task=task.name), retry=False)
        if ctx.properties.get("til") == "leder" and unit.leader is not None:
            target_unit, leader = unit, unit.leader
        else:
            found = ctx.organisation.parent_leader(unit)
            if found is None:
                raise HandlerError(_("No unit above %(unit)s has a leader. Set a leader for "
                                     "the unit above.", unit=unit.name), retry=False)
            target_unit, leader = found
        ctx.escalate(task, scoped_group(LEADER_ROLE, target_unit.code))
        with use_locale(leader.locale or "nb"):
            subject = _("Sent to you: %(task)s in case %(key)s is overdue", task=task.name,
                        key=ctx.instance.business_key)
            body = _("Hello %(name)s,\n\nThe task %(task)s in case %(key)s has passed its "
                     "deadline and is now also in your task list. Open it here:\n%(link)s\n\n"
                     "This message was sent by Sløyfe.", name=leader.display_name,
                     task=task.name, key=ctx.instance.business_key,
                     link=ctx.link(f"/oppgaver/{task.id}"))
        ctx.send_mail(leader.username, subject, body)
        escalated += 1
    return {f"eskalert_{element}": escalated}
