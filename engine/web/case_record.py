"""The work done on a case so far: each completed step with who did it and what they sent.

Only those who handle the case see it. A reporter who handles nothing sees their own report,
the status history and the outcome instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from engine.engine import ProcessEngine
from engine.models import Task
from engine.web.forms import summary_html


@dataclass(frozen=True)
class CompletedStep:
    name: str
    completed_by_name: str
    completed_at: datetime | None
    values: Markup | None  # submitted form values shown read-only, or None without a form


def completed_steps(engine: ProcessEngine, instance_id: int) -> list[CompletedStep]:
    """List the case's completed user tasks in the order they were completed.

    Call inside a transaction. Tasks completed at the same instant keep the order of the
    audit trail, which records each completion as it happens.
    """
    tasks = engine.history.completed_tasks(instance_id)
    trail = [event.task_id for event in engine.history.events(instance_id)
             if event.action == "task_completed"]
    position = {task_id: index for index, task_id in enumerate(trail)}
    tasks.sort(key=lambda task: position.get(task.id, len(position)))

    names = engine.organisation.display_names(task.completed_by for task in tasks
                                              if task.completed_by)
    return [CompletedStep(name=task.name,
                          completed_by_name=names.get(task.completed_by or "",
                                                      task.completed_by or ""),
                          completed_at=task.completed_at,
                          values=_submitted_values(engine, task))
            for task in tasks]


def _submitted_values(engine: ProcessEngine, task: Task) -> Markup | None:
    form = engine.tasks.form(task)
    if form is None:
        return None
    return summary_html(form, task.submitted_data or {}, engine.forms.options(form, {}))
