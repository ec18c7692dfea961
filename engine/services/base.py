"""What every service shares: the engine it belongs to and the open session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from engine.models import AuditEvent

if TYPE_CHECKING:
    from engine.engine import ProcessEngine


class Service:
    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine

    @property
    def session(self) -> Session:
        return self.engine.uow.session

    def transaction(self, read_only: bool = False) -> Any:
        return self.engine.uow.transaction(read_only=read_only)

    def audit(self, action: str, actor: str | None, *, instance_id: int | None = None,
              task_id: str | None = None, element_id: str | None = None,
              **details: Any) -> None:
        """Append an audit row. `details` hold ids and codes only, never form values."""
        self.session.add(AuditEvent(
            at=self.engine.clock.now(), actor=actor, action=action, instance_id=instance_id,
            task_id=task_id, element_id=element_id, details=details or None))
