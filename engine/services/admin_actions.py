"""Administrator actions that repair a process instance: suspend, resume, terminate,
reassign, edit a variable, retry an incident, move back to an earlier user task, and migrate
to another version of the process.

Every action needs the administrator role and a reason, runs in one unit of work, and writes
one audit event with the actor, the reason and what changed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, select, update

from engine.errors import (
    AdministratorsOnly,
    Conflict,
    EngineError,
    IncidentAlreadyResolved,
    IncidentNotFound,
    InstanceNotRunning,
    InvalidInput,
)
from engine.i18n import N_
from engine.i18n import gettext as _
from engine.models import (
    AuditEvent,
    Incident,
    Job,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    Setting,
    Task,
    Timer,
)
from engine.services.admin_changes import (
    drop_predicted_tasks,
    element_label,
    migration_blockers,
    move_back_blocker,
    predict_waiting_tasks,
    replace_entry_task,
    retarget_finished_tasks,
)
from engine.services.base import Service
from engine.services.execution import Execution
from engine.services.personal_data import is_personal

log = logging.getLogger(__name__)

# Audit actions that change what a failed step reads, so a retry after them may succeed.
FIXING_ACTIONS = ("variable_set", "instance_migrated", "instance_moved_back")

# Variables that the engine itself writes and reads: editing them would break it.
INTERNAL_VARIABLES = frozenset({"melding"})

# The value written to the audit trail in place of a personal-data variable's value.
MASK = "***"

BATCH_ACTIONS = ("suspend", "resume", "terminate", "migrate", "set_variable")


# --- errors ----------------------------------------------------------------------------------

class ReasonRequired(InvalidInput):
    code = "reason_required"
    message = N_("Write why you make this change. The reason is kept in the case history.")

    def __init__(self) -> None:
        EngineError.__init__(self)


class InstanceNotSuspended(Conflict):
    code = "instance_not_suspended"
    message = N_("Case %(instance_id)s is %(status)s, not on hold, so there is nothing to "
                 "resume.")

    def __init__(self, instance_id: int, status: str) -> None:
        super().__init__(instance_id=instance_id, status=status)


class VariableNotEditable(InvalidInput):
    code = "variable_not_editable"
    message = N_("The variable %(name)s is used by the engine itself and cannot be edited. "
                 "Choose a process variable whose name does not start with an underscore.")

    def __init__(self, name: str) -> None:
        EngineError.__init__(self, name=name)


class VariableValueInvalid(InvalidInput):
    code = "variable_value_invalid"
    message = N_("The value of %(name)s is not valid JSON (%(reason)s). Write text in double "
                 "quotes, numbers as they are, and true, false or null.")

    def __init__(self, name: str, reason: str) -> None:
        EngineError.__init__(self, name=name, reason=reason)


class NothingChanged(Conflict):
    code = "nothing_changed"
    message = N_("Nothing has changed since the failure. Correct the variable or the setting "
                 "first. When the cause was temporary, such as a mail server that was down, "
                 "tick «Retry anyway» and choose «Retry».")

    def __init__(self, incident_id: int) -> None:
        super().__init__(incident_id=incident_id)


class MoveBackNotPossible(Conflict):
    code = "move_back_not_possible"
    message = N_("Case %(instance_id)s cannot be moved back to %(element)s: %(reason)s")

    def __init__(self, instance_id: int, element: str, reason: str) -> None:
        super().__init__(instance_id=instance_id, element=element, reason=reason)


class MigrationNotPossible(Conflict):
    code = "migration_not_possible"
    message = N_("Case %(instance_id)s cannot be moved to version %(version)s. These steps "
                 "block it: %(steps)s. Let the case pass them first, or move it back.")

    def __init__(self, instance_id: int, version: Any, blockers: dict[str, str]) -> None:
        """`blockers` maps each blocking element id to its name."""
        super().__init__(instance_id=instance_id, version=version,
                         steps=", ".join(blockers.values()))
        self.element_ids = list(blockers)


class MigrationTargetInvalid(InvalidInput):
    code = "migration_target_invalid"
    message = N_("Version %(definition_id)s is not another version of the process %(key)s. "
                 "Choose a version of the same process.")

    def __init__(self, definition_id: int, key: str) -> None:
        EngineError.__init__(self, definition_id=definition_id, key=key)


class BatchActionUnknown(InvalidInput):
    code = "batch_action_unknown"
    message = N_("The action %(action)s cannot be run on many cases. Choose one of "
                 "%(actions)s.")

    def __init__(self, action: str) -> None:
        EngineError.__init__(self, action=action, actions=", ".join(BATCH_ACTIONS))


# --- the service -----------------------------------------------------------------------------

class AdminActionService(Service):

    # --- state of the instance -----------------------------------------------------------

    def suspend(self, instance_id: int, actor: str, reason: str) -> dict[str, Any]:
        """Put a running instance on hold: no timer, job, task completion or message
        reaches it until it is resumed."""
        reason = self._authorise(actor, reason)
        with self.transaction():
            instance = self._locked_instance(instance_id)
            if instance.status != "running":
                raise InstanceNotRunning(instance_id, instance.status)
            instance.status = "suspended"
            self._release_claims(instance_id)
            self.engine.history.record("instance_suspended", actor, instance_id=instance_id,
                                       reason=reason)
            return self._result(instance)

    def resume(self, instance_id: int, actor: str, reason: str) -> dict[str, Any]:
        """Let a suspended instance run again; timers that fell due meanwhile fire at the
        scheduler's next round."""
        reason = self._authorise(actor, reason)
        with self.transaction():
            instance = self._locked_instance(instance_id)
            if instance.status != "suspended":
                raise InstanceNotSuspended(instance_id, instance.status)
            instance.status = "running"
            self.engine.history.record("instance_resumed", actor, instance_id=instance_id,
                                       reason=reason)
            return self._result(instance)

    def terminate(self, instance_id: int, actor: str, reason: str) -> dict[str, Any]:
        """Cancel a running or suspended instance: its open tasks, timers, jobs, message
        subscriptions and incidents are closed and it ends as terminated."""
        reason = self._authorise(actor, reason)
        with self.transaction() as session:
            instance = self._locked_instance(instance_id)
            if instance.status not in ("running", "suspended"):
                raise InstanceNotRunning(instance_id, instance.status)
            execution = Execution.load(self.engine, instance_id, actor, instance=instance)
            execution.workflow.cancel()
            now = self.engine.clock.now()
            open_tasks = list(session.scalars(select(Task.id).where(
                Task.instance_id == instance_id, Task.state == "open")))
            session.execute(update(Task).where(
                Task.instance_id == instance_id, Task.state == "open")
                .values(state="cancelled", completed_at=now))
            session.execute(delete(Timer).where(Timer.instance_id == instance_id))
            session.execute(delete(Job).where(Job.instance_id == instance_id))
            session.execute(delete(MessageSubscription).where(
                MessageSubscription.instance_id == instance_id))
            # Nothing is left to retry, so the incidents leave the administrators' list.
            session.execute(update(Incident).where(
                Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
                .values(resolved_at=now, resolved_by=actor))
            instance.has_incident = False
            instance.has_timers = False
            instance.has_jobs = False
            instance.has_subscriptions = False
            instance.status = "terminated"
            instance.ended_at = now
            execution.save()
            self.engine.history.record("instance_terminated", actor, instance_id=instance_id,
                                       reason=reason, cancelled_tasks=open_tasks)
            return self._result(instance)

    # --- tasks and variables -------------------------------------------------------------

    def reassign_task(self, task_id: str, to_username: str, actor: str,
                      reason: str) -> dict[str, Any]:
        """Give an open task to `to_username`. A task of a confidential process still raises
        ReassignNotAllowed, because administrators cannot read those cases."""
        reason = self._authorise(actor, reason)
        with self.transaction():
            task = self.engine.tasks.reassign(task_id, to_username, actor)
            self.engine.history.record("task_reassigned_by_administrator", actor,
                                       instance_id=task.instance_id, task_id=task.id,
                                       element_id=task.element_id, assignee=to_username,
                                       reason=reason)
            return {"task_id": task.id, "instance_id": task.instance_id,
                    "assignee": task.assignee}

    def set_variable(self, instance_id: int, name: str, value_json: str, actor: str,
                     reason: str) -> dict[str, Any]:
        """Set the process variable `name` to the JSON value `value_json` on every step that
        has not finished, so the next steps see it. A suspended instance may be edited too,
        so it can be corrected before it is resumed."""
        reason = self._authorise(actor, reason)
        name = (name or "").strip()
        if not name or name.startswith("_") or name in INTERNAL_VARIABLES:
            raise VariableNotEditable(name)
        try:
            value = json.loads(value_json)
        except (TypeError, ValueError) as error:
            raise VariableValueInvalid(name, str(error)) from None
        with self.transaction():
            execution = self._execution(instance_id, actor, ("running", "suspended"))
            old_value = execution.current_data().get(name)
            workflow = execution.workflow
            targets = list(workflow.get_tasks(
                state=TaskState.NOT_FINISHED_MASK | TaskState.ERROR))
            if workflow.last_task is not None:
                targets.append(workflow.last_task)
            for task in targets:
                task.data[name] = deepcopy(value)
            execution.sync()
            execution.save()
            masked = is_personal(self.engine, execution.instance, name)
            self.engine.history.record(
                "variable_set", actor, instance_id=instance_id, reason=reason, name=name,
                old_value=MASK if masked else old_value, new_value=MASK if masked else value,
                masked=masked)
            return {"instance_id": instance_id, "name": name}

    # --- incidents -----------------------------------------------------------------------

    def retry_incident(self, incident_id: int, actor: str, reason: str,
                       force: bool = False) -> dict[str, Any]:
        """Retry a failed step once something has changed since the failure: a variable
        edit, a move back, a migration, a new version of the process or a changed setting.
        With `force` the step is retried anyway, for causes that pass by themselves."""
        reason = self._authorise(actor, reason)
        with self.transaction() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise IncidentNotFound(incident_id)
            if incident.resolved_at is not None:
                raise IncidentAlreadyResolved(incident_id)
            instance = session.get(ProcessInstance, incident.instance_id)
            if instance is not None and instance.status != "running":
                raise InstanceNotRunning(instance.id, instance.status)
            changes = self._changes_since(incident)
            if not changes and not force:
                raise NothingChanged(incident_id)
            self.engine.history.record("incident_retry_requested", actor,
                                       instance_id=incident.instance_id,
                                       incident_id=incident_id, reason=reason, force=force,
                                       changes=changes)
            return self.engine.management.retry_incident(incident_id, actor)

    def _changes_since(self, incident: Incident) -> list[str]:
        """Name what changed since the incident was created: audit actions on the
        instance, newer versions of its process, and settings."""
        session = self.session
        since = incident.created_at
        # Audit rows are taken in id order, because the clock may not move between the
        # failure and the fix.
        events = session.execute(select(AuditEvent.action, AuditEvent.details).where(
            AuditEvent.instance_id == incident.instance_id,
            AuditEvent.action.in_(("incident_created", *FIXING_ACTIONS)))
            .order_by(AuditEvent.id))
        changes: list[str] = []
        failed = False
        for action, details in events:
            if action == "incident_created":
                failed = failed or (details or {}).get("incident_id") == incident.id
            elif failed and action not in changes:
                changes.append(action)
        instance = session.get(ProcessInstance, incident.instance_id)
        if instance is not None and session.scalar(select(ProcessDefinition.id).where(
                ProcessDefinition.key == instance.definition_key,
                ProcessDefinition.deployed_at > since).limit(1)) is not None:
            changes.append("definition_deployed")
        if session.scalar(select(Setting.key).where(Setting.updated_at > since)
                          .limit(1)) is not None:
            changes.append("setting_changed")
        return changes

    # --- moving the token ----------------------------------------------------------------

    def move_back(self, instance_id: int, to_element_id: str, actor: str,
                  reason: str) -> dict[str, Any]:
        """Cancel the current user task and open the earlier user task `to_element_id`
        again, with the current process variables."""
        reason = self._authorise(actor, reason)
        with self.transaction() as session:
            execution = self._running_execution(instance_id, actor)
            reached = session.scalar(select(Task.id).where(
                Task.instance_id == instance_id, Task.element_id == to_element_id,
                Task.state == "completed").limit(1))
            problem = move_back_blocker(execution.workflow, to_element_id, reached is not None)
            if problem is not None:
                target = execution.workflow.spec.task_specs.get(to_element_id)
                shown = to_element_id if target is None else element_label(target)
                raise MoveBackNotPossible(instance_id, shown, problem)
            left = replace_entry_task(execution.workflow, to_element_id,
                                      execution.current_data())
            execution.run()
            execution.sync()
            execution.save()
            self.engine.history.record("instance_moved_back", actor, instance_id=instance_id,
                                       element_id=to_element_id, reason=reason,
                                       left_element_id=left)
            queued = execution.queued_jobs
            result = self._result(execution.instance)
        if queued:
            self.engine.management.run_due_jobs(instance_id=instance_id)
        return result

    def migrate(self, instance_id: int, to_definition_id: int, actor: str,
                reason: str) -> dict[str, Any]:
        """Move an instance to another version of its process. Every step it waits in must
        exist in that version with the same type, and no active step may lie inside a
        subprocess."""
        reason = self._authorise(actor, reason)
        with self.transaction():
            execution = self._execution(instance_id, actor, ("running", "suspended"))
            instance = execution.instance
            target = self.engine.repository.definition(to_definition_id)
            if target.key != instance.definition_key or target.id == instance.definition_id:
                raise MigrationTargetInvalid(to_definition_id, instance.definition_key)
            compiled = self.engine.specs.get(target.id)
            blockers = migration_blockers(execution.workflow, compiled)
            if blockers:
                raise MigrationNotPossible(instance_id, target.version, blockers)

            drop_predicted_tasks(execution.workflow)
            state = retarget_finished_tasks(self.engine.serializer.dumps(execution.workflow),
                                            compiled.spec)
            workflow = self.engine.serializer.loads(state, compiled.spec,
                                                    compiled.subprocess_specs,
                                                    self.engine.script_engine)
            predict_waiting_tasks(workflow)
            previous = execution.definition
            instance.definition_id = target.id
            migrated = Execution(self.engine, instance, target, compiled, workflow, actor)
            self._retarget_open_tasks(instance_id, target)
            migrated.sync()
            migrated.save()
            self.engine.history.record("instance_migrated", actor, instance_id=instance_id,
                                       reason=reason, from_definition_id=previous.id,
                                       from_version=previous.version,
                                       to_definition_id=target.id, to_version=target.version)
            return {**self._result(instance), "definition_id": target.id,
                    "version": target.version}

    def _retarget_open_tasks(self, instance_id: int, target: ProcessDefinition) -> None:
        """Pin the open task rows to the forms of the new version."""
        for row in self.session.scalars(select(Task).where(
                Task.instance_id == instance_id, Task.state == "open")):
            if row.form_ref:
                row.form_definition_id = (target.form_versions or {}).get(row.form_ref)
            row.definition_key = target.key

    # --- many instances ------------------------------------------------------------------

    def batch(self, action: str, instance_ids: list[int], actor: str, reason: str,
              **args: Any) -> list[dict[str, Any]]:
        """Run `action` on each instance in its own unit of work and report each outcome;
        one failure does not stop the others."""
        self._authorise(actor, reason)
        if action not in BATCH_ACTIONS:
            raise BatchActionUnknown(action)
        if action == "migrate" and not args.get("to_definition_id"):
            raise InvalidInput(_("choose the process version to move the cases to."))
        if action == "set_variable" and not args.get("name"):
            raise InvalidInput(_("name the variable to set."))
        method: Callable[..., Any] = getattr(self, action)
        results: list[dict[str, Any]] = []
        for instance_id in instance_ids:
            try:
                if action == "migrate":
                    method(instance_id, args["to_definition_id"], actor, reason)
                elif action == "set_variable":
                    method(instance_id, args["name"], args["value_json"], actor, reason)
                else:
                    method(instance_id, actor, reason)
            except EngineError as error:
                results.append({"instance_id": instance_id, "ok": False, "code": error.code,
                                "message": str(error)})
                continue
            results.append({"instance_id": instance_id, "ok": True})
        log.info("batch action=%s actor=%s instances=%s failed=%s", action, actor,
                 len(results), sum(not r["ok"] for r in results))
        return results

    # --- shared --------------------------------------------------------------------------

    def _authorise(self, actor: str, reason: str | None) -> str:
        with self.transaction(read_only=True):
            if not self.engine.organisation.has_role(actor, "administrator"):
                raise AdministratorsOnly()
        reason = (reason or "").strip()
        if not reason:
            raise ReasonRequired()
        return reason[:1000]

    def _locked_instance(self, instance_id: int) -> ProcessInstance:
        return Execution.load(self.engine, instance_id, None).instance

    def _execution(self, instance_id: int, actor: str,
                   statuses: tuple[str, ...]) -> Execution:
        execution = Execution.load(self.engine, instance_id, actor)
        if execution.instance.status not in statuses:
            raise InstanceNotRunning(instance_id, execution.instance.status)
        return execution

    def _running_execution(self, instance_id: int, actor: str) -> Execution:
        return self._execution(instance_id, actor, ("running",))

    def _release_claims(self, instance_id: int) -> None:
        for model in (Timer, Job):
            self.session.execute(update(model).where(model.instance_id == instance_id)
                                 .values(claimed_by=None, claim_expires_at=None))

    @staticmethod
    def _result(instance: ProcessInstance) -> dict[str, Any]:
        return {"instance_id": instance.id, "status": instance.status,
                "case_status": instance.case_status}

