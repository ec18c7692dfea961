"""The engine's exceptions: one root with a stable code, subclasses named for the condition.

Each message is an English gettext id; str() gives it in the current locale (bokmål by default).
"""

from __future__ import annotations

from typing import Any

from engine.i18n import N_, gettext, ngettext


class EngineError(Exception):
    """Root of every error the engine reports to a user or a caller."""

    code = "engine_error"
    http_status = 400
    message = N_("The operation failed.")

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.code, params)

    def __str__(self) -> str:
        return gettext(self.message, **self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self), "details": _plain(self.params)}


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {key: value if isinstance(value, (str, int, float, bool, list, dict)) or value is None
            else str(value) for key, value in params.items()}


# --- not found -----------------------------------------------------------------------------

class NotFound(EngineError):
    code = "not_found"
    http_status = 404


class TaskNotFound(NotFound):
    code = "task_not_found"
    message = N_("No task with id %(task_id)s exists. Check the id in the task list and try again.")

    def __init__(self, task_id: str) -> None:
        super().__init__(task_id=task_id)


class InstanceNotFound(NotFound):
    code = "instance_not_found"
    message = N_("No case with id %(instance_id)s exists. Check the id (not the case number, "
                 "such as AVVIK-2027-00001) and try again.")

    def __init__(self, instance_id: Any) -> None:
        super().__init__(instance_id=instance_id)


class IncidentNotFound(NotFound):
    code = "incident_not_found"
    message = N_("No incident with number %(incident_id)s exists. It may have been retried "
                 "and closed already: check the list of incidents.")

    def __init__(self, incident_id: Any) -> None:
        super().__init__(incident_id=incident_id)


class DefinitionNotFound(NotFound):
    code = "definition_not_found"
    message = N_("No deployed process has the key %(key)s. Deploy the BPMN file first "
                 "or check the key with 'sloyfe definitions'.")

    def __init__(self, key: str) -> None:
        super().__init__(key=key)


class FormNotFound(NotFound):
    code = "form_not_found"
    message = N_("The form %(form_id)s is not deployed. Deploy the .form file together "
                 "with the process.")

    def __init__(self, form_id: str) -> None:
        super().__init__(form_id=form_id)


class UserNotFound(NotFound):
    code = "user_not_found"
    message = N_("No user with the user name %(username)s exists.")

    def __init__(self, username: str) -> None:
        super().__init__(username=username)


class UnitNotFound(NotFound):
    code = "unit_not_found"
    message = N_("No unit with the code %(unit)s exists.")

    def __init__(self, unit: str) -> None:
        super().__init__(unit=unit)


class GroupNotFound(NotFound):
    code = "group_not_found"
    message = N_("No group with the key %(group)s exists.")

    def __init__(self, group: str) -> None:
        super().__init__(group=group)


# --- task state and permissions ------------------------------------------------------------

class Conflict(EngineError):
    code = "conflict"
    http_status = 409


class TaskAlreadyClaimed(Conflict):
    code = "task_already_claimed"
    message = N_("The task is already assigned to %(assignee)s. Ask them to put it back, "
                 "or ask an administrator to reassign it.")

    def __init__(self, task_id: str, assignee: str) -> None:
        super().__init__(task_id=task_id, assignee=assignee)


class TaskAlreadyCompleted(Conflict):
    code = "task_already_completed"
    message = N_("The task was already completed by %(completed_by)s. Nothing was changed; "
                 "open the task list to see what is left.")

    def __init__(self, task_id: str, completed_by: str) -> None:
        super().__init__(task_id=task_id, completed_by=completed_by)


class TaskNotOpen(Conflict):
    code = "task_not_open"
    message = N_("The task is no longer open (it was cancelled or the case was closed). "
                 "Nothing was changed.")

    def __init__(self, task_id: str, state: str) -> None:
        super().__init__(task_id=task_id, state=state)


class TaskNotClaimed(Conflict):
    code = "task_not_claimed"
    message = N_("Take the task with 'Assign to me' before you complete it.")

    def __init__(self, task_id: str) -> None:
        super().__init__(task_id=task_id)


class ConcurrentModification(Conflict):
    code = "concurrent_modification"
    message = N_("Someone else changed case %(instance_id)s at the same time. Nothing of yours "
                 "was saved; open the case again and repeat the step.")

    def __init__(self, instance_id: Any) -> None:
        super().__init__(instance_id=instance_id)


class InstanceNotRunning(Conflict):
    code = "instance_not_running"
    message = N_("Case %(instance_id)s is %(status)s, so it cannot be changed.")
    # The message names the status in words; `params` keep the status code for callers.
    status_words = {"completed": N_("completed"), "terminated": N_("cancelled"),
                    "suspended": N_("on hold"), "running": N_("in progress")}

    def __init__(self, instance_id: Any, status: str) -> None:
        super().__init__(instance_id=instance_id, status=status)

    def __str__(self) -> str:
        status = str(self.params["status"])
        words = self.status_words.get(status)
        return gettext(self.message, instance_id=self.params["instance_id"],
                       status=gettext(words) if words else status)


class DuplicateBusinessKey(Conflict):
    """Another case of the process already has the case number that the start data gives.

    `field` is the start-form field that contains the number, so a form can mark it.
    """

    code = "duplicate_business_key"
    message = N_("%(label)s %(business_key)s is already registered in the case "
                 "%(existing_number)s%(title_text)s. Check the number, or open that case.")

    def __init__(self, business_key: str, existing_instance_id: int, existing_number: str,
                 title: str | None, label: str, field: str) -> None:
        super().__init__(business_key=business_key, existing_instance_id=existing_instance_id,
                         existing_number=existing_number, label=label,
                         title_text=f" «{title}»" if title else "")
        self.field = field


class PermissionDenied(EngineError):
    code = "permission_denied"
    http_status = 403
    message = N_("You do not have access to this.")


class AdministratorsOnly(PermissionDenied):
    code = "administrators_only"
    message = N_("Only administrators may do this. Ask one, or ask for the administrator role.")


class NotACandidate(PermissionDenied):
    code = "not_a_candidate"
    message = N_("The task %(task_name)s belongs to %(candidates)s, and %(username)s is not "
                 "among them. Ask the unit leader or an administrator to assign it to you.")

    def __init__(self, task_id: str, task_name: str, username: str, candidates: str) -> None:
        super().__init__(task_id=task_id, task_name=task_name, username=username,
                         candidates=candidates)


class NotAssignee(PermissionDenied):
    code = "not_assignee"
    message = N_("The task is assigned to %(assignee)s, not to you. Nothing was changed.")

    def __init__(self, task_id: str, assignee: str) -> None:
        super().__init__(task_id=task_id, assignee=assignee)


class AssigneeNotFound(EngineError):
    """The user a task is delegated or reassigned to does not exist or is deactivated."""

    code = "assignee_not_found"
    http_status = 422
    message = N_("No active user has the user name %(username)s. Check the name and try "
                 "again.")

    def __init__(self, username: str) -> None:
        super().__init__(username=username)


class DelegateNotEligible(EngineError):
    """The colleague a task is delegated to is neither a candidate nor in a candidate group."""

    code = "delegate_not_eligible"
    http_status = 422
    message = N_("%(username)s cannot take the task %(task_name)s, because it belongs to "
                 "%(candidates)s. Choose a colleague among them, or ask the unit leader to "
                 "reassign the task.")

    def __init__(self, task_id: str, task_name: str, username: str, candidates: str) -> None:
        super().__init__(task_id=task_id, task_name=task_name, username=username,
                         candidates=candidates)


class DelegationNeedsAssignee(PermissionDenied):
    code = "delegation_needs_assignee"
    message = N_("Only the person assigned to a task may delegate it. Take the task with "
                 "'Assign to me' first.")

    def __init__(self, task_id: str) -> None:
        super().__init__(task_id=task_id)


class ReassignNotAllowed(PermissionDenied):
    code = "reassign_not_allowed"
    message = N_("Only the leader of the task's unit or of a unit above it, or an "
                 "administrator, may reassign the task.")

    def __init__(self, task_id: str, **params: Any) -> None:
        super().__init__(task_id=task_id, **params)


class ReassignTargetNotEligible(EngineError):
    """The person a task is reassigned to could not legitimately hold it (see
    TaskService.reassign_targets)."""

    code = "reassign_target_not_eligible"
    http_status = 422
    message = N_("%(username)s cannot take the task %(task_name)s. It can be assigned to "
                 "its candidates, to people who already work on the case, to people in "
                 "%(unit)s or a unit below it, and to the leaders of %(unit)s and the units "
                 "above it.")
    confidential_message = N_(
        "%(username)s cannot take the task %(task_name)s. The case is confidential, so the "
        "task can be assigned only to its candidates, to people who already work on the "
        "case, and to the leader of %(unit)s.")

    def __init__(self, task_id: str, task_name: str, username: str, unit: str,
                 confidential: bool) -> None:
        super().__init__(task_id=task_id, task_name=task_name, username=username, unit=unit)
        if confidential:
            self.message = self.confidential_message


class AssigneeDeactivated(AssigneeNotFound):
    """The user a task is delegated or reassigned to exists but is deactivated."""

    code = "assignee_deactivated"
    message = N_("The user %(username)s is deactivated and cannot take tasks. Choose an "
                 "active user, or ask an administrator to activate %(username)s.")


class ReassignToStarterNotAllowed(ReassignTargetNotEligible):
    """The person a task is reassigned to started the case and is not a candidate."""

    code = "reassign_to_starter_not_allowed"
    message = N_("%(username)s cannot take the task %(task_name)s, because %(username)s "
                 "started the case (for a deviation: reported it). The person who started "
                 "a case does not handle it unless the step names them as a candidate. "
                 "Choose someone else.")

    def __init__(self, task_id: str, task_name: str, username: str) -> None:
        EngineError.__init__(self, task_id=task_id, task_name=task_name, username=username)


class TaskNotReassignable(ReassignNotAllowed):
    """The task's element has the camunda property reassign=false, so nobody may reassign
    it, leaders and administrators included."""

    code = "task_not_reassignable"
    message = N_("The task %(task_name)s cannot be reassigned: the process sets "
                 "reassign=false on this step, because only the person it names may do it.")

    def __init__(self, task_id: str, task_name: str) -> None:
        super().__init__(task_id, task_name=task_name)


# --- log-in ----------------------------------------------------------------------------------

class InvalidCredentials(EngineError):
    """The user name and password do not match an active account (which of them is wrong
    stays unsaid, so the message does not reveal which user names exist)."""

    code = "invalid_credentials"
    http_status = 401
    message = N_("Wrong user name or password.")


class LoginBlocked(EngineError):
    """Log-in refused before the password was checked; `retry_after` is in seconds."""

    code = "login_blocked"
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)
        self.retry_after = retry_after

    @property
    def retry_minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))


class LoginLocked(LoginBlocked):
    """Too many failed log-ins for one user name, whether or not that user exists."""

    code = "login_locked"

    def __str__(self) -> str:
        return ngettext("Too many failed attempts. Try again in %(num)s minute.",
                        "Too many failed attempts. Try again in %(num)s minutes.",
                        self.retry_minutes)


class TooManyLoginAttempts(LoginBlocked):
    """Too many log-in attempts from one client address, whatever the user names."""

    code = "too_many_login_attempts"

    def __str__(self) -> str:
        return ngettext("Too many log-in attempts from your network address. Try again in "
                        "%(num)s minute.",
                        "Too many log-in attempts from your network address. Try again in "
                        "%(num)s minutes.", self.retry_minutes)


# --- input -----------------------------------------------------------------------------------

class InvalidInput(EngineError):
    code = "invalid_input"
    http_status = 422
    message = N_("The input is invalid: %(reason)s")

    def __init__(self, reason: str) -> None:
        super().__init__(reason=reason)


class IncidentAlreadyResolved(EngineError):
    code = "incident_resolved"
    http_status = 409
    message = N_("Incident %(incident_id)s is already resolved, so there is nothing to retry. "
                 "If the step failed again, a new incident is in the list.")

    def __init__(self, incident_id: Any) -> None:
        super().__init__(incident_id=incident_id)


class FormValidationFailed(EngineError):
    """The submitted form values broke the form's rules; `errors` maps field key to messages."""

    code = "form_invalid"
    http_status = 422
    message = N_("The form has errors. Correct the marked fields and send it again.")

    def __init__(self, errors: dict[str, list[str]], values: dict[str, Any] | None = None) -> None:
        super().__init__(errors=errors)
        self.errors = errors
        self.values = values or {}

    def __str__(self) -> str:
        lines = [gettext(self.message)]
        for field, messages in self.errors.items():
            lines.extend(f"  {field}: {text}" for text in messages)
        return "\n".join(lines)


class DefinitionInvalid(EngineError):
    """A BPMN or form file that cannot run. `problems` lists each reason with file, line and
    element."""

    code = "definition_invalid"
    http_status = 422
    message = N_("%(file)s was not deployed.")

    def __init__(self, file: str, problems: list[DefinitionProblem]) -> None:
        super().__init__(file=file)
        self.file = file
        self.problems = problems

    def __str__(self) -> str:
        lines = [gettext(self.message, file=self.file)]
        lines.extend(str(problem) for problem in self.problems)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [problem.to_dict() for problem in self.problems]
        return data


class DeploymentTooLarge(EngineError):
    code = "deployment_too_large"
    http_status = 413
    message = N_("The files are larger than %(limit)s together, the most one deployment "
                 "takes. Deploy the forms first and the processes afterwards, or fewer files "
                 "at a time.")

    def __init__(self, limit: str) -> None:
        super().__init__(limit=limit)


class DefinitionProblem:
    """One reason a definition file cannot run, located by file, line and BPMN element id."""

    def __init__(self, file: str, text: str, line: int | None = None,
                 element_id: str | None = None) -> None:
        self.file = file
        self.text = text
        self.line = line
        self.element_id = element_id

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += gettext(", line %(line)s", line=self.line)
        if self.element_id:
            where += gettext(", element %(element_id)s", element_id=self.element_id)
        return f"{where}: {self.text}"

    def __repr__(self) -> str:
        return (f"DefinitionProblem({self.file!r}, {self.line!r}, {self.element_id!r}, "
                f"{self.text!r})")

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "element_id": self.element_id,
                "message": self.text}


# --- runtime ---------------------------------------------------------------------------------

class ScriptError(EngineError):
    """A script or expression in a process failed or broke a sandbox rule."""

    code = "script_error"
    message = N_("The expression in %(element_id)s failed: %(reason)s")

    def __init__(self, reason: str, element_id: str = "", kind: str = "error") -> None:
        super().__init__(reason=reason, element_id=element_id, kind=kind)
        self.reason = reason
        self.kind = kind


class HandlerFailed(EngineError):
    code = "handler_failed"
    message = N_("The step %(element_id)s failed: %(reason)s")

    def __init__(self, element_id: str, reason: str) -> None:
        super().__init__(element_id=element_id, reason=reason)
