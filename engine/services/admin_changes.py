"""Changes to a workflow's task tree for the administrator actions move back and migrate.

The stored tree is pruned (see engine/runtime/prune.py), so the tasks an instance finished
earlier are usually gone from it. Moving back therefore builds a new task for the earlier
user task in place of the current one instead of resetting an old task.
"""

from __future__ import annotations

import json
from collections import deque
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventJoin, BoundaryEventSplit, _EndJoin
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.i18n import gettext as _
from engine.runtime.specs import UserTask

# Task states where an instance is waiting or working; the other unfinished states are
# predictions of the library.
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
# The unfinished states that are predictions of the library, FUTURE included.
FORECAST = TaskState.PREDICTED_MASK | TaskState.FUTURE


# --- move back -----------------------------------------------------------------------------

def move_back_blocker(workflow: Any, element_id: str, reached: bool) -> str | None:
    """Return why the instance cannot move back to the user task `element_id`, or None.

    Timers and other events attached to the waiting user task do not count as steps the
    instance waits in, and neither does the process's end join, which waits for branches
    that already ended.
    """
    spec = workflow.spec.task_specs.get(element_id)
    if isinstance(spec, LoopTask) and _is_user_step(spec):
        return _("moving back to a multi-instance user task is not supported. Move back to "
                 "the task before it, or terminate the case and start it anew.")
    if not isinstance(spec, UserTask):
        return _("it is not a user task of the main process.")
    if not reached:
        return _("the case has not completed that task before.")
    active = workflow.get_tasks(state=ACTIVE)
    inner = [task for task in active if task.workflow is not workflow]
    if inner:
        return _("the case is inside a subprocess now (%(steps)s). Wait until the "
                 "subprocess has finished, or terminate the case and start it anew.",
                 steps=_step_list(inner))
    current: list[Any] = []
    for task in active:
        if _is_boundary_event(task) or isinstance(task.task_spec, _EndJoin):
            continue
        # The instances of a multi-instance user task are one step with its wrapper.
        step = _multi_instance_wrapper(task) or task
        if step not in current:
            current.append(step)
    users = [task for task in current if _is_user_step(task.task_spec)]
    if len(users) != 1 or len(current) != 1:
        return _("the case is waiting in these steps at once: %(steps)s. Moving back needs "
                 "the case to wait in one user task only. Wait until the other steps have "
                 "finished, or terminate the case and start it anew.",
                 steps=_step_list(current))
    if not _path_is_plain(workflow.spec, spec, current[0].task_spec):
        return _("the way from that task to the current one goes through a parallel or "
                 "inclusive gateway, a loop or a multi-instance step.")
    return None


def element_label(spec: Any) -> str:
    """Return the name of the BPMN element of `spec`, or its id when it has no name."""
    name = getattr(spec, "bpmn_name", None)
    if not name and isinstance(spec, LoopTask):
        # The wrapper of a multi-instance activity leaves the name to its child spec.
        child = spec._wf_spec.task_specs.get(spec.task_spec)
        name = getattr(child, "bpmn_name", None)
    name = " ".join((name or "").split())
    return name or getattr(spec, "bpmn_id", None) or spec.name


def _multi_instance_wrapper(task: Any) -> Any:
    """Return the unfinished multi-instance task that `task` is an instance of, or None."""
    parent = task.parent
    if parent is not None and isinstance(parent.task_spec, LoopTask) and \
            parent.task_spec.task_spec == task.task_spec.name and \
            parent.has_state(TaskState.NOT_FINISHED_MASK):
        return parent
    return None


def _is_user_step(spec: Any) -> bool:
    if isinstance(spec, LoopTask):
        spec = spec._wf_spec.task_specs.get(spec.task_spec)
    return isinstance(spec, UserTask)


def _step_list(tasks: list[Any]) -> str:
    labels: list[str] = []
    for task in tasks:
        label = element_label(task.task_spec)
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


def replace_entry_task(workflow: Any, element_id: str, data: dict[str, Any]) -> str:
    """Replace the current user task (with its boundary events) by a new task for the user
    task `element_id`, which starts with `data`. Return the element id left."""
    current = next(task for task in workflow.get_tasks(state=TaskState.READY, manual=True)
                   if task.workflow is workflow)
    current = _multi_instance_wrapper(current) or current
    left = current.task_spec.bpmn_id
    entry = current.parent if isinstance(current.parent.task_spec, BoundaryEventSplit) \
        else current
    anchor = entry.parent
    if anchor is None:
        # The tree was pruned right above the entry, so a finished start task takes its
        # place as the root that carries the data.
        anchor = SpiffTask(workflow, workflow.spec.start, None, state=TaskState.COMPLETED)
        _forget_subtree(workflow, entry)
        workflow.task_tree = anchor
    else:
        workflow._remove_task(entry.id)
    anchor.data = deepcopy(data)
    workflow.last_task = anchor

    target = workflow.spec.task_specs[element_id]
    split = next((spec for spec in target.inputs if isinstance(spec, BoundaryEventSplit)),
                 None)
    new_task = SpiffTask(workflow, split or target, anchor, state=TaskState.FUTURE)
    new_task.task_spec._predict(new_task, mask=FORECAST)
    new_task.task_spec._update(new_task)
    return left


def _is_boundary_event(task: Any) -> bool:
    parent = task.parent
    return parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) and \
        isinstance(task.task_spec, CatchingEvent) and not isinstance(task.task_spec, UserTask)


def _path_is_plain(process: Any, start: Any, goal: Any) -> bool:
    """True when `goal` is reachable from `start` and no way between them passes a
    parallel or inclusive gateway or a loop or multi-instance step."""
    seen = {start.name}
    queue = deque([start])
    found = False
    while queue:
        spec = queue.popleft()
        if spec is goal:
            found = True
            continue
        if isinstance(spec, (ParallelGateway, InclusiveGateway, LoopTask)):
            return False
        for following in spec.outputs:
            if following.name not in seen:
                seen.add(following.name)
                queue.append(following)
    return found


def _forget_subtree(workflow: Any, root: Any) -> None:
    for task in list(root):
        workflow.tasks.pop(task.id, None)


# --- migrate -------------------------------------------------------------------------------

def migration_blockers(workflow: Any, compiled: Any) -> dict[str, str]:
    """Return the active steps that have no match in `compiled` (missing there, of another
    type or event kind, or inside a subprocess) as element id -> name, sorted by id."""
    blockers: dict[str, str] = {}
    specs = compiled.spec.task_specs
    for task in workflow.get_tasks(state=ACTIVE):
        old = task.task_spec
        element_id = getattr(old, "bpmn_id", None) or old.name
        if task.workflow is not workflow:
            blockers[element_id] = element_label(old)
            continue
        new = specs.get(old.name)
        if new is None or type(new) is not type(old) or \
                _event_kind(new) != _event_kind(old):
            blockers[element_id] = element_label(old)
            continue
        if isinstance(old, (LoopTask, BoundaryEventSplit, BoundaryEventJoin)) and \
                [spec.name for spec in new.outputs] != [spec.name for spec in old.outputs]:
            blockers[element_id] = element_label(old)
    for subprocess_id in workflow.subprocesses:
        owner = workflow.get_task_from_id(subprocess_id)
        if owner is not None and owner.has_state(TaskState.NOT_FINISHED_MASK):
            spec = owner.task_spec
            blockers[getattr(spec, "bpmn_id", None) or spec.name] = element_label(spec)
    return dict(sorted(blockers.items()))


def _event_kind(spec: Any) -> str | None:
    definition = getattr(spec, "event_definition", None)
    return None if definition is None else type(definition).__name__


def drop_predicted_tasks(workflow: Any) -> None:
    """Remove the tasks the library predicted from the old version's diagram."""
    for task in list(workflow.get_tasks(state=FORECAST)):
        if task.workflow is workflow and task.id in workflow.tasks and task.parent is not None:
            workflow._remove_task(task.id)


def retarget_finished_tasks(state: str, spec: Any) -> str:
    """Point finished tasks whose element the new version lacks at its start task: they
    are history, and the new spec must contain every task's spec to load the state."""
    tree = json.loads(state)
    for task in tree["tasks"].values():
        if task["task_spec"] not in spec.task_specs:
            task["task_spec"] = spec.start.name
    return json.dumps(tree, separators=(",", ":"), ensure_ascii=False)


def predict_waiting_tasks(workflow: Any) -> None:
    """Predict the following steps from the new version's diagram."""
    for task in list(workflow.get_tasks(state=ACTIVE)):
        if task.workflow is workflow:
            task.task_spec._predict(task, mask=FORECAST | ACTIVE)

