"""One command on one process instance: load, change, run until it waits, sync, save.

Everything here runs inside the caller's transaction. The workflow state, the task-list rows,
timer and job rows, incidents and audit rows are written together, so they never disagree.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select, update
from sqlalchemy.orm import undefer

from engine.errors import ConcurrentModification, EngineError, InstanceNotFound
from engine.i18n import gettext as _
from engine.i18n import use_locale
from engine.models import (
    Incident,
    Job,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    Task,
    Timer,
)
from engine.runtime.compiler import CompiledProcess
from engine.runtime.prune import prune
from engine.runtime.specs import ExternalServiceTask, UserTask, timer_due_at
from engine.runtime.subprocesses import delete_subprocesses_of_dropped_tasks
from engine.services.assignment import resolve_assignment

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

log = logging.getLogger(__name__)

# A run that keeps finding READY engine tasks after this many passes is looping without a wait
# state (for example a gateway cycle with no user task); it becomes an incident.
MAX_ENGINE_PASSES = 10_000

STATUS_PROPERTY = "status"
TITLE_PROPERTY = "title"


class Execution:
    def __init__(self, engine: ProcessEngine, instance: ProcessInstance,
                 definition: ProcessDefinition, compiled: CompiledProcess,
                 workflow: BpmnWorkflow, actor: str | None) -> None:
        self.engine = engine
        self.instance = instance
        self.definition = definition
        self.compiled = compiled
        self.workflow = workflow
        delete_subprocesses_of_dropped_tasks(workflow)
        self.actor = actor
        self.reached: list[Any] = []
        self.incidents: list[Incident] = []
        # Jobs this command queued; the caller runs them after the commit.
        self.queued_jobs = 0
        # The instance's open task rows after sync, so callers need not query them again.
        self.open_task_rows: list[Task] = []

    @property
    def session(self) -> Any:
        return self.engine.uow.session

    # --- loading -------------------------------------------------------------------------

    @classmethod
    def create(cls, engine: ProcessEngine, definition: ProcessDefinition, actor: str | None,
               business_key: str | None, start_event: str | None = None) -> Execution:
        """Create a new instance; `start_event` names the timer or message start that
        triggered it, and without one the plain start event is taken."""
        compiled = engine.specs.get(definition.id)
        workflow = BpmnWorkflow(compiled.spec, compiled.subprocess_specs,
                                script_engine=engine.script_engine)
        _choose_start_event(workflow, start_event)
        instance = ProcessInstance(
            definition_id=definition.id, definition_key=definition.key,
            business_key=business_key, status="running", started_by=actor,
            started_at=engine.clock.now(), state="{}")
        engine.uow.session.add(instance)
        engine.uow.session.flush()
        return cls(engine, instance, definition, compiled, workflow, actor)

    @classmethod
    def load(cls, engine: ProcessEngine, instance_id: int, actor: str | None,
             lock: bool = True, instance: ProcessInstance | None = None) -> Execution:
        """Load an instance; `lock` takes its row lock on PostgreSQL until the commit.

        A caller that already read (and locked) the row with its state passes it as
        `instance`.
        """
        session = engine.uow.session
        if instance is None:
            query = (select(ProcessInstance).options(undefer(ProcessInstance.state))
                     .where(ProcessInstance.id == instance_id))
            if lock and session.bind.dialect.name == "postgresql":
                query = query.with_for_update()
            instance = session.scalar(query)
        if instance is None:
            raise InstanceNotFound(instance_id)
        definition = engine.repository.cached_definition(instance.definition_id)
        compiled = engine.specs.get(definition.id)
        workflow = engine.serializer.loads(instance.state, compiled.spec,
                                           compiled.subprocess_specs, engine.script_engine)
        return cls(engine, instance, definition, compiled, workflow, actor)

    def spiff_task(self, task_id: str) -> Any | None:
        from uuid import UUID

        try:
            return self.workflow.get_task_from_id(UUID(task_id))
        except Exception:
            return None

    # --- running -------------------------------------------------------------------------

    def run(self) -> None:
        """Run engine tasks until only user tasks, timers and jobs are left, or one fails."""
        started = time.perf_counter()
        try:
            for _pass in range(MAX_ENGINE_PASSES):
                self.workflow.do_engine_steps(did_complete_task=self.reached.append)
                if not self.workflow.get_tasks(state=TaskState.READY, manual=False):
                    break
            else:
                raise RuntimeError("the process kept running without reaching a wait state")
        except Exception as error:  # every failure inside the diagram becomes an incident
            self.record_incident(error)
        log.debug("instance run instance_id=%s elapsed_ms=%.1f", self.instance.id,
                  (time.perf_counter() - started) * 1000)

    def record_incident(self, error: BaseException, kind: str | None = None,
                        task: Any = None, job_id: int | None = None) -> Incident:
        root = _root_error(error)
        if task is None:
            task = self._failed_task(root, error)
        element_id = _element_id(task) if task is not None else None
        with use_locale(self.engine.config.get("DEFAULT_LOCALE", "nb")):
            message = _incident_message(root)
        incident = Incident(
            instance_id=self.instance.id, task_id=str(task.id) if task is not None else None,
            element_id=element_id, kind=kind or _incident_kind(root), message=message,
            job_id=job_id, created_at=self.engine.clock.now())
        self.session.add(incident)
        self.instance.has_incident = True
        self.incidents.append(incident)
        log.warning("incident instance_id=%s element_id=%s kind=%s error=%s", self.instance.id,
                    element_id, incident.kind, type(root).__name__)
        self.session.flush()
        self.engine.history.record("incident_created", "system", instance_id=self.instance.id,
                                   task_id=incident.task_id, element_id=element_id,
                                   incident_id=incident.id, kind=incident.kind)
        return incident

    def _failed_task(self, root: BaseException, error: BaseException) -> Any:
        task_id = getattr(root, "task_id", None)
        if task_id:
            return self.spiff_task(task_id)
        task = getattr(error, "task", None) or getattr(root, "task", None)
        if task is not None:
            return task
        failed = self.workflow.get_tasks(state=TaskState.ERROR)
        return failed[0] if failed else None

    # --- projections ---------------------------------------------------------------------

    def sync(self, completed_task_id: str | None = None) -> None:
        """Bring task, timer and job rows, status, title and unit in line with the workflow.

        Changes are flushed once, when the state is saved: every flush is a round trip.
        """
        with self.session.no_autoflush:
            # Title and unit first: new task rows take the case's unit.
            self._sync_title_and_unit()
            if self.workflow.completed:
                self._sync_case_fields()
                self._finish()
                return
            self._sync_tasks(completed_task_id)
            self._sync_timers()
            self._sync_jobs()
            self._sync_subscriptions()
            self._sync_case_fields()

    def _sync_tasks(self, completed_task_id: str | None) -> None:
        ready = {str(t.id): t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
                 if isinstance(t.task_spec, UserTask)}
        open_rows = {row.id: row for row in self.session.scalars(
            select(Task).where(Task.instance_id == self.instance.id, Task.state == "open"))}

        self.open_task_rows = [row for task_id, row in open_rows.items()
                               if task_id in ready and task_id != completed_task_id]
        for task_id, row in open_rows.items():
            if task_id in ready or task_id == completed_task_id:
                continue
            row.state = "cancelled"
            row.completed_at = self.engine.clock.now()
            self.engine.history.record("task_cancelled", self.actor or "system",
                                       instance_id=self.instance.id, task_id=task_id,
                                       element_id=row.element_id)

        for task_id, spiff_task in ready.items():
            # A spiff task id is new for every step a task is reached, so a READY task
            # without an open row has no row at all (the completed one is still READY here).
            if task_id in open_rows or task_id == completed_task_id:
                continue
            row = self._create_task_row(spiff_task)
            self.open_task_rows.append(row)
            self._apply_status(spiff_task)
            self.engine.history.record("task_created", "system", instance_id=self.instance.id,
                                       task_id=row.id, element_id=row.element_id)

    def _create_task_row(self, spiff_task: Any) -> Task:
        spec: UserTask = spiff_task.task_spec
        try:
            assignment = resolve_assignment(self.engine, self.instance, spiff_task)
        except EngineError as error:
            self.record_incident(error, kind="assignment", task=spiff_task)
            assignment = resolve_assignment(self.engine, self.instance, spiff_task, safe=True)
        form_definition_id = None
        if spec.form_ref:
            form_definition_id = (self.definition.form_versions or {}).get(spec.form_ref)
        row = Task(
            id=str(spiff_task.id), instance_id=self.instance.id,
            definition_key=self.definition.key, element_id=spec.bpmn_id,
            name=self._task_name(spiff_task), documentation=spec.documentation,
            form_ref=spec.form_ref, form_definition_id=form_definition_id,
            assignee=assignment.assignee, candidate_groups=assignment.candidate_groups,
            candidate_users=assignment.candidate_users, unit_id=assignment.unit_id,
            due_at=assignment.due_at, follow_up_at=assignment.follow_up_at,
            priority=assignment.priority, state="open", created_at=self.engine.clock.now(),
            claimed_at=self.engine.clock.now() if assignment.assignee else None)
        row.candidates = assignment.candidate_rows()
        self.session.add(row)
        self.engine.notifications.task_assigned(row, self.actor)
        return row

    def _task_name(self, spiff_task: Any) -> str:
        """The step name, followed by the task's `title` property when it has one (for
        telling apart the tasks of a multi-instance step, such as one per measure)."""
        spec = spiff_task.task_spec
        name = spec.bpmn_name or spec.bpmn_id
        title_template = (spec.extensions or {}).get(TITLE_PROPERTY)
        if title_template:
            try:
                title = self.engine.script_engine.evaluate_template(spiff_task, title_template)
            except EngineError as error:
                self.record_incident(error, kind="assignment", task=spiff_task)
                title = None
            if title:
                name = f"{name} – {title}"
        return name[:300]

    def _sync_timers(self) -> None:
        waiting: dict[str, tuple[Any, datetime]] = {}
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            due = timer_due_at(task)
            if due is not None:
                waiting[str(task.id)] = (task, due)
        if not waiting and not self.instance.has_timers:
            return
        self.instance.has_timers = bool(waiting)
        rows = {row.task_id: row for row in self.session.scalars(
            select(Timer).where(Timer.instance_id == self.instance.id))}
        for task_id, row in rows.items():
            if task_id not in waiting:
                self.session.delete(row)
        for task_id, (task, due) in waiting.items():
            row = rows.get(task_id)
            if row is None:
                definition = task.task_spec.event_definition
                self.session.add(Timer(
                    instance_id=self.instance.id, task_id=task_id,
                    element_id=_element_id(task), kind=type(definition).__name__,
                    due_at=due, attempts=0, created_at=self.engine.clock.now()))
            elif row.due_at != due:
                row.due_at = due
                row.claimed_by = None
                row.claim_expires_at = None

    def _sync_jobs(self) -> None:
        started = {str(t.id): t for t in self.workflow.get_tasks(state=TaskState.STARTED)
                   if isinstance(t.task_spec, ExternalServiceTask)}
        if not started and not self.instance.has_jobs:
            return
        self.instance.has_jobs = bool(started)
        rows = {row.task_id: row for row in self.session.scalars(
            select(Job).where(Job.instance_id == self.instance.id))}
        for task_id, row in rows.items():
            if task_id not in started:
                self.session.delete(row)
        for task_id, task in started.items():
            if task_id in rows:
                continue
            spec: ExternalServiceTask = task.task_spec
            retries = (spec.extensions or {}).get("retries")
            max_attempts = int(retries) + 1 if retries and retries.isdigit() else \
                int(self.engine.config["JOB_MAX_ATTEMPTS"])
            self.session.add(Job(
                instance_id=self.instance.id, task_id=task_id, element_id=spec.bpmn_id,
                topic=spec.topic, status="pending", due_at=self.engine.clock.now(),
                attempts=0, max_attempts=max_attempts, created_at=self.engine.clock.now()))
            self.queued_jobs += 1
            self._apply_status(task)

    def _sync_subscriptions(self) -> None:
        from engine.services.messages import waiting_for_messages

        waiting = waiting_for_messages(self)
        if not waiting and not self.instance.has_subscriptions:
            return
        self.instance.has_subscriptions = bool(waiting)
        rows = {row.task_id: row for row in self.session.scalars(
            select(MessageSubscription).where(
                MessageSubscription.instance_id == self.instance.id))}
        for task_id, row in rows.items():
            if task_id not in waiting:
                self.session.delete(row)
        for task_id, (name, element_id) in waiting.items():
            if task_id not in rows:
                self.session.add(MessageSubscription(
                    message_name=name, instance_id=self.instance.id, task_id=task_id,
                    element_id=element_id, created_at=self.engine.clock.now()))

    def _sync_case_fields(self) -> None:
        for task in self.reached:
            self._apply_status(task)
        self.reached.clear()

    def _sync_title_and_unit(self) -> None:
        data = self.current_data()
        properties = self.compiled.facts.properties
        title_variable = properties.get("titleVariable", "tittel")
        title = data.get(title_variable)
        if isinstance(title, str) and title.strip():
            self.instance.title = title.strip()[:300]
        elif not self.instance.title:
            self.instance.title = self.definition.name

        unit_variable = properties.get("unitVariable", "enhet")
        unit_code = data.get(unit_variable)
        if isinstance(unit_code, str) and unit_code:
            unit_id = self.engine.organisation.unit_id(unit_code)
            if unit_id is not None:
                self.instance.unit_id = unit_id

    def current_data(self) -> dict[str, Any]:
        """The process variables as the latest completed step left them."""
        last = self.workflow.last_task
        if last is not None:
            return dict(last.data)
        return dict(self.workflow.data)

    def _apply_status(self, task: Any) -> None:
        status = (getattr(task.task_spec, "extensions", None) or {}).get(STATUS_PROPERTY)
        if status and status != self.instance.case_status:
            previous = self.instance.case_status
            self.instance.case_status = status[:64]
            self.engine.history.record("status_changed", self.actor or "system",
                                       instance_id=self.instance.id, element_id=_element_id(task),
                                       previous=previous, status=self.instance.case_status)

    def _finish(self) -> None:
        """Close a completed instance: open tasks are cancelled, timers and jobs removed."""
        now = self.engine.clock.now()
        self.instance.status = "completed"
        self.instance.ended_at = now
        self.session.execute(update(Task).where(
            Task.instance_id == self.instance.id, Task.state == "open")
            .values(state="cancelled", completed_at=now))
        if self.instance.has_timers:
            self.session.execute(delete(Timer).where(Timer.instance_id == self.instance.id))
        if self.instance.has_jobs:
            self.session.execute(delete(Job).where(Job.instance_id == self.instance.id))
        if self.instance.has_subscriptions:
            self.session.execute(delete(MessageSubscription).where(
                MessageSubscription.instance_id == self.instance.id))
        self.instance.has_timers = False
        self.instance.has_jobs = False
        self.instance.has_subscriptions = False
        self.engine.history.record("instance_completed", self.actor or "system",
                                   instance_id=self.instance.id)

    # --- saving --------------------------------------------------------------------------

    def save(self) -> None:
        prune(self.workflow)
        self.instance.state = self.engine.serializer.dumps(self.workflow)
        try:
            self.session.flush()
        except Exception as error:
            from sqlalchemy.orm.exc import StaleDataError

            if isinstance(error, StaleDataError):
                raise ConcurrentModification(self.instance.id) from None
            raise


def _choose_start_event(workflow: BpmnWorkflow, start_event: str | None) -> None:
    """Cancel every start event of the process except the one this instance starts from.

    Timer and message starts run at once inside an instance (see the parser), so without
    this an instance would run each start's path.
    """
    starts = [task for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK)
              if isinstance(task.task_spec, StartEvent) and task.workflow is workflow]
    if len(starts) <= 1:
        return
    if start_event is None:
        plain = [task for task in starts if not _triggered_start(task.task_spec)]
        start_event = (plain or starts)[0].task_spec.bpmn_id
    for task in starts:
        if task.task_spec.bpmn_id != start_event:
            task.cancel()


def _triggered_start(spec: Any) -> bool:
    return getattr(spec, "start_timer", None) is not None or \
        getattr(spec, "start_message", None) is not None


def _element_id(task: Any) -> str | None:
    spec = getattr(task, "task_spec", None)
    if spec is None:
        return None
    return getattr(spec, "bpmn_id", None) or spec.name


def _root_error(error: BaseException) -> BaseException:
    """Unwrap the library's exception wrappers to the error that started it."""
    seen = set()
    current: BaseException = error
    while id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, EngineError):
            return current
        inner = getattr(current, "exception", None) or current.__cause__ or current.__context__
        if not isinstance(inner, BaseException):
            break
        current = inner
    return current if isinstance(current, EngineError) else error


def _incident_kind(error: BaseException) -> str:
    from engine.errors import HandlerFailed, ScriptError

    if isinstance(error, ScriptError):
        return f"script_{error.kind}"
    if isinstance(error, HandlerFailed):
        return "handler"
    return "engine"


def _incident_message(error: BaseException) -> str:
    from engine.errors import ScriptError

    if isinstance(error, ScriptError):
        reasons = {
            "forbidden": _("The expression broke a safety rule of the sandbox: %(reason)s"),
            "timeout": _("The expression ran too long and was stopped: %(reason)s"),
            "memory": _("The expression used too much memory and was stopped: %(reason)s"),
            "syntax": _("The expression is not valid Python: %(reason)s"),
        }
        template = reasons.get(error.kind)
        if template:
            return template % {"reason": error.reason}
        return _("The expression failed: %(reason)s", reason=error.reason)
    if isinstance(error, EngineError):
        return str(error)
    return _("The engine stopped with an internal error (%(error)s). An administrator can "
             "retry the step once the cause is fixed.", error=f"{type(error).__name__}: {error}")
