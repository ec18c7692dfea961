"""Task specs and timer event definitions of Sløyfe's BPMN dialect.

User tasks carry the Camunda 7 attributes, and external service tasks wait for a job. Timers
read the engine's clock (through the workflow's script engine) instead of the wall clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.util import PendingBpmnEvent
from SpiffWorkflow.camunda.specs.user_task import UserTask as CamundaUserTask

from engine.runtime import timeexpr
from engine.runtime.calendar import WORKING_DAYS


class UserTask(CamundaUserTask):
    """A user task with the Camunda assignment, deadline and form attributes kept as written.

    Attribute values may hold `${expression}` parts; they are resolved when the task appears.
    """

    def __init__(self, wf_spec: Any, bpmn_id: str, form: Any = None, *,
                 assignee: str | None = None, candidate_groups: str | None = None,
                 candidate_users: str | None = None, due_date: str | None = None,
                 follow_up_date: str | None = None, priority: str | None = None,
                 form_ref: str | None = None, lane_groups: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, form, **kwargs)
        self.assignee = assignee
        self.candidate_groups = candidate_groups
        self.candidate_users = candidate_users
        self.due_date = due_date
        self.follow_up_date = follow_up_date
        self.priority = priority
        self.form_ref = form_ref
        self.lane_groups = lane_groups


class ExternalServiceTask(ServiceTask):
    """A service task whose work a handler registered for `topic` does, run as a job.

    Running the task only marks it STARTED; the engine then queues a job, and the job completes
    the task with the handler's result.
    """

    def __init__(self, wf_spec: Any, bpmn_id: str, topic: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic

    def _run_hook(self, my_task: Any) -> None:
        return None


def uses_working_days(my_task: Any) -> bool:
    """True when the element's camunda property `kalender` asks for Norwegian working days."""
    extensions = getattr(my_task.task_spec, "extensions", None) or {}
    return extensions.get("kalender") == WORKING_DAYS


def engine_now(my_task: Any) -> datetime:
    return my_task.workflow.top_workflow.script_engine.clock.now()


def resolve_timer_text(my_task: Any, expression: str) -> Any:
    """Return the value of a timer expression: an ISO literal as written, else its evaluation."""
    text = (expression or "").strip()
    written = timeexpr.literal(text)
    if written is not None:
        return written
    engine = my_task.workflow.top_workflow.script_engine
    return engine.evaluate_template(my_task, text)


class ClockTimeDate(TimeDateEventDefinition):
    """A timeDate timer, fired when the engine clock reaches the instant."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = resolve_timer_text(my_task, self.expression)
            event_value = timeexpr.to_utc_instant(value).isoformat()
            my_task._set_internal_data(event_value=event_value)
        if datetime.fromisoformat(event_value) <= engine_now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockDuration(DurationTimerEventDefinition):
    """A timeDuration timer, counted from the moment the event is reached."""

    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = resolve_timer_text(my_task, self.expression)
            due = _duration_value(value).add_to(engine_now(my_task),
                                                working_days=uses_working_days(my_task))
            event_value = due.isoformat()
            my_task._set_internal_data(event_value=event_value)
        if datetime.fromisoformat(event_value) <= engine_now(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockCycle(CycleTimerEventDefinition):
    """A timeCycle timer (R[n]/[start]/period); each due cycle starts one more branch."""

    def cycle_complete(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        now = engine_now(my_task)
        if event_value is None:
            cycle = timeexpr.parse_cycle(str(resolve_timer_text(my_task, self.expression)))
            event_value = {
                "cycles": -1 if cycle.repetitions is None else cycle.repetitions,
                "next": cycle.first_due(now).isoformat(),
                "expression": str(resolve_timer_text(my_task, self.expression)),
            }

        ready = False
        if event_value["cycles"] != 0:
            next_due = datetime.fromisoformat(event_value["next"])
            if next_due <= now:
                period = timeexpr.parse_cycle(event_value["expression"]).period
                following = period.add_to(next_due, working_days=uses_working_days(my_task))
                event_value = dict(event_value, next=following.isoformat(),
                                   cycles=event_value["cycles"] - 1)
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False

        my_task._set_internal_data(event_value=event_value)
        return ready

    def details(self, my_task: Any) -> PendingBpmnEvent:
        event_value = my_task._get_internal_data("event_value")
        value = event_value["next"] if event_value and event_value["cycles"] != 0 else None
        return PendingBpmnEvent(self.name, self.__class__.__name__, value)


def _duration_value(value: Any) -> timeexpr.Duration:
    from datetime import timedelta

    if isinstance(value, timedelta):
        return timeexpr.Duration(seconds=value.total_seconds())
    return timeexpr.parse_duration(str(value))


def message_name(my_task: Any) -> str | None:
    """The name of the message a waiting catch event task waits for, or None."""
    from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition

    definition = getattr(my_task.task_spec, "event_definition", None)
    if isinstance(definition, MessageEventDefinition):
        return str(definition.name)
    return None


def timer_due_at(my_task: Any) -> datetime | None:
    """Return when a waiting timer event task is next due, or None if it is not a timer."""
    definition = getattr(my_task.task_spec, "event_definition", None)
    event_value = my_task._get_internal_data("event_value")
    if event_value is None:
        return None
    if isinstance(definition, ClockCycle):
        if event_value.get("cycles", 0) == 0:
            return None
        return datetime.fromisoformat(event_value["next"])
    if isinstance(definition, (ClockTimeDate, ClockDuration)):
        if my_task._get_internal_data("event_fired", False):
            return None
        return datetime.fromisoformat(event_value)
    return None
