"""Messages: processes wait for them by name, and systems deliver them through the runtime.

A waiting message catch event (intermediate event, receive task or boundary event) is a
subscription row of its instance, kept in step by the engine's sync. A message start event
is a subscription row of its process version; deploying a new version replaces it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select

from engine.errors import Conflict, NotFound
from engine.i18n import N_
from engine.models import MessageSubscription, ProcessDefinition, ProcessInstance
from engine.runtime.specs import message_name

if TYPE_CHECKING:
    from engine.engine import ProcessEngine
    from engine.runtime.compiler import CompiledProcess
    from engine.services.execution import Execution

log = logging.getLogger(__name__)

# Where the delivered variables are also kept, as one object, on the catching step.
MESSAGE_VARIABLE = "melding"


class MessageNotCorrelated(NotFound):
    code = "message_not_correlated"
    message = N_("No case waits for the message %(name)s%(key_text)s, and no process starts "
                 "with it. Check the message name and the case number.")

    def __init__(self, name: str, business_key: str | None) -> None:
        super().__init__(name=name, business_key=business_key,
                         key_text=f" ({business_key})" if business_key else "")


class MessageAmbiguous(Conflict):
    code = "message_ambiguous"
    message = N_("%(count)s cases or processes wait for the message %(name)s. Give the case "
                 "number, or ask for delivery to all of them.")

    def __init__(self, name: str, count: int) -> None:
        super().__init__(name=name, count=count)


def subscribe_starts(engine: ProcessEngine, definition: ProcessDefinition,
                     compiled: CompiledProcess) -> None:
    """Replace the message start subscriptions of `definition.key` with this version's."""
    session = engine.uow.session
    older = select(ProcessDefinition.id).where(ProcessDefinition.key == definition.key,
                                               ProcessDefinition.id != definition.id)
    session.execute(delete(MessageSubscription).where(
        MessageSubscription.definition_id.in_(older)))
    for spec in compiled.spec.task_specs.values():
        name = getattr(spec, "start_message", None)
        if name:
            session.add(MessageSubscription(
                message_name=name, definition_id=definition.id, element_id=spec.bpmn_id,
                created_at=engine.clock.now()))


def waiting_for_messages(execution: Execution) -> dict[str, tuple[str, str]]:
    """Task id -> (message name, element id) of every message the instance now waits for."""
    waiting = {}
    for task in execution.workflow.get_tasks(state=TaskState.WAITING):
        name = message_name(task)
        if name:
            waiting[str(task.id)] = (name, task.task_spec.bpmn_id)
    return waiting


def deliver(execution: Execution, task_id: str, variables: dict[str, Any]) -> bool:
    """Give the message to the waiting step `task_id`; False when it no longer waits."""
    spiff_task = execution.spiff_task(task_id)
    if spiff_task is None or spiff_task.state != TaskState.WAITING:
        return False
    definition = spiff_task.task_spec.event_definition
    spiff_task.data.update(variables)
    payload = {"payload": dict(variables), "result_var": MESSAGE_VARIABLE}
    execution.workflow.catch(BpmnEvent(definition, payload=payload))
    return True


def subscriptions(engine: ProcessEngine, name: str, business_key: str | None
                  ) -> tuple[list[MessageSubscription], list[MessageSubscription]]:
    """The waiting instances and the starting process versions for a message name."""
    session = engine.uow.session
    waiting_query = (select(MessageSubscription)
                     .join(ProcessInstance, ProcessInstance.id == MessageSubscription.instance_id)
                     .where(MessageSubscription.message_name == name,
                            ProcessInstance.status == "running"))
    if business_key:
        waiting_query = waiting_query.where(ProcessInstance.business_key == business_key)
    waiting = list(session.scalars(waiting_query.order_by(MessageSubscription.id)))
    starting = list(session.scalars(
        select(MessageSubscription)
        .join(ProcessDefinition, ProcessDefinition.id == MessageSubscription.definition_id)
        .where(MessageSubscription.message_name == name,
               ProcessDefinition.active.is_(True))
        .order_by(MessageSubscription.id)))
    return waiting, starting
