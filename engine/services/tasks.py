"""Task lists, claiming and completing user tasks."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import Session, undefer

from engine.errors import (
    AdministratorsOnly,
    AssigneeDeactivated,
    AssigneeNotFound,
    DelegateNotEligible,
    DelegationNeedsAssignee,
    FormValidationFailed,
    NotACandidate,
    NotAssignee,
    ReassignNotAllowed,
    ReassignTargetNotEligible,
    ReassignToStarterNotAllowed,
    TaskAlreadyClaimed,
    TaskAlreadyCompleted,
    TaskNotFound,
    TaskNotOpen,
    TaskNotReassignable,
)
from engine.i18n import gettext as _
from engine.models import ProcessInstance, Task, TaskCandidate, Unit, User
from engine.services.base import Service
from engine.services.execution import Execution
from engine.services.form_checks import run_form_checks

log = logging.getLogger(__name__)

VIEWS = ("mine", "group", "unit", "all")

# Camunda properties of a user task that the task service reads.
REASSIGN_PROPERTY = "reassign"  # "false": the task stays with whom the process gave it
COMPLETED_BY_PROPERTY = "completedByVariable"  # store the completer's user name in this variable
RULE_PREFIX = "validate."
RULE_MESSAGE_SUFFIX = ".message"


class _RuleScope:
    """The data a task rule sees, shaped like a task for the script engine."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.id = None
        self.task_spec = None


def _plain(submitted: Mapping[str, Any]) -> dict[str, Any]:
    getlist = getattr(submitted, "getlist", None)
    if getlist is None:
        return dict(submitted)
    return {key: (values if len(values) > 1 else values[0])
            for key in submitted.keys() for values in [getlist(key)]}


def _unit_people(session: Session, unit: Unit) -> list[User]:
    """Return the members and leaders of `unit` and the units below it, and the leaders
    of the units above it."""
    subtree = select(Unit.id).where(Unit.id == unit.id).cte("unit_subtree", recursive=True)
    # UNION, not UNION ALL, so a unit tree with a cycle still ends.
    subtree = subtree.union(select(Unit.id).join(subtree, Unit.parent_id == subtree.c.id))
    below = select(subtree.c.id)
    people = [*session.scalars(select(User).where(User.unit_id.in_(below)))]
    people.extend(session.scalars(select(User).join(Unit, Unit.leader_id == User.id)
                                  .where(Unit.id.in_(below))))
    above = unit.parent
    seen = {unit.id}
    while above is not None and above.id not in seen:
        if above.leader is not None:
            people.append(above.leader)
        seen.add(above.id)
        above = above.parent
    return people


class TaskService(Service):

    # --- reading -------------------------------------------------------------------------

    def get(self, task_id: str) -> Task:
        task = self.session.get(Task, task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    def _locked_with_instance(self, task_id: str) -> tuple[Task, ProcessInstance]:
        """The task row and its instance with its state, both locked on PostgreSQL, in one
        round trip."""
        query = (select(Task, ProcessInstance).join(ProcessInstance,
                                                    ProcessInstance.id == Task.instance_id)
                 .options(undefer(ProcessInstance.state)).where(Task.id == task_id))
        if self.session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.session.execute(query).first()
        if row is None:
            raise TaskNotFound(task_id)
        return row[0], row[1]

    def _locked(self, task_id: str) -> Task:
        query = select(Task).where(Task.id == task_id)
        if self.session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        task = self.session.scalar(query)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    def list(self, username: str, view: str = "mine", limit: int = 500) -> list[Task]:
        """Return the open tasks of one of the user's lists (see view_condition), ordered by
        deadline with the tasks without one last, then by priority."""
        query = select(Task).where(self.view_condition(username, view))
        query = query.order_by(Task.due_at.is_(None), Task.due_at, Task.priority.desc(),
                               Task.created_at, Task.id).limit(limit)
        return list(self.session.scalars(query))

    def view_condition(self, username: str, view: str) -> ColumnElement[bool]:
        """Return a WHERE clause on Task for one of the user's lists of open tasks.

        The lists are `mine` (assigned to me), `group` (unassigned, offered to me or my
        groups), `unit` (open in the units I lead and every unit below them) and `all`
        (administrators only).
        """
        is_open = Task.state == "open"
        if view == "mine":
            return and_(is_open, Task.assignee == username)
        if view == "group":
            groups = self.engine.organisation.group_keys(username)
            # MATERIALIZED makes PostgreSQL read the few offered task ids first. Without it,
            # it walks every unassigned task in deadline order and probes each one.
            offered = select(TaskCandidate.task_id).where(or_(
                (TaskCandidate.kind == "user") & (TaskCandidate.value == username),
                (TaskCandidate.kind == "group") & (TaskCandidate.value.in_(groups or {""})))
            ).cte("offered").prefix_with("MATERIALIZED")
            return and_(is_open, Task.assignee.is_(None),
                        Task.id.in_(select(offered.c.task_id)))
        if view == "unit":
            # The unit ids go into the statement as a list, not a subquery, so the database
            # plans with their number: a leader high in the tree reads the tasks in sort
            # order, a leader of one unit fetches that unit's tasks and sorts them.
            user = self.engine.organisation.user(username)
            led = list(self.session.scalars(self.led_subtree(user.id)))
            return and_(is_open, Task.unit_id.in_(led),
                        self.engine.visibility.open_to_roles(Task.definition_key))
        if view == "all":
            if not self.engine.organisation.has_role(username, "administrator"):
                raise AdministratorsOnly()
            return and_(is_open, self.engine.visibility.open_to_roles(Task.definition_key))
        raise ValueError(f"unknown task view {view!r}")

    def led_subtree(self, user_id: int, name: str = "led_subtree") -> Select[tuple[int]]:
        """Select the ids of the units that `user_id` leads and of every unit below them.

        `name` names the CTE; two in one statement need different names."""
        subtree = select(Unit.id).where(Unit.leader_id == user_id) \
            .cte(name, recursive=True)
        below = select(Unit.id).join(subtree, Unit.parent_id == subtree.c.id)
        # UNION, not UNION ALL, so a unit tree with a cycle still ends.
        subtree = subtree.union(below)
        return select(subtree.c.id)

    def leads_unit_or_above(self, unit_id: int, user_id: int) -> bool:
        unit = self.session.get(Unit, unit_id)
        seen: set[int] = set()
        while unit is not None and unit.id not in seen:
            if unit.leader_id == user_id:
                return True
            seen.add(unit.id)
            unit = unit.parent
        return False

    def is_candidate(self, task: Task, username: str) -> bool:
        if username in (task.candidate_users or []):
            return True
        groups = self.engine.organisation.group_keys(username)
        return bool(groups & set(task.candidate_groups or []))

    def may_see(self, task: Task, username: str, *, administrators: bool = True) -> bool:
        """Assignee, completer, candidates and the process's reader groups; for a process that
        is not confidential also the leaders of the task's unit and of every unit above it,
        and administrators unless `administrators` is False."""
        if self.takes_part(task, username):
            return True
        visibility = self.engine.visibility
        if visibility.reads_every_case(username, task.definition_key):
            return True
        if visibility.is_confidential(task.definition_key):
            return False
        if task.unit_id is not None:
            user = self.engine.organisation.find_user(username)
            if user is not None and self.leads_unit_or_above(task.unit_id, user.id):
                return True
        return administrators and self.engine.organisation.has_role(username, "administrator")

    def takes_part(self, task: Task, username: str) -> bool:
        """Return whether `username` is the task's assignee, completer or a candidate."""
        if task.assignee == username or task.completed_by == username:
            return True
        return self.is_candidate(task, username)

    def visible_condition(self, username: str) -> ColumnElement[bool]:
        """A WHERE clause on Task that holds for exactly the tasks `may_see` allows, so
        listings can filter in the database."""
        profile = self.engine.organisation.profile(username)
        if profile is None:
            return false()
        visibility = self.engine.visibility
        offered = select(TaskCandidate.task_id).where(or_(
            (TaskCandidate.kind == "user") & (TaskCandidate.value == username),
            (TaskCandidate.kind == "group")
            & (TaskCandidate.value.in_(profile.group_keys or {""}))))
        open_to_roles = visibility.open_to_roles(Task.definition_key)
        by_role = open_to_roles if "administrator" in profile.roles else and_(
            open_to_roles, Task.unit_id.in_(self.led_subtree(profile.user_id)))
        return or_(Task.assignee == username, Task.completed_by == username,
                   Task.id.in_(offered), by_role,
                   visibility.read_by_groups(Task.definition_key, profile.group_keys))

    def summary(self, task: Task) -> dict[str, Any]:
        instance = task.instance
        return {
            "id": task.id, "name": task.name, "element_id": task.element_id,
            "instance_id": task.instance_id, "business_key": instance.business_key,
            "title": instance.title, "process": task.definition_key, "state": task.state,
            "assignee": task.assignee, "candidate_groups": task.candidate_groups,
            "candidate_users": task.candidate_users,
            "due_at": task.due_at.isoformat() if task.due_at else None,
            "priority": task.priority, "form": task.form_ref, "escalated": task.escalated,
            "created_at": task.created_at.isoformat(),
            "completed_by": task.completed_by,
            "completed_at": task.completed_at.isoformat() if task.completed_at else None,
        }

    def open_tasks_of_instance(self, instance_id: int, element_id: str | None = None
                               ) -> list[Task]:
        query = select(Task).where(Task.instance_id == instance_id, Task.state == "open")
        if element_id:
            query = query.where(Task.element_id == element_id)
        return list(self.session.scalars(query))

    def form(self, task: Task) -> Any | None:
        if not task.form_definition_id:
            return None
        from engine.models import FormDefinition

        record = self.session.get(FormDefinition, task.form_definition_id)
        return self.engine.forms.spec(record) if record else None

    def variables(self, task: Task) -> dict[str, Any]:
        """The data the task sees: the values its form shows first."""
        execution = Execution.load(self.engine, task.instance_id, None, lock=False)
        spiff_task = execution.spiff_task(task.id)
        if spiff_task is None:
            return execution.current_data()
        return dict(spiff_task.data)

    # --- claiming ------------------------------------------------------------------------

    def claim(self, task_id: str, username: str) -> Task:
        """Assign an open task to `username` ("Tildel meg")."""
        with self.transaction():
            task = self._open_task(self._locked(task_id))
            if task.assignee == username:
                return task
            if task.assignee:
                raise TaskAlreadyClaimed(task_id, self._display(task.assignee))
            self._require_candidate(task, username)
            task.assignee = username
            task.claimed_at = self.engine.clock.now()
            self.engine.history.record("task_claimed", username, instance_id=task.instance_id,
                                       task_id=task.id, element_id=task.element_id)
            return task

    def unclaim(self, task_id: str, username: str) -> Task:
        """Put a task back to its groups ("Legg tilbake")."""
        with self.transaction():
            task = self._open_task(self._locked(task_id))
            if not task.assignee:
                return task
            if task.assignee != username and \
                    not self.engine.organisation.has_role(username, "administrator"):
                raise NotAssignee(task_id, self._display(task.assignee))
            task.assignee = None
            task.claimed_at = None
            self.engine.history.record("task_unclaimed", username, instance_id=task.instance_id,
                                       task_id=task.id, element_id=task.element_id)
            return task

    def delegate(self, task_id: str, to_username: str, actor: str) -> Task:
        """Hand a task from its assignee `actor` to a colleague who may take it: a candidate
        user or a member of a candidate group."""
        with self.transaction():
            task = self._open_task(self._locked(task_id))
            if task.assignee != actor:
                if task.assignee:
                    raise NotAssignee(task_id, self._display(task.assignee))
                raise DelegationNeedsAssignee(task_id)
            self._active_user(to_username)
            if to_username == actor:
                return task
            if not self.is_candidate(task, to_username):
                raise DelegateNotEligible(task.id, task.name, self._display(to_username),
                                          self._candidate_names(task))
            self._hand_over(task, "task_delegated", actor, to_username)
            return task

    def reassign(self, task_id: str, to_username: str, actor: str) -> Task:
        """Give a task to a named user on behalf of its unit, for example when the assignee
        is absent. Leaders of the task's unit or of a unit above it may do this, and so may
        administrators, but not for a confidential process whose cases they cannot read.
        There the process's reader groups may (HR for conversations, when a unit changes
        leader)."""
        with self.transaction():
            task = self._open_task(self._locked(task_id))
            if self.may_see(task, actor) and not self._reassignable(task):
                raise TaskNotReassignable(task_id, task.name)
            if not self.may_reassign(task, actor):
                raise ReassignNotAllowed(task_id)
            self._active_user(to_username)
            if task.assignee == to_username:
                return task
            if to_username not in self.reassign_targets(task):
                if to_username == task.instance.started_by:
                    raise ReassignToStarterNotAllowed(task.id, task.name,
                                                      self._display(to_username))
                unit = self._case_unit(task)
                raise ReassignTargetNotEligible(
                    task.id, task.name, self._display(to_username),
                    unit.name if unit is not None else _("the case's unit"),
                    self.engine.visibility.is_confidential(task.definition_key))
            self._hand_over(task, "task_reassigned", actor, to_username)
            return task

    def may_reassign(self, task: Task, actor: str) -> bool:
        if not self.may_see(task, actor):
            return False
        if not self._reassignable(task):
            return False
        visibility = self.engine.visibility
        if visibility.is_confidential(task.definition_key):
            # Nobody else who may act on the unit's behalf can read the case.
            if visibility.reads_every_case(actor, task.definition_key):
                return True
        if self.engine.organisation.has_role(actor, "administrator"):
            return True
        if task.unit_id is None:
            return False
        user = self.engine.organisation.find_user(actor)
        return user is not None and self.leads_unit_or_above(task.unit_id, user.id)

    def _reassignable(self, task: Task) -> bool:
        """Return False for a task whose element has the camunda property `reassign` set to
        false, such as the employee's own confirmation of a conversation summary, which
        nobody else may give."""
        compiled = self.engine.specs.get(task.instance.definition_id)
        for spec in (compiled.spec, *compiled.subprocess_specs.values()):
            element = spec.task_specs.get(task.element_id)
            if element is not None:
                # A multi-instance activity is a wrapper whose child spec carries the
                # element's properties.
                child = getattr(element, "task_spec", None)
                if isinstance(child, str) and child in spec.task_specs:
                    element = spec.task_specs[child]
                setting = (getattr(element, "extensions", None) or {}).get(
                    REASSIGN_PROPERTY, "")
                return str(setting).strip().lower() != "false"
        return True

    def reassign_targets(self, task: Task) -> dict[str, str]:
        """Map the active users who may be given the task by reassignment to their display
        names, sorted by display name.

        These are the task's candidates, the users who hold or completed a task of the same
        case, the members and leaders of the case's unit and of every unit below it, and the
        leaders of the units above it. For a confidential process only the candidates, the
        users already in the case and the leader of the case's unit remain, so the case
        never goes to an employee's colleague who is not their leader. A task of a process
        that is not confidential and names neither a unit nor candidates may go to any
        active user, because nothing in the model says who holds it.
        """
        unit = self._case_unit(task)
        confidential = self.engine.visibility.is_confidential(task.definition_key)
        if unit is None and not confidential and not task.candidate_groups \
                and not task.candidate_users:
            return self._by_display_name(self.engine.organisation.users())

        users: dict[int, User] = {}
        for group in task.candidate_groups or []:
            users.update((user.id, user) for user in self.engine.organisation.members(group))
        candidates = {user.username for user in users.values()} | set(task.candidate_users or [])
        participants = set(task.candidate_users or [])
        for assignee, completer in self.session.execute(
                select(Task.assignee, Task.completed_by)
                .where(Task.instance_id == task.instance_id)):
            participants.update(name for name in (assignee, completer) if name)
        if participants:
            users.update((user.id, user) for user in self.session.scalars(
                select(User).where(User.username.in_(participants))))

        if unit is not None and unit.leader is not None:
            users[unit.leader.id] = unit.leader
        if unit is not None and not confidential:
            users.update((user.id, user) for user in _unit_people(self.session, unit))
        # The person who started the case, such as the reporter of a deviation, does not
        # handle it unless the process makes them a candidate.
        starter = task.instance.started_by
        if starter and starter not in candidates:
            users = {user_id: user for user_id, user in users.items()
                     if user.username != starter}
        return self._by_display_name(users.values())

    @staticmethod
    def _by_display_name(users: Iterable[User]) -> dict[str, str]:
        active = {user.username: user.display_name for user in users if user.active}
        return dict(sorted(active.items(), key=lambda item: (item[1].casefold(), item[0])))

    def _case_unit(self, task: Task) -> Unit | None:
        unit_id = task.unit_id if task.unit_id is not None else task.instance.unit_id
        return self.session.get(Unit, unit_id) if unit_id is not None else None

    def eligible_delegates(self, task: Task, actor: str) -> list[tuple[str, str]]:
        """List the active users other than `actor` that the task may be delegated to, as
        (user name, display name) pairs sorted by display name."""
        users = {user.username: user.display_name
                 for group in task.candidate_groups or []
                 for user in self.engine.organisation.members(group)}
        for username in task.candidate_users or []:
            user = self.engine.organisation.find_user(username)
            if user is not None and user.active:
                users[user.username] = user.display_name
        users.pop(actor, None)
        return sorted(users.items(), key=lambda item: (item[1].casefold(), item[0]))

    def _active_user(self, username: str) -> None:
        user = self.engine.organisation.find_user(username)
        if user is None:
            raise AssigneeNotFound(username)
        if not user.active:
            raise AssigneeDeactivated(username)

    def _hand_over(self, task: Task, action: str, actor: str, to_username: str) -> None:
        previous = task.assignee
        task.assignee = to_username
        task.claimed_at = self.engine.clock.now()
        self.engine.history.record(action, actor, instance_id=task.instance_id,
                                   task_id=task.id, element_id=task.element_id,
                                   previous=previous, assignee=to_username)
        self.engine.notifications.task_assigned(task, actor)

    def escalate(self, task: Task, group_key: str, actor: str) -> None:
        """Offer a task also to `group_key` and mark it as sent to the next leader."""
        if group_key not in (task.candidate_groups or []):
            task.candidate_groups = [*(task.candidate_groups or []), group_key]
            task.candidates.append(TaskCandidate(kind="group", value=group_key))
        task.escalated = True
        self.engine.history.record("task_escalated", actor, instance_id=task.instance_id,
                                   task_id=task.id, element_id=task.element_id, group=group_key)

    # --- completing ----------------------------------------------------------------------

    def complete(self, task_id: str, username: str, data: Mapping[str, Any] | None = None,
                 source: str = "json", hide_unseen: bool = False) -> dict[str, Any]:
        """Validate the form values and complete the task; the instance runs on to its next
        wait. An unassigned task is taken by `username` on the way, if they may take it.

        With `hide_unseen`, a task the user may not see is reported as not found, so a caller
        answering strangers does not reveal that it exists.
        """
        with self.transaction():
            task, instance = self._locked_with_instance(task_id)
            if hide_unseen and not self.may_see(task, username):
                raise TaskNotFound(task_id)
            task = self._open_task(task)
            if task.assignee and task.assignee != username:
                raise NotAssignee(task_id, self._display(task.assignee))
            if not task.assignee:
                self._require_candidate(task, username)

            execution = Execution.load(self.engine, task.instance_id, username,
                                       instance=instance)
            self.engine.runtime.require_running(execution.instance)
            spiff_task = execution.spiff_task(task.id)
            if spiff_task is None or spiff_task.state != TaskState.READY:
                raise TaskNotOpen(task_id, "engine")

            clean = self._validated(task, data or {}, dict(spiff_task.data), source)
            self._check_rules(spiff_task, clean, data or {})
            form = self.form(task)
            if form is not None:
                run_form_checks(self.engine, task.definition_key, task.element_id, form,
                                clean, spiff_task.data)
            DeepMerge.merge(spiff_task.data, clean)
            completed_by_variable = (spiff_task.task_spec.extensions or {}).get(
                COMPLETED_BY_PROPERTY)
            if completed_by_variable:
                spiff_task.data[completed_by_variable] = username
            spiff_task.run()

            now = self.engine.clock.now()
            task.assignee = task.assignee or username
            task.state = "completed"
            task.completed_by = username
            task.completed_at = now
            task.submitted_data = clean
            self.engine.history.record("task_completed", username, instance_id=task.instance_id,
                                       task_id=task.id, element_id=task.element_id,
                                       fields=sorted(clean))

            open_before = {row.id for row in self.open_tasks_of_instance(task.instance_id)}
            execution.run()
            execution.sync(completed_task_id=task.id)
            execution.save()
            instance_id = execution.instance.id
            if not execution.queued_jobs:
                return self._completion(execution.instance, execution.open_task_rows, task,
                                        open_before)

        self.engine.management.run_due_jobs(instance_id=instance_id)
        with self.transaction(read_only=True):
            return self._completion(self.session.get(ProcessInstance, instance_id),
                                    self.open_tasks_of_instance(instance_id), task,
                                    open_before)

    def _completion(self, instance: ProcessInstance, open_tasks: list[Task], task: Task,
                    open_before: set[str]) -> dict[str, Any]:
        """Summarise a completion; `opened_task_ids` are the tasks it opened, as opposed to
        parallel ones that were open before."""
        return {"task_id": task.id, "task_name": task.name, "instance_id": instance.id,
                "status": instance.status, "case_status": instance.case_status,
                "open_tasks": [self.summary(row) for row in open_tasks],
                "opened_task_ids": [row.id for row in open_tasks
                                    if row.id not in open_before]}

    def _validated(self, task: Task, data: Mapping[str, Any], variables: dict[str, Any],
                   source: str) -> dict[str, Any]:
        form = self.form(task)
        if form is None:
            if source == "html":
                return {}
            return {str(k): v for k, v in dict(data).items() if not str(k).startswith("_")}
        return dict(self.engine.forms.validate(form, data, variables, source))

    def _check_rules(self, spiff_task: Any, clean: dict[str, Any],
                     submitted: Mapping[str, Any]) -> None:
        """Apply the task's own rules, camunda properties `validate.<field>` (a Python
        condition over the process variables and the submitted values, which must hold) with
        `validate.<field>.message` (the text shown beside the field when it does not)."""
        properties = spiff_task.task_spec.extensions or {}
        errors: dict[str, list[str]] = {}
        variables = {**spiff_task.data, **clean}
        for name, condition in properties.items():
            if not name.startswith(RULE_PREFIX) or name.endswith(RULE_MESSAGE_SUFFIX):
                continue
            field_name = name[len(RULE_PREFIX):]
            if self.engine.script_engine.evaluate(_RuleScope(variables), condition):
                continue
            message = properties.get(name + RULE_MESSAGE_SUFFIX) or _(
                "The value does not fit the rest of the case. Check it and send again.")
            errors.setdefault(field_name, []).append(message)
        if errors:
            raise FormValidationFailed(errors, values=_plain(submitted))

    def _open_task(self, task: Task) -> Task:
        if task.state == "completed":
            raise TaskAlreadyCompleted(task.id, self._display(task.completed_by or ""))
        if task.state != "open":
            raise TaskNotOpen(task.id, task.state)
        return task

    def _require_candidate(self, task: Task, username: str) -> None:
        if self.is_candidate(task, username):
            return
        if self.engine.organisation.has_role(username, "administrator"):
            return
        raise NotACandidate(task.id, task.name, self._display(username),
                            self._candidate_names(task))

    def _candidate_names(self, task: Task) -> str:
        names = [self.engine.organisation.describe_group(g) for g in task.candidate_groups or []]
        names += [self._display(u) for u in task.candidate_users or []]
        return ", ".join(names) or "-"

    def _display(self, username: str) -> str:
        if not username:
            return username
        names = self.engine.organisation.display_names([username])
        return names.get(username, username)

