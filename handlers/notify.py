"""Reminders and escalations for any process: the diagram names the task they concern.

Both read the camunda property `oppgave` (the element id of the user task) of the service task.
"""

from __future__ import annotations

import logging
from typing import Any

from engine.i18n import gettext as _
from engine.models import Unit
from engine.runtime.handlers import HandlerContext, HandlerError, topic
from engine.services.organisation import LEADER_ROLE, scoped_group

log = logging.getLogger(__name__)


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
    """Queue a reminder of its deadline to whoever holds the open task.

    The scheduler sends the e-mails after this job commits; engine/services/notifications.py
    says what they may contain.
    """
    element = _target_element(ctx)
    queued = 0
    for task in ctx.open_tasks(element):
        for user in _recipients(ctx, task):
            ctx.engine.notifications.task_reminder(task, user.username)
            queued += 1
        ctx.engine.history.record("reminder_sent", "system", instance_id=ctx.instance.id,
                                  task_id=task.id, element_id=task.element_id)
    return {f"paaminnelser_{element}": queued}


@topic("eskaler")
def escalate(ctx: HandlerContext) -> dict[str, Any]:
    """Offer the open task also to the next leader up, and queue an e-mail to that leader.

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
        elif unit.parent is None:
            # The top unit's leader, the chief executive, has no one above to escalate to:
            # the task stays where it is and the audit trail says why.
            log.info("escalation skipped instance_id=%s task_id=%s reason=top_unit",
                     ctx.instance.id, task.id)
            ctx.engine.history.record("escalation_skipped", "system",
                                      instance_id=ctx.instance.id, task_id=task.id,
                                      element_id=task.element_id, unit=unit.code)
            continue
        else:
            found = ctx.organisation.parent_leader(unit)
            if found is None:
                raise HandlerError(_("No unit above %(unit)s has a leader. Set a leader for "
                                     "the unit above.", unit=unit.name), retry=False)
            target_unit, leader = found
        ctx.escalate(task, scoped_group(LEADER_ROLE, target_unit.code))
        ctx.engine.notifications.task_escalated(task, leader.username)
        escalated += 1
    return {f"eskalert_{element}": escalated}
