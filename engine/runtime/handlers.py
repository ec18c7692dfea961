"""The registry of service-task handlers and the context a handler runs with.

A handler is a function registered for a topic (`@topic("avvik.varsle-melder")`). It gets a
HandlerContext and returns a dict of process variables to set, or None. Raising HandlerError
(or any exception) fails the job. The engine then retries it with backoff, and when the
attempts are used up it opens an incident carrying the handler's own message.

A form check is a function registered for the start form of a process
(`@start_check("avvik")`) or for the form of one user task
(`@task_check("avvik", "VurderAvvik")`). It checks the rules that span fields or need the
clock. It gets a CheckContext once the values pass the form's own rules, and returns
{field key: [messages]}. Any message rejects the start or the completion the same way a form
rule does, in the browser, the API and the CLI.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.engine import ProcessEngine
    from engine.models import ProcessInstance, Task

log = logging.getLogger(__name__)

Handler = Callable[["HandlerContext"], "dict[str, Any] | None"]
FormCheck = Callable[["CheckContext"], "dict[str, list[str]]"]


class HandlerError(Exception):
    """A handler's own failure. `retry=False` skips the remaining attempts."""

    def __init__(self, message: str, retry: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retry = retry


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        # The variables each topic's handler declares it sets, for the modeler's checks.
        self._outputs: dict[str, frozenset[str]] = {}
        # Keyed by process key and user task id, with None for the start form.
        self._form_checks: dict[tuple[str, str | None], list[FormCheck]] = {}

    def register(self, topic: str, handler: Handler, outputs: Iterable[str] = ()) -> None:
        existing = self._handlers.get(topic)
        if existing is not None and existing is not handler:
            raise ValueError(f"topic {topic!r} already has the handler {existing.__qualname__}")
        self._handlers[topic] = handler
        self._outputs[topic] = frozenset(outputs)

    def get(self, topic: str) -> Handler | None:
        return self._handlers.get(topic)

    def topics(self) -> set[str]:
        return set(self._handlers)

    def outputs(self, topic: str) -> frozenset[str]:
        """Return the variables the handler of `topic` declares it sets; empty if unknown."""
        return self._outputs.get(topic, frozenset())

    def add_form_check(self, process_key: str, element_id: str | None,
                       check: FormCheck) -> None:
        checks = self._form_checks.setdefault((process_key, element_id), [])
        if check not in checks:
            checks.append(check)

    def form_checks(self, process_key: str, element_id: str | None = None) -> list[FormCheck]:
        """Return the checks of the start form (`element_id` None) or of one user task."""
        return list(self._form_checks.get((process_key, element_id), ()))


registry = HandlerRegistry()


def topic(name: str, outputs: Iterable[str] = ()) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler for `name` in the default registry.

    `outputs` names variables the handler sets that conditions later in a process read, so
    the modeler does not warn that no form asks for them. The list need not be complete.
    """
    def decorate(function: Handler) -> Handler:
        registry.register(name, function, outputs)
        return function
    return decorate


def start_check(process_key: str) -> Callable[[FormCheck], FormCheck]:
    """Register the decorated function as a check of the start form of `process_key` in the
    default registry."""
    def decorate(function: FormCheck) -> FormCheck:
        registry.add_form_check(process_key, None, function)
        return function
    return decorate


def task_check(process_key: str, element_id: str) -> Callable[[FormCheck], FormCheck]:
    """Register the decorated function as a check of the form of user task `element_id` in
    `process_key` in the default registry."""
    def decorate(function: FormCheck) -> FormCheck:
        registry.add_form_check(process_key, element_id, function)
        return function
    return decorate


@dataclass(frozen=True)
class CheckContext:
    """The input of a form check."""

    # The clean form values, after they passed every rule of the form. For a task form, the
    # process variables come first and the form values replace them.
    values: Mapping[str, Any]
    # The keys of `values` that the form sent.
    sent: frozenset[str]
    # The engine clock's time, aware UTC.
    now: datetime
    # The options of each choice field by its key, static or from valuesKey, as
    # {"label": ..., "value": ...} dicts.
    choices: Mapping[str, list[dict[str, Any]]]
    # The engine, for checks that read stored data such as other process instances. The
    # check runs inside the start's or completion's transaction.
    engine: ProcessEngine | None = None

    def label(self, field_key: str, value: Any) -> str:
        """Return the label of the option `value` of a choice field, else the value as text."""
        for option in self.choices.get(field_key, ()):
            if option["value"] == value:
                return str(option["label"])
        return str(value)


def load_handlers(package: str = "handlers") -> HandlerRegistry:
    """Import every module of `package`, so their @topic decorators run."""
    module = importlib.import_module(package)
    for info in pkgutil.iter_modules(module.__path__, prefix=f"{package}."):
        importlib.import_module(info.name)
    return registry


@dataclass
class HandlerContext:
    """The data and actions open to a handler. Its changes join the job's transaction."""

    engine: ProcessEngine
    instance: ProcessInstance
    topic: str
    task_id: str
    element_id: str
    variables: dict[str, Any]
    properties: dict[str, str]
    now: datetime
    attempt: int
    audit_details: dict[str, Any] = field(default_factory=dict)
    # The SpiffWorkflow task of the service task, when the engine runs one.
    spiff_task: Any = None

    @property
    def idempotency_key(self) -> str:
        """The same text on every attempt of this job: pass it to an outside system so a retry
        after a lost reply does not archive or send twice."""
        return f"sloyfe-{self.instance.id}-{self.task_id}"

    @property
    def organisation(self) -> Any:
        return self.engine.organisation

    def setting(self, key: str, default: Any = None) -> Any:
        return self.engine.repository.setting(key, default)

    def link(self, path: str) -> str:
        return self.engine.config["BASE_URL"].rstrip("/") + path

    def case_link(self) -> str:
        return self.link(f"/saker/{self.instance.id}")

    def send_mail(self, to_username: str, subject: str, body: str) -> bool:
        """Send an e-mail to a user now; returns False when it was not sent.

        The audit trail records a sent mail as mail_sent, and one that could not go out
        (no address, or no SMTP host configured) as mail_not_sent with the reason.
        """
        user = self.engine.organisation.find_user(to_username)
        reason = None
        if user is None or not user.email:
            reason = "no-address"
            log.info("mail not sent topic=%s instance_id=%s reason=no-address", self.topic,
                     self.instance.id)
        elif not self.engine.mailer.send(user.email, subject, body):
            reason = "no-smtp-host"
        action = "mail_sent" if reason is None else "mail_not_sent"
        details: dict[str, Any] = {"recipient": to_username, "topic": self.topic}
        if reason:
            details["reason"] = reason
        self.engine.history.record(action, "system", instance_id=self.instance.id,
                                   task_id=self.task_id, element_id=self.element_id, **details)
        return reason is None

    def open_tasks(self, element_id: str | None = None) -> list[Task]:
        """Return the open user tasks of the instance that lie in the service task's own
        subprocess or below it.

        Inside one instance of a multi-instance subprocess, only that instance's tasks count,
        so a reminder for one decision point does not reach the tasks of the others.
        """
        tasks = self.engine.tasks.open_tasks_of_instance(self.instance.id, element_id)
        if self.spiff_task is None:
            return tasks
        return [task for task in tasks if self._in_scope(task.id)]

    def _in_scope(self, task_id: str) -> bool:
        from uuid import UUID

        from SpiffWorkflow.exceptions import TaskNotFoundException

        scope = self.spiff_task.workflow
        try:
            workflow = scope.top_workflow.get_task_from_id(UUID(task_id)).workflow
        except TaskNotFoundException:
            return True  # a row the state no longer has: keep the unscoped behaviour
        while workflow is not None:
            if workflow is scope:
                return True
            workflow = workflow.parent_workflow
        return False

    def escalate(self, task: Task, group_key: str) -> None:
        self.engine.tasks.escalate(task, group_key, actor="system")
