"""Who may call which route: every view declares a rule, and one hook checks it.

Deny by default: a route without a declared rule answers 403 for everyone, and a test built
from the route table fails while any route lacks one. Role rules answer 403 when they fail;
relation rules (this task, this case) answer 404, so ids do not reveal what exists.

    @bp.route("/oppgaver/<task_id>")
    @access(TASK_VIEWER)
    def task_page(task_id): ...
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, abort, current_app, g, request

if TYPE_CHECKING:
    from engine.engine import ProcessEngine

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])
RuleCheck = Callable[["Principal", Mapping[str, Any], "ProcessEngine"], bool]
ACCESS_ATTRIBUTE = "sloyfe_access"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in user, or a system holding an API token with scopes."""

    username: str | None = None
    roles: frozenset[str] = frozenset()
    leads_unit: bool = False
    scopes: frozenset[str] = frozenset()
    is_token: bool = False

    @property
    def authenticated(self) -> bool:
        return self.username is not None or self.is_token


ANONYMOUS = Principal()


@dataclass(frozen=True)
class Rule:
    """A named condition on the principal and the route's arguments.

    `hides` makes a failed check answer 404 instead of 403 (for relation rules).
    """

    name: str
    check: Callable[[Principal, Mapping[str, Any], ProcessEngine], bool] = field(
        compare=False)
    hides: bool = False

    def allows(self, principal: Principal, view_args: Mapping[str, Any],
               engine: ProcessEngine) -> bool:
        return self.check(principal, view_args, engine)


def _role(name: str) -> Callable[[Principal, Mapping[str, Any], Any], bool]:
    return lambda principal, _args, _engine: name in principal.roles


def _task_viewer(principal: Principal, args: Mapping[str, Any], engine: ProcessEngine) -> bool:
    from engine.errors import TaskNotFound

    if principal.username is None:
        return False
    with engine.transaction(read_only=True):
        try:
            task = engine.tasks.get(str(args["task_id"]))
        except TaskNotFound:
            return False
        return engine.tasks.may_see(task, principal.username)


def _case_rule(check: Callable[[Any, Any, str], bool]) -> RuleCheck:
    """Build a rule check that applies `check(runtime, instance, username)` to the case the
    route names; an unknown case or a caller who is not signed in fails it."""
    def allows(principal: Principal, args: Mapping[str, Any], engine: ProcessEngine) -> bool:
        from engine.errors import InstanceNotFound

        if principal.username is None:
            return False
        with engine.transaction(read_only=True):
            try:
                instance = engine.runtime.instance(int(args["instance_id"]))
            except (InstanceNotFound, ValueError):
                return False
            return check(engine.runtime, instance, principal.username)
    return allows


_case_viewer = _case_rule(lambda runtime, instance, username: runtime.may_see(instance, username))
_case_reader = _case_rule(
    lambda runtime, instance, username: runtime.reads_record(instance, username))


def _names_confidential_case(args: Mapping[str, Any], engine: ProcessEngine) -> bool:
    """Return whether the case or task the route names belongs to a confidential process."""
    from engine.errors import InstanceNotFound, TaskNotFound

    with engine.transaction(read_only=True):
        try:
            if "instance_id" in args:
                key = engine.runtime.instance(int(args["instance_id"])).definition_key
            elif "task_id" in args:
                key = engine.tasks.get(str(args["task_id"])).definition_key
            else:
                return False
        except (InstanceNotFound, TaskNotFound, ValueError):
            return False
        return engine.visibility.is_confidential(key)


PUBLIC = Rule("public", lambda _p, _a, _e: True)
AUTHENTICATED = Rule("authenticated", lambda p, _a, _e: p.username is not None)
ADMINISTRATOR = Rule("administrator", _role("administrator"))
PROCESS_OWNER = Rule("process owner", lambda p, a, e: bool(
    {"prosesseier", "administrator"} & p.roles))


def may_edit_process(who: Principal | str | None, key: str | None,
                     engine: ProcessEngine | None = None) -> bool:
    """Return whether a user may change the process `key` in the modeler and deploy it.

    `key` None means drawing a new process. Administrators always may. Otherwise members of
    a group that the process property ownerGroups names may, or users with the role
    prosesseier when the process names no such group. API tokens never count as owners here,
    because they deploy with the scope definitions:write.
    """
    username = who.username if isinstance(who, Principal) else who
    if username is None:
        return False
    engine = engine or current_app.extensions["sloyfe"]
    return bool(engine.drafts.may_edit(username, key))


def _process_editor(principal: Principal, args: Mapping[str, Any], engine: ProcessEngine) -> bool:
    return may_edit_process(principal, args.get("key"), engine)


UNIT_LEADER = Rule("unit leader", lambda p, _a, _e: p.leads_unit)
TASK_VIEWER = Rule("task viewer", _task_viewer, hides=True)
# Lets through callers who may change the process the route names (see may_edit_process).
PROCESS_EDITOR = Rule("process editor", _process_editor)
CASE_VIEWER = Rule("case viewer", _case_viewer, hides=True)
# Reads what the handlers wrote in a case (variables, audit trail): not the starter alone.
CASE_READER = Rule("case reader", _case_reader, hides=True)
CONFIDENTIAL_SCOPE = "confidential:read"


def scope(name: str) -> Rule:
    """An API token's scope, or a signed-in user for whom the same route is open."""
    return Rule(f"scope {name}", lambda p, _a, _e: p.is_token and name in p.scopes)


def case_scope(name: str) -> Rule:
    """An API token's scope on the case or task the route names. A case of a confidential
    process also needs the scope confidential:read. Without it the token gets 403, and the
    listings leave such cases out."""
    def check(principal: Principal, args: Mapping[str, Any], engine: ProcessEngine) -> bool:
        if not principal.is_token or name not in principal.scopes:
            return False
        return CONFIDENTIAL_SCOPE in principal.scopes or not _names_confidential_case(args,
                                                                                      engine)
    return Rule(f"scope {name} on the case", check)


def any_of(*rules: Rule) -> Rule:
    names = " or ".join(rule.name for rule in rules)
    return Rule(names, lambda p, a, e: any(rule.allows(p, a, e) for rule in rules),
                hides=all(rule.hides for rule in rules))


def access(rule: Rule) -> Callable[[View], View]:
    """Declare who may call the decorated view."""
    def declare(view: View) -> View:
        setattr(view, ACCESS_ATTRIBUTE, rule)
        return view
    return declare


def rule_for(app: Flask, endpoint: str | None) -> Rule | None:
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, ACCESS_ATTRIBUTE, None) if view is not None else None


def current_principal() -> Principal:
    return g.get("principal") or ANONYMOUS


def enforce() -> None:
    """Check the endpoint's rule for the current principal (a before_request hook)."""
    if request.endpoint is None:  # no route matched: the 404 handler answers
        return
    rule = rule_for(current_app, request.endpoint)
    principal = current_principal()
    if rule is None:
        log.warning("route without access rule refused endpoint=%s", request.endpoint)
        abort(403)
    engine = current_app.extensions["sloyfe"]
    if rule.allows(principal, request.view_args or {}, engine):
        return
    if not principal.authenticated:
        abort(401)
    abort(404 if rule.hides else 403)
