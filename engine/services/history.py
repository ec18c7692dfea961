"""The append-only audit trail: who did what, when, to which instance and task."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.models import AuditEvent
from engine.services.base import Service


class HistoryService(Service):

    def record(self, action: str, actor: str | None, *, instance_id: int | None = None,
               task_id: str | None = None, element_id: str | None = None,
               **details: Any) -> None:
        """Append one event to the trail in the running transaction."""
        self.audit(action, actor, instance_id=instance_id, task_id=task_id,
                   element_id=element_id, **details)

    def events(self, instance_id: int) -> list[AuditEvent]:
        return list(self.session.scalars(select(AuditEvent).where(
            AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)))

    def completed_tasks(self, instance_id: int) -> list[Any]:
        from engine.models import Task

        return list(self.session.scalars(select(Task).where(
            Task.instance_id == instance_id, Task.state == "completed")
            .order_by(Task.completed_at)))

    @staticmethod
    def to_dict(event: AuditEvent) -> dict[str, Any]:
        return {"at": event.at.isoformat(), "actor": event.actor, "action": event.action,
                "instance_id": event.instance_id, "task_id": event.task_id,
                "element_id": event.element_id, "details": event.details or {}}
