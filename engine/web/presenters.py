"""Plain view data for the templates, read from the services inside one transaction.

Templates get these objects instead of models, so nothing loads lazily after the
transaction has closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup

from engine.engine import ProcessEngine
from engine.forms.markdown import render_markdown
from engine.models import ProcessInstance, Task
from engine.services.organisation import LEADER_ROLE, split_scoped_group
from engine.web.attachment_rows import AttachmentRow, UploadLimits
from engine.web.case_history import HistoryEntry, handler_history
from engine.web.case_record import CompletedStep, completed_steps
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
    escalation: str  # "Sendt til leder", "Sendt til overordnet leder", or "" if not escalated
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
    instructions: Markup  # the step's BPMN documentation, rendered from Markdown
    state: str
    due_at: datetime | None
    due: DueState
    priority: int
    escalation: str
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
    steps: list[CompletedStep] = field(default_factory=list)
    attachments: list[AttachmentRow] = field(default_factory=list)
    # Set when the user may upload files at the task.
    upload_limits: UploadLimits | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    # Colleagues the assignee may delegate the task to: (user name, display name).
    delegates: list[tuple[str, str]] = field(default_factory=list)
    may_reassign: bool = False
    # People a leader may reassign the task to: (user name, display name).
    reassign_targets: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state == "open"


def _soon_hours() -> float:
    return float(current_app.config.get("DUE_SOON_HOURS", 24))


def escalation_text(task: Task, unit_codes: Mapping[int, str]) -> str:
    """Name where an escalated task went, from the leader groups it is offered to.

    A task offered to the leader of a unit other than its own went up the unit tree. One
    offered only to the leader of its own unit went to that leader.
    """
    if not task.escalated:
        return ""
    own = unit_codes.get(task.unit_id) if task.unit_id is not None else None
    leader_units = {scoped[1] for scoped in map(split_scoped_group, task.candidate_groups or [])
                    if scoped and scoped[0] == LEADER_ROLE}
    if own is not None and leader_units == {own}:
        return _("Sent to the leader")
    return _("Sent to the superior leader")


def unit_codes(engine: ProcessEngine, tasks: Iterable[Task]) -> dict[int, str]:
    """Return the codes of all units when a task is escalated, for escalation_text."""
    if not any(task.escalated for task in tasks):
        return {}
    return {unit.id: unit.code for unit in engine.organisation.units()}


def task_rows(engine: ProcessEngine, tasks: list[Task], username: str,
              listed: bool = False) -> list[TaskRow]:
    """Build the rows of a task table. With `listed`, the tasks come from one of the user's
    task lists, which hold only tasks the user may open, so the check per task is skipped."""
    now = engine.clock.now()
    names = engine.organisation.display_names(task.assignee for task in tasks if task.assignee)
    codes = unit_codes(engine, tasks)
    rows = []
    for task in tasks:
        instance = task.instance
        rows.append(TaskRow(
            id=task.id, name=task.name, case_title=instance.title or "",
            business_key=instance.business_key or "", instance_id=instance.id,
            due_at=task.due_at, due=due_state(task.due_at, now, _soon_hours()),
            priority=task.priority, assignee=task.assignee,
            assignee_name=names.get(task.assignee or "", task.assignee or ""),
            escalation=escalation_text(task, codes),
            may_open=listed or engine.tasks.may_see(task, username),
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
    """Read everything the task page shows; call inside a transaction.

    The page shows the case so far to everyone who may open the task, since they all handle
    the case.
    """
    names = engine.organisation.display_names(
        name for name in (task.assignee, task.completed_by) if name)
    instance = task.instance
    definition = engine.repository.definition(instance.definition_id)
    variables = engine.tasks.variables(task)
    form = engine.tasks.form(task)
    start_form = engine.forms.start_form(definition)
    may_reassign = task.state == "open" and engine.tasks.may_reassign(task, username)
    return TaskDetails(
        id=task.id, name=task.name,
        instructions=render_markdown(task.documentation or "", heading_level=3),
        state=task.state,
        due_at=task.due_at, due=due_state(task.due_at, engine.clock.now(), _soon_hours()),
        priority=task.priority,
        escalation=escalation_text(task, unit_codes(engine, [task])), assignee=task.assignee,
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
        if start_form is not None else {},
        steps=completed_steps(engine, instance.id),
        history=handler_history(engine, instance.id),
        delegates=engine.tasks.eligible_delegates(task, username)
        if task.state == "open" and task.assignee == username else [],
        may_reassign=may_reassign,
        reassign_targets=list(engine.tasks.reassign_targets(task).items())
        if may_reassign else [])
