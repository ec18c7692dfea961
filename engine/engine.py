"""The process engine: one object that owns the database, the runtime and the five services."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import sessionmaker

from engine.config import load_config
from engine.db import UnitOfWork, make_engine
from engine.mail import Mailer
from engine.runtime.clock import Clock, clock_from_environment
from engine.runtime.compiler import SpecCache
from engine.runtime.handlers import HandlerRegistry, load_handlers
from engine.runtime.sandbox import Sandbox
from engine.runtime.script_engine import SandboxScriptEngine
from engine.runtime.serializer import StateSerializer
from engine.services.admin_actions import AdminActionService
from engine.services.annual_wheel import AnnualWheelService
from engine.services.attachments import AttachmentService
from engine.services.drafts import DraftService
from engine.services.form_files import FormFileService
from engine.services.forms import FormService
from engine.services.history import HistoryService
from engine.services.identities import IdentityService
from engine.services.internal_control import InternalControlService
from engine.services.logins import LoginService
from engine.services.management import ManagementService
from engine.services.notifications import NotificationService
from engine.services.operations import OperationsService
from engine.services.organisation import OrganisationService
from engine.services.organisation_import import OrganisationImportService
from engine.services.queries import QueryService
from engine.services.repository import RepositoryService
from engine.services.retention import RetentionService
from engine.services.runtime import RuntimeService
from engine.services.tasks import TaskService
from engine.services.tokens import TokenService
from engine.services.visibility import VisibilityService

log = logging.getLogger(__name__)

# SpiffWorkflow attaches task data to the extras of its log records unless its loggers are
# above DEBUG; task data holds personal data, so those loggers stay at WARNING.
for _name in ("spiff", "spiff.task", "spiff.workflow", "spiff.metrics"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class ProcessEngine:
    """Repository, runtime, task, history and management services over one database.

    Views, the REST API, the CLI and the scheduler reach the engine only through these services.
    """

    def __init__(self, config: Mapping[str, Any] | None = None, clock: Clock | None = None,
                 handlers: HandlerRegistry | None = None, sandbox: Sandbox | None = None) -> None:
        self.config = load_config(config)
        self.clock: Clock = clock or clock_from_environment()
        self.db = make_engine(self.config["DATABASE_URL"])
        self.uow = UnitOfWork(sessionmaker(self.db, expire_on_commit=False))

        self._owns_sandbox = sandbox is None
        self.sandbox = sandbox or Sandbox(
            timeout_seconds=float(self.config["SCRIPT_TIMEOUT_SECONDS"]),
            memory_mb=int(self.config["SCRIPT_MEMORY_MB"]),
            workers=int(self.config["SCRIPT_WORKERS"]))
        self.script_engine = SandboxScriptEngine(self.sandbox, self.clock)
        self.serializer = StateSerializer()
        self.handlers = handlers if handlers is not None else load_handlers()
        self.mailer = Mailer(self.config)

        self.repository = RepositoryService(self)
        self.runtime = RuntimeService(self)
        self.tasks = TaskService(self)
        self.history = HistoryService(self)
        self.management = ManagementService(self)
        self.notifications = NotificationService(self)
        self.operations = OperationsService(self)
        self.organisation = OrganisationService(self)
        self.organisation_import = OrganisationImportService(self)
        self.logins = LoginService(self)
        self.identities = IdentityService(self)
        self.forms = FormService(self)
        self.form_files = FormFileService(self)
        self.tokens = TokenService(self)
        self.queries = QueryService(self)
        self.visibility = VisibilityService(self)
        self.attachments = AttachmentService(self)
        self.annual_wheel = AnnualWheelService(self)
        self.internal_control = InternalControlService(self)
        self.retention = RetentionService(self)
        self.drafts = DraftService(self)
        self.admin = AdminActionService(self)
        self.specs = SpecCache(self.repository.compile_stored)

    def set_clock(self, clock: Clock) -> None:
        self.clock = clock
        self.script_engine.clock = clock

    def transaction(self, read_only: bool = False) -> Any:
        return self.uow.transaction(read_only=read_only)

    def close(self) -> None:
        if self._owns_sandbox:
            self.sandbox.close()
        self.operations.close()
        self.db.dispose()
