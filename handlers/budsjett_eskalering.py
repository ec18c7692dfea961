"""Escalations and reminders of the budget cycle's deadlines (budsjett og økonomiplan).

Both go to the head of finance (the members of the group in the setting `budsjett.syklus`)
and the kommunedirektør, as e-mails with a link to the case.
"""

from __future__ import annotations

import logging
from typing import Any

from engine.i18n import gettext as _
from engine.runtime.handlers import HandlerContext, HandlerError, topic
from engine.services.organisation import LEADER_ROLE, scoped_group
from handlers.budsjett import settings, top_unit

log = logging.getLogger(__name__)


def escalation_recipients(ctx: HandlerContext, rules: dict[str, Any]) -> list[Any]:
    """Return the head of finance (the members of the setting's group) and the
    kommunedirektør, each once."""
    people: dict[str, Any] = {}
    for user in ctx.organisation.members(str(rules["okonomisjef_gruppe"])):
        people[user.username] = user
    director = ctx.organisation.find_user(str(rules.get("kommunedirektor") or "")) \
        or top_unit(ctx).leader
    if director is not None:
        people[director.username] = director
    if not people:
        raise HandlerError(_("No one can receive the escalation: the group %(group)s has no "
                             "members and the municipality has no leader. Add the head of "
                             "finance to the group and retry the incident.",
                             group=rules["okonomisjef_gruppe"]), retry=False)
    return list(people.values())


@topic("budsjett.eskaler")
def escalate(ctx: HandlerContext) -> dict[str, Any] | None:
    """Send a passed legal deadline to the head of finance and the kommunedirektør.

    The open tasks that the property `oppgave` names (without it, every open task of the
    instance in the service task's scope) are offered to both and marked as escalated, and
    each gets an e-mail with a link to the case. The property `frist` names the deadline.
    With the property `varsel` set to `paaminnelse`, both only get a reminder that the
    deadline is near.
    """
    rules = settings(ctx)
    deadline = ctx.properties.get("frist") or ctx.element_id
    if ctx.properties.get("varsel") == "paaminnelse":
        remind(ctx, rules, deadline)
        return None
    tasks = ctx.open_tasks(ctx.properties.get("oppgave") or None)
    groups = [str(rules["okonomisjef_gruppe"]),
              scoped_group(LEADER_ROLE, top_unit(ctx).code)]
    for task in tasks:
        for group in groups:
            ctx.escalate(task, group)

    year = ctx.variables.get("budsjettaar")
    for user in escalation_recipients(ctx, rules):
        subject = _("Deadline passed: %(deadline)s, budget year %(year)s",
                    deadline=deadline, year=year)
        body = _("Hello %(name)s,\n\nThe deadline for %(deadline)s in the budget year "
                 "%(year)s has passed. Open the case to see what is missing:\n%(link)s\n\n"
                 "This message was sent by Sløyfe.", name=user.display_name,
                 deadline=deadline, year=year, link=ctx.case_link())
        ctx.send_mail(user.username, subject, body)
    ctx.engine.history.record("budget_deadline_escalated", "system",
                              instance_id=ctx.instance.id, element_id=ctx.element_id,
                              deadline=deadline, tasks=len(tasks))
    log.info("budget deadline escalated instance_id=%s element_id=%s tasks=%s",
             ctx.instance.id, ctx.element_id, len(tasks))
    return None


def remind(ctx: HandlerContext, rules: dict[str, Any], deadline: str) -> None:
    """E-mail the head of finance and the kommunedirektør that a deadline is near."""
    year = ctx.variables.get("budsjettaar")
    for user in escalation_recipients(ctx, rules):
        subject = _("Reminder: the deadline for %(deadline)s, budget year %(year)s, is near",
                    deadline=deadline, year=year)
        body = _("Hello %(name)s,\n\nThe deadline for %(deadline)s in the budget year "
                 "%(year)s is near. Open the case to see where it stands:\n%(link)s\n\n"
                 "This message was sent by Sløyfe.", name=user.display_name,
                 deadline=deadline, year=year, link=ctx.case_link())
        ctx.send_mail(user.username, subject, body)
    ctx.engine.history.record("budget_deadline_reminder", "system",
                              instance_id=ctx.instance.id, element_id=ctx.element_id,
                              deadline=deadline)
