"""Plain view data for the templates, read from the services inside one transaction.

Templates get these objects instead of models, so nothing loads lazily after the
transaction has closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app

from engine.engine import ProcessEngine
from engine.models import ProcessInstance, Task
from engine.web.formatting import DueState, case_status, due_state


@dataclass
class TaskRow:
    id: str
    name: str
    case_title: str
    business_key: str
    instance_id: int
    due_at: datetime | None
    due: DueState
    priority: int
    assignee: str | None
    assignee_name: str
    escalated: bool
    may_open: bool
    may_claim: bool


@dataclass
class CaseSummary:
    id: int
    business_key: str
    title: str
    process_name: str
    status: str
    running: bool
    started_by_name: str
    started_at: datetime
    ended_at: datetime | None
    unit_name: str


@dataclass
class TaskDetails:
    """One task as its page shows it, with the data its forms need."""

    id: str
    name: str
    documentation: str
    state: str
    due_at: datetime | None
    due: DueState
    priority: int
    escalated: bool
    assignee: str | None
    assignee_name: str
    completed_by_name: str
    completed_at: datetime | None
    is_mine: bool
    may_claim: bool
    case: CaseSummary
    form: Any | None
    start_form: Any | None
    variables: dict[str, Any] = field(default_factory=dict)
    # The start form as the reporter sent it, shown read-only as the case details.
    start_values: dict[str, Any] = field(default_factory=dict)
    form_options: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    start_options: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def _soon_hours() -> float:
    return float(current_app.config.get("DUE_SOON_HOURS", 24))


def task_rows(engine: ProcessEngine, tasks: list[Task], username: str) -> list[TaskRow]:
    now = engine.clock.now()
    names = engine.organisation.display_names(task.assignee for task in tasks if task.assignee)
    rows = []
    for task in tasks:
        instance = task.instance
        rows.append(TaskRow(
            id=task.id, name=task.name, case_title=instance.title or "",
            business_key=instance.business_key or "", instance_id=instance.id,
            due_at=task.due_at, due=due_state(task.due_at, now, _soon_hours()),
            priority=task.priority, assignee=task.assignee,
            assignee_name=names.get(task.assignee or "", task.assignee or ""),
            escalated=task.escalated, may_open=engine.tasks.may_see(task, username),
            may_claim=task.assignee is None and _may_claim(engine, task, username)))
    return rows


def _may_claim(engine: ProcessEngine, task: Task, username: str) -> bool:
    return engine.tasks.is_candidate(task, username) or \
        engine.organisation.has_role(username, "administrator")


def case_summary(engine: ProcessEngine, instance: ProcessInstance) -> CaseSummary:
    definition = engine.repository.definition(instance.definition_id)
    names = engine.organisation.display_names([instance.started_by or ""])
    unit = engine.organisation.find_unit(engine.runtime.summary(instance)["unit"])
    return CaseSummary(
        id=instance.id, business_key=instance.business_key or "",
        title=instance.title or definition.name, process_name=definition.name,
        status=case_status(instance.case_status, instance.status),
        running=instance.status == "running",
        started_by_name=names.get(instance.started_by or "", instance.started_by or ""),
        started_at=instance.started_at, ended_at=instance.ended_at,
        unit_name=unit.name if unit is not None else "")


def task_details(engine: ProcessEngine, task: Task, username: str) -> TaskDetails:
    """Read everything the task page shows; call inside a transaction."""
    names = engine.organisation.display_names(
        name for name in (task.assignee, task.completed_by) if name)
    instance = task.instance
    definition = engine.repository.definition(instance.definition_id)
    variables = engine.tasks.variables(task)
    form = engine.tasks.form(task)
    start_form = engine.forms.start_form(definition)
    return TaskDetails(
        id=task.id, name=task.name, documentation=task.documentation or "", state=task.state,
        due_at=task.due_at, due=due_state(task.due_at, engine.clock.now(), _soon_hours()),
        priority=task.priority, escalated=task.escalated, assignee=task.assignee,
        assignee_name=names.get(task.assignee or "", task.assignee or ""),
        completed_by_name=names.get(task.completed_by or "", task.completed_by or ""),
        completed_at=task.completed_at, is_mine=task.assignee == username,
        may_claim=task.state == "open" and task.assignee is None
        and _may_claim(engine, task, username),
        case=case_summary(engine, instance), form=form, start_form=start_form,
        variables=variables,
        form_options=engine.forms.options(form, variables) if form is not None else {},
        start_values=dict(instance.start_data or {}),
        start_options=engine.forms.options(start_form, variables)
        if start_form is not None else {})
