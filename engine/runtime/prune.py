"""Keep a workflow's live state small by dropping finished history from the task tree.

SpiffWorkflow keeps every task an instance ever ran in one tree, so a looping instance grows
without bound, and the library's recursive ancestor walk raises RecursionError after a few
hundred passes. Finished history is kept outside the tree (the audit trail and each user
task's submitted data), so it can leave the live state.

Rule: every task above the deepest task that all unfinished tasks descend from is finished,
and nothing unfinished looks above that task, so the tree is cut there and that task becomes
the new root (its parent, when that task is itself unfinished, because an unfinished task
copies its parent's data when it updates). A subprocess owned by a dropped task is finished
too and is dropped with it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState


def prune(workflow: Any) -> int:
    """Drop the finished part of the top workflow's tree; returns how many tasks it dropped.

    Active subprocesses are pruned the same way, each within its own tree. A completed
    workflow keeps only its last task, which carries the final data.
    """
    if workflow.completed:
        return _keep_last_task(workflow)
    dropped = _prune_tree(workflow, top=workflow)
    for subprocess in list(workflow.subprocesses.values()):
        if not subprocess.completed:
            dropped += _prune_tree(subprocess, top=workflow)
    return dropped


def _prune_tree(tree: Any, top: Any) -> int:
    tasks: dict[UUID, Any] = tree.tasks
    # A task in ERROR waits for an administrator's retry, so it counts as unfinished.
    done = TaskState.COMPLETED | TaskState.CANCELLED
    unfinished = [task for task in tasks.values() if not task.has_state(done)]
    if not unfinished:
        return 0

    new_root = _deepest_common_ancestor(tree, unfinished)
    if new_root is not None and not new_root.has_state(done):
        # An unfinished task still copies its parent's data when it updates, so the root
        # must be finished: the parent of an unfinished common ancestor is.
        new_root = new_root.parent
    if new_root is None or new_root is tree.task_tree:
        return 0

    keep = _subtree_ids(new_root, tasks)
    dropped = [task_id for task_id in tasks if task_id not in keep]
    for task_id in dropped:
        if task_id in top.subprocesses and top.subprocesses[task_id].completed:
            _drop_subprocess(top, task_id)

    new_root._parent = None
    tree.task_tree = new_root
    # The serializer stores each task's data as a change against its parent and restores tasks
    # in this order, so parents must stay ahead of their children.
    tree.tasks = {task_id: task for task_id, task in tasks.items() if task_id in keep}
    if tree.last_task is not None and tree.last_task.id not in keep:
        tree.last_task = new_root
    return len(dropped)


def _keep_last_task(workflow: Any) -> int:
    last = workflow.last_task
    if last is None or len(workflow.tasks) == 1:
        return 0
    dropped = len(workflow.tasks) - 1
    last._parent = None
    last._children = []
    workflow.task_tree = last
    workflow.tasks = {last.id: last}
    workflow.subprocesses.clear()
    return dropped


def _ancestry(task: Any, tasks: dict[UUID, Any]) -> list[UUID]:
    """Ids from the root down to `task`, walked without recursion."""
    path = []
    current: Any = task
    while current is not None:
        path.append(current.id)
        parent_id = current._parent
        current = tasks.get(parent_id) if parent_id is not None else None
    path.reverse()
    return path


def _deepest_common_ancestor(tree: Any, unfinished: list[Any]) -> Any | None:
    tasks = tree.tasks
    common = _ancestry(unfinished[0], tasks)
    for task in unfinished[1:]:
        path = _ancestry(task, tasks)
        length = 0
        for mine, theirs in zip(common, path, strict=False):
            if mine != theirs:
                break
            length += 1
        common = common[:length]
        if not common:
            return None
    return tasks[common[-1]]


def _subtree_ids(root: Any, tasks: dict[UUID, Any]) -> set[UUID]:
    keep: set[UUID] = set()
    stack = [root.id]
    while stack:
        task_id = stack.pop()
        if task_id in keep or task_id not in tasks:
            continue
        keep.add(task_id)
        stack.extend(tasks[task_id]._children)
    return keep


def _drop_subprocess(top: Any, task_id: UUID) -> None:
    subprocess = top.subprocesses.pop(task_id)
    for child_id in [i for i, sub in top.subprocesses.items()
                     if sub.parent_task_id in subprocess.tasks]:
        if child_id in top.subprocesses:
            _drop_subprocess(top, child_id)
