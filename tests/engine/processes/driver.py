"""Drives processes step by step the way users and the scheduler do.

With `restart=True` every step runs on a newly built engine over the same database, so a step
can only use what the previous step saved: the state, not anything held in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.engine import ProcessEngine
from engine.models import ProcessInstance, Task
from engine.runtime.clock import FixedClock


class ProcessDriver:
    def __init__(self, make_engine: Callable[..., ProcessEngine], clock: FixedClock,
                 restart: bool, **config: Any) -> None:
        self._make_engine = make_engine
        self._config = config
        self.clock = clock
        self.restart = restart
        self._engine = make_engine(**config)

    @property
    def engine(self) -> ProcessEngine:
        if self.restart:
            self._engine = self._make_engine(**self._config)
        return self._engine

    def start(self, key: str, user: str, data: dict[str, Any]) -> int:
        return self.engine.runtime.start(key, user, data).instance_id

    def open_tasks(self, instance_id: int, element_id: str | None = None) -> list[Task]:
        engine = self.engine
        with engine.transaction(read_only=True):
            return engine.tasks.open_tasks_of_instance(instance_id, element_id)

    def task(self, instance_id: int, element_id: str) -> Task:
        tasks = self.open_tasks(instance_id, element_id)
        assert len(tasks) == 1, f"expected one open {element_id}, found {len(tasks)}"
        return tasks[0]

    def complete(self, instance_id: int, element_id: str, user: str,
                 data: dict[str, Any] | None = None) -> dict[str, Any]:
        task = self.task(instance_id, element_id)
        return self.engine.tasks.complete(task.id, user, data or {})

    def claim(self, instance_id: int, element_id: str, user: str) -> None:
        self.engine.tasks.claim(self.task(instance_id, element_id).id, user)

    def advance(self, **delta: float) -> dict[str, int]:
        """Move the clock and let the scheduler fire whatever fell due."""
        self.clock.advance(**delta)
        return self.engine.management.run_due().to_dict()

    def instance(self, instance_id: int) -> ProcessInstance:
        engine = self.engine
        with engine.transaction(read_only=True):
            return engine.runtime.instance(instance_id)

    def variables(self, instance_id: int) -> dict[str, Any]:
        return self.engine.runtime.variables(instance_id)

    def audit_actions(self, instance_id: int) -> list[str]:
        engine = self.engine
        with engine.transaction(read_only=True):
            return [event.action for event in engine.history.events(instance_id)]

    def group_list(self, user: str) -> list[Task]:
        engine = self.engine
        with engine.transaction(read_only=True):
            return engine.tasks.list(user, "group")

    def incidents(self, instance_id: int) -> list[Any]:
        engine = self.engine
        with engine.transaction(read_only=True):
            return engine.management.incidents(instance_id)
