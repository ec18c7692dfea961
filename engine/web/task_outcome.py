"""The message and the next page after a user completes a task or puts it back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from engine import i18n
from engine.engine import ProcessEngine
from engine.models import Task


@dataclass(frozen=True)
class Outcome:
    message: str
    location: str


def after_completion(engine: ProcessEngine, completed_name: str, result: dict[str, Any],
                     username: str) -> Outcome:
    """Name the next steps the user can open, and go to the one step that is theirs.

    Steps assigned to someone else stay out of the message. When exactly one open step of
    the case is assigned to the user, the user goes straight to it. Otherwise the user goes
    to Mine oppgaver if they have assigned tasks, else to Felles oppgaver.
    """
    open_tasks = result["open_tasks"]
    mine = [task for task in open_tasks if task["assignee"] == username]
    with engine.transaction(read_only=True):
        groups = engine.organisation.group_keys(username)
        offered = [task for task in open_tasks if task["assignee"] is None and (
            username in (task["candidate_users"] or [])
            or groups & set(task["candidate_groups"] or []))]
        has_assigned = bool(mine) or bool(engine.tasks.list(username, "mine", limit=1)) \
            if len(mine) != 1 else True
    # Only the steps this completion opened are next steps; a parallel step that was open
    # before, such as the leader's alert to Arbeidstilsynet, is not.
    opened = set(result.get("opened_task_ids") or ())
    next_steps = [task["name"] for task in open_tasks
                  if (task in mine or task in offered) and task["id"] in opened]

    message = _("%(name)s is completed.", name=_quoted(completed_name))
    if next_steps:
        message += " " + _next_steps_text(next_steps)

    if len(mine) == 1:
        location = url_for("tasks.task_page", task_id=mine[0]["id"])
    else:
        location = url_for("tasks.task_list", visning="mine" if has_assigned else "felles")
    return Outcome(message, location)


def after_unclaim(engine: ProcessEngine, task_id: str, username: str) -> Outcome:
    """Say whom the task went back to, and stay on it while the user may still see it."""
    with engine.transaction(read_only=True):
        task = engine.tasks.get(task_id)
        receivers = _candidate_names(engine, task)
        still_visible = engine.tasks.may_see(task, username)
        name = task.name

    if receivers:
        message = _("The task is put back to %(receivers)s.",
                    receivers=format_list(receivers, locale=i18n.current_locale()))
    else:
        message = _("The task %(name)s is put back, but no group or person is named to take "
                    "it. An administrator can assign it.", name=name)

    if still_visible:
        location = url_for("tasks.task_page", task_id=task_id)
    else:
        location = url_for("tasks.task_list", visning="mine")
    return Outcome(message, location)


def _candidate_names(engine: ProcessEngine, task: Task) -> list[str]:
    groups = [engine.organisation.describe_group(key) for key in task.candidate_groups or []]
    users = task.candidate_users or []
    display = engine.organisation.display_names(users)
    return groups + [display.get(user, user) for user in users]


def _next_steps_text(names: Iterable[str]) -> str:
    unique = list(dict.fromkeys(names))
    quoted = ", ".join(_quoted(name) for name in unique)
    return ngettext("Next step: %(steps)s.", "Next steps: %(steps)s.", len(unique),
                    steps=quoted)


def _quoted(name: str) -> str:
    return _("“%(name)s”", name=name)
