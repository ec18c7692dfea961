"""The data of the administrators' instance page and heatmap, and the diagram markers.

The diagram markers are per BPMN element id. An element is `active` while an instance has an
open user task, a pending timer or an unfinished service call there, `incident` while an
open incident names it, and `done` once the audit trail records that an instance passed it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from engine.engine import ProcessEngine
from engine.models import (
    AuditEvent,
    Incident,
    Job,
    ProcessDefinition,
    ProcessInstance,
    Task,
    Timer,
)
from engine.services.personal_data import hidden_variables
from engine.web.admin_durations import task_durations

# Audit actions that mean an instance left the element they name.
PASSED_ACTIONS = ("task_completed", "job_completed", "timer_fired", "message_received")
OPEN_JOB_STATUSES = ("pending", "running")
VALUE_LENGTH = 300


@dataclass
class ElementMarks:
    """The markers and numbers of one BPMN element on the diagram."""

    active: int = 0
    done: int = 0
    incidents: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None
    samples: int = 0
    # (incident id, message) of the element's open incidents; only one instance's marks
    # carry them, so the heatmap's JSON names no case's error.
    incident_messages: list[tuple[int, str]] = field(default_factory=list)

    def to_dict(self, element_id: str) -> dict[str, Any]:
        markers = [name for name, on in (("active", self.active), ("done", self.done),
                                         ("incident", self.incidents)) if on]
        return {"id": element_id, "markers": markers, "active": self.active,
                "done": self.done, "incidents": self.incidents,
                "incident_messages": [{"id": incident_id, "message": message}
                                      for incident_id, message in self.incident_messages],
                "median_seconds": self.median_seconds, "p90_seconds": self.p90_seconds}


@dataclass(frozen=True)
class VariableRow:
    """A variable on the instance page; `hidden` rows contain personal data the viewer may
    not read, and their `value` is empty."""

    name: str
    value: str
    hidden: bool = False


@dataclass
class InstanceView:
    """Everything the instance page shows; `readable` False hides names and values."""

    instance: ProcessInstance
    process_name: str
    version: int
    readable: bool
    open_tasks: list[Task] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    variables: list[VariableRow] = field(default_factory=list)
    audit: list[AuditEvent] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def instance_view(engine: ProcessEngine, instance: ProcessInstance, username: str
                  ) -> InstanceView:
    """Collect the instance page; call inside a transaction.

    An administrator reads the record of every case whose process is not confidential, except
    the values of its personal-data variables (see engine/services/personal_data.py). For a
    confidential one the page keeps to the state of the engine (elements, times, incidents)
    and leaves out the variables, the audit trail and the names of the people involved.
    """
    session = engine.uow.session
    definition = engine.repository.definition(instance.definition_id)
    readable = engine.runtime.reads_record(instance, username)
    view = InstanceView(instance, definition.name or definition.key, definition.version,
                        readable)
    view.open_tasks = list(session.scalars(select(Task).where(
        Task.instance_id == instance.id, Task.state == "open").order_by(Task.created_at)))
    view.timers = engine.management.timers(instance.id)
    view.jobs = [job for job in engine.management.jobs(instance.id)
                 if job.status in OPEN_JOB_STATUSES]
    view.incidents = engine.management.incidents(instance.id)
    if not readable:
        return view
    variables = engine.runtime.variables(instance.id)
    hidden = hidden_variables(engine, instance, username, variables)
    view.variables = [VariableRow(name, "", hidden=True) if name in hidden
                      else VariableRow(name, _shown_value(value))
                      for name, value in sorted(variables.items())]
    view.audit = engine.history.events(instance.id)
    people = {task.assignee for task in view.open_tasks if task.assignee}
    people.update(event.actor for event in view.audit if event.actor)
    view.names = engine.organisation.display_names(people)
    return view


def _shown_value(value: Any) -> str:
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_LENGTH else text[:VALUE_LENGTH] + "…"


def instance_marks(engine: ProcessEngine, instance_id: int) -> dict[str, ElementMarks]:
    """Return the markers of one instance's elements; call inside a transaction."""
    session = engine.uow.session
    marks: defaultdict[str, ElementMarks] = defaultdict(ElementMarks)
    for element_id in session.scalars(select(Task.element_id).where(
            Task.instance_id == instance_id, Task.state == "open")):
        marks[element_id].active += 1
    for element_id in session.scalars(select(Timer.element_id).where(
            Timer.instance_id == instance_id)):
        marks[element_id].active += 1
    for element_id in session.scalars(select(Job.element_id).where(
            Job.instance_id == instance_id, Job.status.in_(OPEN_JOB_STATUSES))):
        marks[element_id].active += 1
    open_incidents = session.execute(
        select(Incident.id, Incident.element_id, Incident.message)
        .where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
        .order_by(Incident.id))
    for incident_id, incident_element, message in open_incidents:
        if incident_element:
            marks[incident_element].incidents += 1
            marks[incident_element].incident_messages.append((incident_id, message or ""))
    passed = session.execute(
        select(AuditEvent.element_id, func.count())
        .where(AuditEvent.instance_id == instance_id, AuditEvent.action.in_(PASSED_ACTIONS),
               AuditEvent.element_id.is_not(None))
        .group_by(AuditEvent.element_id))
    for passed_element, count in passed:
        if passed_element:
            marks[passed_element].done += int(count)
    return dict(marks)


def process_marks(engine: ProcessEngine, key: str) -> dict[str, ElementMarks]:
    """Return the heatmap of the process `key` over all its versions: per element how many
    running instances are there now, and how long its completed user tasks took from
    creation to completion (median and 90th percentile, nearest rank). Call inside a
    transaction."""
    session = engine.uow.session
    marks: defaultdict[str, ElementMarks] = defaultdict(ElementMarks)
    running = select(ProcessInstance.id).where(ProcessInstance.definition_key == key,
                                               ProcessInstance.status == "running")
    active_queries = (
        select(Task.element_id, func.count(func.distinct(Task.instance_id)))
        .where(Task.definition_key == key, Task.state == "open").group_by(Task.element_id),
        select(Timer.element_id, func.count(func.distinct(Timer.instance_id)))
        .where(Timer.instance_id.in_(running)).group_by(Timer.element_id),
        select(Job.element_id, func.count(func.distinct(Job.instance_id)))
        .where(Job.instance_id.in_(running), Job.status.in_(OPEN_JOB_STATUSES))
        .group_by(Job.element_id),
    )
    for active_query in active_queries:
        for element_id, count in session.execute(active_query):
            marks[element_id].active += int(count)
    incidents = session.execute(
        select(Incident.element_id, func.count())
        .where(Incident.instance_id.in_(running), Incident.resolved_at.is_(None),
               Incident.element_id.is_not(None))
        .group_by(Incident.element_id))
    for incident_element, count in incidents:
        if incident_element:
            marks[incident_element].incidents += int(count)

    for element_id, stats in task_durations(engine, key).items():
        element = marks[element_id]
        element.done = stats.samples
        element.samples = stats.samples
        element.median_seconds = stats.median_seconds
        element.p90_seconds = stats.p90_seconds
    return dict(marks)


def element_names(bpmn_xml: str) -> dict[str, str]:
    """Return the names of the flow elements in a BPMN file by id, for the tables."""
    from lxml import etree

    names: dict[str, str] = {}
    root = etree.fromstring(bpmn_xml.encode(), etree.XMLParser(resolve_entities=False,
                                                                no_network=True))
    for element in root.iter():
        element_id = element.get("id")
        name = element.get("name")
        if element_id and name:
            names[element_id] = " ".join(name.split())
    return names



@dataclass(frozen=True)
class ActionChoices:
    """The choices of an instance's action forms: the user tasks it may move back to
    (element id, name), the other versions of its process (definition id, version), and
    the people its open tasks may be reassigned to (user name -> display name)."""

    move_back_elements: list[tuple[str, str]]
    versions: list[tuple[int, int]]
    reassign_targets: dict[str, str] = field(default_factory=dict)


def action_choices(engine: ProcessEngine, instance: ProcessInstance) -> ActionChoices:
    """Collect the choices of the action forms; call inside a transaction."""
    session = engine.uow.session
    completed = session.execute(
        select(Task.element_id, Task.name)
        .where(Task.instance_id == instance.id, Task.state == "completed")
        .order_by(Task.completed_at))
    elements: dict[str, str] = {}
    for element_id, name in completed:
        elements.setdefault(element_id, name)
    versions = session.execute(
        select(ProcessDefinition.id, ProcessDefinition.version)
        .where(ProcessDefinition.key == instance.definition_key,
               ProcessDefinition.id != instance.definition_id)
        .order_by(ProcessDefinition.version.desc()))
    targets: dict[str, str] = {}
    for task in session.scalars(select(Task).where(Task.instance_id == instance.id,
                                                   Task.state == "open")):
        targets.update(engine.tasks.reassign_targets(task))
    return ActionChoices(list(elements.items()),
                         [(int(row[0]), int(row[1])) for row in versions],
                         dict(sorted(targets.items(), key=lambda item: item[1].casefold())))
