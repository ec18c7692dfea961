"""Starting process instances and reading them."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.exc import IntegrityError

from engine.errors import (
    DuplicateBusinessKey,
    InstanceNotFound,
    InstanceNotRunning,
    InvalidInput,
    PermissionDenied,
)
from engine.i18n import gettext as _
from engine.models import Incident, ProcessInstance, Task
from engine.runtime.parser import CAMUNDA
from engine.runtime.timeexpr import OSLO
from engine.services.base import Service
from engine.services.execution import Execution
from engine.services.form_checks import run_form_checks

log = logging.getLogger(__name__)


@dataclass
class StartResult:
    instance_id: int
    business_key: str | None
    status: str
    case_status: str | None
    open_tasks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"instance_id": self.instance_id, "business_key": self.business_key,
                "status": self.status, "case_status": self.case_status,
                "open_tasks": self.open_tasks}


class RuntimeService(Service):

    def start(self, key: str, actor: str, data: Mapping[str, Any] | None = None, *,
              business_key: str | None = None, source: str = "json") -> StartResult:
        """Start the newest version of process `key` with start-form data from `actor`."""
        with self.transaction():
            user = self.engine.organisation.user(actor)
            if not user.active:
                raise PermissionDenied()
            definition = self.engine.repository.latest(key)
            compiled = self.engine.specs.get(definition.id)
            self._check_may_start(compiled, actor)

            variables = self._start_variables(definition, data or {}, source)
            instance_id, queued_jobs = self.start_instance(definition, actor, variables,
                                                           business_key)

        if queued_jobs:
            self.engine.management.run_due_jobs(instance_id=instance_id)
        with self.transaction(read_only=True):
            instance = self.instance(instance_id)
            return StartResult(instance.id, instance.business_key, instance.status,
                               instance.case_status, self._open_task_summaries(instance.id))

    def may_start(self, definition: Any, username: str) -> bool:
        """Return whether `username` passes the process's candidateStarterGroups and -Users."""
        try:
            self._check_may_start(self.engine.specs.get(definition.id), username)
        except PermissionDenied:
            return False
        return True

    def start_instance(self, definition: Any, actor: str, variables: dict[str, Any],
                       business_key: str | None = None, start_event: str | None = None
                       ) -> tuple[int, int]:
        """Create an instance of a process version and run it to its first wait.

        Runs inside the caller's transaction and returns the instance id and how many jobs it
        queued, which the caller runs after the commit. `start_event` names the timer start
        event that fired, when a timer started it.
        """
        compiled = self.engine.specs.get(definition.id)
        execution = Execution.create(self.engine, definition, actor, business_key, start_event)
        instance = execution.instance
        instance.start_data = dict(variables)
        if not instance.business_key:
            instance.business_key = _business_key_from(compiled, variables)
        if instance.business_key and _business_key_variable(compiled):
            self._claim_business_key(definition, instance)
        if not instance.business_key:
            # The year in Oslo, so a case started at midnight on 1 January gets the new year.
            year = self.engine.clock.now().astimezone(OSLO).year
            instance.business_key = f"{definition.key.upper()}-{year}-{instance.id:05d}"

        variables = dict(variables)
        initiator = self._initiator_variable(compiled)
        if initiator:
            variables[initiator] = actor
        variables.setdefault("saksnummer", instance.business_key)
        for task in execution.workflow.get_tasks(state=TaskState.READY):
            task.data.update(variables)

        details = {"key": definition.key, "version": definition.version}
        if start_event:
            details["start_event"] = start_event
        self.engine.history.record("instance_started", actor, instance_id=instance.id,
                                   **details)
        execution.run()
        execution.sync()
        execution.save()
        return instance.id, execution.queued_jobs

    def _claim_business_key(self, definition: Any, instance: ProcessInstance) -> None:
        """Reserve the instance's case number within its process, or raise
        DuplicateBusinessKey naming the case that already has it.

        The read finds the other case for the message. The unique index on `unique_key`
        rejects a case that a concurrent start committed after that read. The key is written
        in a savepoint, so the transaction can still read that case afterwards.
        """
        number = str(instance.business_key)
        existing = self._case_with_number(definition.key, number, instance.id)
        if existing is None:
            # begin_nested() flushes what is pending before its SAVEPOINT, so only the
            # unique key is written inside it.
            self.session.flush()
            try:
                with self.session.begin_nested():
                    instance.unique_key = comparable_case_number(number)
                    self.session.flush()
                return
            except IntegrityError:
                existing = self._case_with_number(definition.key, number, instance.id)
                if existing is None:
                    raise
        raise self._duplicate_business_key(definition, number, existing)

    def _case_with_number(self, key: str, number: str, own_id: int) -> ProcessInstance | None:
        same_number = or_(ProcessInstance.business_key == number,
                          ProcessInstance.unique_key == comparable_case_number(number))
        return self.session.scalar(
            select(ProcessInstance)
            .where(ProcessInstance.definition_key == key, same_number,
                   ProcessInstance.id != own_id)
            .order_by(ProcessInstance.id).limit(1))

    def _duplicate_business_key(self, definition: Any, number: str,
                                existing: ProcessInstance) -> DuplicateBusinessKey:
        variable = _business_key_variable(self.engine.specs.get(definition.id))
        label = None
        form = self.engine.forms.start_form(definition)
        if form is not None:
            label = next((field_.label for field_ in form.fields()
                          if field_.data_path == variable and getattr(field_, "label", "")),
                         None)
        # The title of a confidential case stays out of the message, because the starter
        # may not be allowed to read that case.
        title = None if self.engine.visibility.is_confidential(definition.key) \
            else existing.title
        return DuplicateBusinessKey(number, existing.id, str(existing.business_key), title,
                                    label or _("Case number"),
                                    variable)

    def correlate_message(self, name: str, actor: str, variables: Mapping[str, Any] | None = None,
                          business_key: str | None = None, all: bool = False
                          ) -> dict[str, list[int]]:
        """Deliver a message: to the case that waits for it, else start the process that
        starts with it.

        With `business_key` only the case with that case number is considered. More than
        one receiver is refused (MessageAmbiguous) unless `all` is set. The variables become
        process variables of the receiving step, and also the object `melding`.
        """
        from engine.services import messages

        payload = {str(k): v for k, v in dict(variables or {}).items()
                   if not str(k).startswith("_")}
        delivered: list[int] = []
        started: list[int] = []
        queued = False
        with self.transaction():
            waiting, starting = messages.subscriptions(self.engine, name, business_key)
            if business_key is None and starting:
                # A case number in the data of a starting message finds the case that already
                # has it, so the message reaches that case or is rejected as a duplicate
                # instead of starting a second case.
                business_key = self._start_business_key(starting, payload)
                if business_key is not None:
                    waiting, starting = messages.subscriptions(self.engine, name, business_key)
            if len(waiting) + (0 if waiting else len(starting)) > 1 and not all:
                raise messages.MessageAmbiguous(name, len(waiting) or len(starting))
            for subscription in waiting:
                execution = Execution.load(self.engine, subscription.instance_id, actor)
                if not messages.deliver(execution, subscription.task_id, payload):
                    continue
                self.engine.history.record("message_received", actor,
                                           instance_id=subscription.instance_id,
                                           element_id=subscription.element_id, message=name)
                execution.run()
                execution.sync()
                execution.save()
                delivered.append(subscription.instance_id)
                queued = queued or bool(execution.queued_jobs)
            if not delivered:
                for subscription in starting:
                    definition = self.engine.repository.definition(subscription.definition_id)
                    self._check_message_dates(definition, payload)
                    instance_id, jobs = self.start_instance(
                        definition, actor, payload, business_key,
                        start_event=subscription.element_id)
                    self.engine.history.record("message_received", actor,
                                               instance_id=instance_id,
                                               element_id=subscription.element_id,
                                               message=name)
                    started.append(instance_id)
                    queued = queued or bool(jobs)
            if not delivered and not started:
                raise messages.MessageNotCorrelated(name, business_key)
        if queued:
            for instance_id in delivered + started:
                self.engine.management.run_due_jobs(instance_id=instance_id)
        return {"delivered_to": delivered, "started": started}

    def _start_business_key(self, starting: list[Any], payload: Mapping[str, Any]
                            ) -> str | None:
        """Return the case number that a starting process takes from `payload`, or None."""
        for subscription in starting:
            compiled = self.engine.specs.get(subscription.definition_id)
            number = _business_key_from(compiled, payload)
            if number is not None:
                return number
        return None

    def _check_may_start(self, compiled: Any, actor: str) -> None:
        process = compiled.root.xpath(".//*[local-name()='process'][@id=$id]",
                                      id=compiled.process_id)
        if not process:
            return
        groups = (process[0].get(CAMUNDA + "candidateStarterGroups") or "").strip()
        users = (process[0].get(CAMUNDA + "candidateStarterUsers") or "").strip()
        if not groups and not users:
            return
        allowed_users = {u.strip() for u in users.split(",") if u.strip()}
        allowed_groups = {g.strip() for g in groups.split(",") if g.strip()}
        if actor in allowed_users:
            return
        if allowed_groups & self.engine.organisation.group_keys(actor):
            return
        raise PermissionDenied()

    def _check_message_dates(self, definition: Any, payload: Mapping[str, Any]) -> None:
        if definition.start_form_ref:
            record = self.engine.repository.form_for(definition, definition.start_form_ref)
            self.engine.forms.check_message_dates(self.engine.forms.spec(record), payload)

    def _start_variables(self, definition: Any, data: Mapping[str, Any],
                         source: str) -> dict[str, Any]:
        if definition.start_form_ref:
            record = self.engine.repository.form_for(definition, definition.start_form_ref)
            form = self.engine.forms.spec(record)
            variables = dict(self.engine.forms.validate(form, data, {}, source))
            run_form_checks(self.engine, definition.key, None, form, variables, {})
            return variables
        if not isinstance(data, Mapping):
            raise InvalidInput(_("the start data must be a JSON object"))
        return {str(k): v for k, v in data.items() if not str(k).startswith("_")}

    def _initiator_variable(self, compiled: Any) -> str | None:
        starts = compiled.root.xpath(
            ".//*[local-name()='process'][@id=$id]/*[local-name()='startEvent']",
            id=compiled.process_id)
        for start in starts:
            name = start.get(CAMUNDA + "initiator")
            if name:
                return name.strip()
        return None

    def _open_task_summaries(self, instance_id: int) -> list[dict[str, Any]]:
        rows = self.session.scalars(select(Task).where(
            Task.instance_id == instance_id, Task.state == "open").order_by(Task.created_at))
        return [self.engine.tasks.summary(row) for row in rows]

    # --- reading -------------------------------------------------------------------------

    def instance(self, instance_id: int) -> ProcessInstance:
        instance = self.session.get(ProcessInstance, instance_id)
        if instance is None:
            raise InstanceNotFound(instance_id)
        return instance

    def instances(self, *, status: str | None = None, key: str | None = None,
                  started_by: str | None = None, limit: int = 200) -> list[ProcessInstance]:
        query = select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(limit)
        if status:
            query = query.where(ProcessInstance.status == status)
        if key:
            query = query.where(ProcessInstance.definition_key == key)
        if started_by:
            query = query.where(ProcessInstance.started_by == started_by)
        return list(self.session.scalars(query))

    def summary(self, instance: ProcessInstance) -> dict[str, Any]:
        return {
            "id": instance.id, "business_key": instance.business_key, "title": instance.title,
            "process": instance.definition_key, "status": instance.status,
            "case_status": instance.case_status, "started_by": instance.started_by,
            "started_at": instance.started_at.isoformat(),
            "ended_at": instance.ended_at.isoformat() if instance.ended_at else None,
            "unit": self._unit_code(instance.unit_id), "has_incident": instance.has_incident,
        }

    def details(self, instance_id: int) -> dict[str, Any]:
        with self.transaction(read_only=True):
            instance = self.instance(instance_id)
            data = self.summary(instance)
            data["open_tasks"] = self._open_task_summaries(instance_id)
            data["incidents"] = [
                {"id": i.id, "element_id": i.element_id, "kind": i.kind, "message": i.message,
                 "created_at": i.created_at.isoformat()}
                for i in self.session.scalars(select(Incident).where(
                    Incident.instance_id == instance_id, Incident.resolved_at.is_(None)))]
            data["timers"] = [
                {"element_id": t.element_id, "due_at": t.due_at.isoformat()}
                for t in self.engine.management.timers(instance_id)]
            data["audit"] = [self.engine.history.to_dict(event)
                             for event in self.engine.history.events(instance_id)]
            return data

    def variables(self, instance_id: int) -> dict[str, Any]:
        """The process variables of a running or finished instance (personal data: guard it)."""
        with self.transaction(read_only=True):
            execution = Execution.load(self.engine, instance_id, None, lock=False)
            return execution.current_data()

    def outcome(self, instance: ProcessInstance) -> list[tuple[str, Any]]:
        """The values the process shows everyone who may see the case as its outcome.

        The process names them in its camunda property `outcomeVariables` (comma-separated);
        each is labelled as the first of the process's forms that asks for it labels it.
        """
        definition = self.engine.repository.definition(instance.definition_id)
        compiled = self.engine.specs.get(definition.id)
        names = [name.strip() for name in
                 compiled.facts.properties.get("outcomeVariables", "").split(",") if name.strip()]
        if not names:
            return []
        data = Execution.load(self.engine, instance.id, None, lock=False).current_data()
        labels: dict[str, str] = {}
        for form_id in definition.form_versions or {}:
            form = self.engine.forms.spec(self.engine.repository.form_for(definition, form_id))
            for field_ in form.fields():
                labels.setdefault(field_.data_path, getattr(field_, "label", "") or "")
        return [(labels.get(name) or name, data[name]) for name in names
                if data.get(name) not in (None, "", [])]

    def _unit_code(self, unit_id: int | None) -> str | None:
        if unit_id is None:
            return None
        from engine.models import Unit

        unit = self.session.get(Unit, unit_id)
        return unit.code if unit else None

    def may_see(self, instance: ProcessInstance, username: str) -> bool:
        """Return whether `username` may read a case: its starter, or anyone who reads its record
        (see `reads_record`)."""
        return instance.started_by == username or self.reads_record(instance, username)

    def reads_record(self, instance: ProcessInstance, username: str, *,
                     administrators: bool = True) -> bool:
        """Return whether `username` may read what the handlers wrote in a case: anyone who may see
        one of its tasks and the process's reader groups; for a process that is not
        confidential also the leaders of its unit and every unit above, and administrators
        unless `administrators` is False. The starter alone sees the case, not the record."""
        visibility = self.engine.visibility
        if visibility.reads_every_case(username, instance.definition_key):
            return True
        if not visibility.is_confidential(instance.definition_key):
            if administrators and self.engine.organisation.has_role(username, "administrator"):
                return True
            if instance.unit_id is not None and self._leads_unit_or_above(
                    instance.unit_id, username):
                return True
        tasks = self.session.scalars(select(Task).where(Task.instance_id == instance.id))
        return any(self.engine.tasks.may_see(task, username, administrators=administrators)
                   for task in tasks)

    def _leads_unit_or_above(self, unit_id: int, username: str) -> bool:
        profile = self.engine.organisation.profile(username)
        if profile is None or not profile.led_unit_ids:
            return False
        return self.engine.tasks.leads_unit_or_above(unit_id, profile.user_id)

    def visible_condition(self, username: str) -> ColumnElement[bool]:
        """Build a WHERE clause on ProcessInstance that is true for exactly the cases `may_see`
        allows."""
        profile = self.engine.organisation.profile(username)
        if profile is None:
            return false()
        visibility = self.engine.visibility
        key = ProcessInstance.definition_key
        seen_through_tasks = select(Task.instance_id).where(
            self.engine.tasks.visible_condition(username))
        open_to_roles = visibility.open_to_roles(key)
        by_role = open_to_roles if "administrator" in profile.roles else and_(
            open_to_roles, ProcessInstance.unit_id.in_(self.engine.tasks.led_subtree(
                profile.user_id, "led_case_units")))
        return or_(ProcessInstance.started_by == username,
                   ProcessInstance.id.in_(seen_through_tasks), by_role,
                   visibility.read_by_groups(key, profile.group_keys))

    def require_running(self, instance: ProcessInstance) -> None:
        if instance.status != "running":
            raise InstanceNotRunning(instance.id, instance.status)


_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_FULL_YEAR = re.compile(r"^(?:19|20)(\d{2})/")


def comparable_case_number(number: str) -> str:
    """Return the form of a case number that two ways of writing it share: without spaces,
    case, a century before the year ("2026/605") or leading zeros in its digit groups, so
    "26/00605", "26/605" and "2026/605" are one archive case number.

    migrations/versions/0016 repeats this rule for the cases stored before it.
    """
    without_spaces = _SPACES.sub("", number).casefold()
    short_year = _FULL_YEAR.sub(r"\1/", without_spaces)
    return _DIGITS.sub(lambda digits: str(int(digits.group())), short_year)


def _business_key_variable(compiled: Any) -> str:
    """Return the variable that the process property `businessKeyVariable` names, or ""."""
    return compiled.facts.properties.get("businessKeyVariable", "").strip()


def _business_key_from(compiled: Any, variables: Mapping[str, Any]) -> str | None:
    """Return the case number that the process property `businessKeyVariable` names in the
    start data, or None."""
    name = _business_key_variable(compiled)
    value = variables.get(name) if name else None
    if isinstance(value, str) and value.strip():
        return value.strip()[:128]
    return None
