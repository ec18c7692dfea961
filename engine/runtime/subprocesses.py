"""Delete the subprocess of a task that SpiffWorkflow drops from the task tree.

SpiffWorkflow 3.2 cancels an activity by dropping its unfinished children from the tree
(Task.cancel calls Task._drop_children), without cancelling them. When the activity is a
multi-instance subprocess, those children are its instances, and their subprocesses stay
behind, still active under a parent task that no longer exists, so the next engine step
raises TaskNotFoundException. An interrupting boundary event on a multi-instance subprocess
gets there.
"""

from __future__ import annotations

from typing import Any


def delete_subprocesses_of_dropped_tasks(workflow: Any) -> None:
    """Watch `workflow` (the top workflow) for dropped tasks, in its own and every
    subprocess's tree."""
    workflow.task_removed_event.connect(_task_removed)


def _task_removed(tree: Any, task: Any) -> None:
    top = tree.top_workflow
    pending = [task.id]
    while pending:
        subprocess = top.subprocesses.pop(pending.pop(), None)
        if subprocess is not None:
            pending.extend(task_id for task_id in subprocess.tasks
                           if task_id in top.subprocesses)
