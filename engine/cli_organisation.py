"""sloyfe commands for the organisation (units, users, groups, roles) and settings."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from engine.cli import emit, fail, handle_errors, main, pass_state
from engine.cli_format import table
from engine.i18n import gettext as _
from engine.models.organisation import ROLES, UNIT_KINDS
from engine.services.organisation_import import CHANGE_LABELS, ImportResult


@main.group(help=_("Units: kommune, tjenesteområde and enhet."))
def unit() -> None:
    pass


@unit.command("add", help=_("Create a unit."))
@click.argument("code")
@click.argument("name")
@click.option("--kind", type=click.Choice(UNIT_KINDS), required=True, help=_("Level in the tree."))
@click.option("--parent", default=None, help=_("Code of the unit above."))
@click.option("--leader", default=None, help=_("User name of the leader."))
@pass_state
@handle_errors
def unit_add(state: Any, code: str, name: str, kind: str, parent: str | None,
             leader: str | None) -> None:
    engine = state.engine
    with engine.transaction():
        engine.organisation.create_unit(code, name, kind, parent, actor="cli")
        if leader:
            engine.organisation.set_leader(code, leader, actor="cli")
    click.echo(_("Unit %(code)s created.", code=code))


@unit.command("set-leader", help=_("Make a user the leader of a unit."))
@click.argument("code")
@click.argument("username")
@pass_state
@handle_errors
def unit_set_leader(state: Any, code: str, username: str) -> None:
    state.engine.organisation.set_leader(code, username, actor="cli")
    click.echo(_("%(user)s leads %(code)s.", user=username, code=code))


@unit.command("list", help=_("List units."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def unit_list(state: Any, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [engine.organisation.unit_summary(u) for u in engine.organisation.units()]
    emit(rows, as_json, lambda rs: table(
        [_("Code"), _("Kind"), _("Above"), _("Leader"), _("Name")],
        [(r["code"], r["kind"], r["parent"], r["leader"], r["name"]) for r in rs]))


@main.group(help=_("Users."))
def user() -> None:
    pass


@user.command("add", help=_("Create a user."))
@click.argument("username")
@click.argument("display_name")
@click.option("--email", default=None, help=_("E-mail address for reminders and outcomes."))
@click.option("--unit", "unit_code", default=None, help=_("Code of the user's home unit."))
@click.option("--password", default=None, help=_("Password for local log-in."))
@pass_state
@handle_errors
def user_add(state: Any, username: str, display_name: str, email: str | None,
             unit_code: str | None, password: str | None) -> None:
    state.engine.organisation.create_user(username, display_name, email=email, unit=unit_code,
                                          password=password, actor="cli")
    click.echo(_("User %(user)s created.", user=username))


@user.command("end-sessions", help=_("Log a user out of every browser at once."))
@click.argument("username")
@pass_state
@handle_errors
def user_end_sessions(state: Any, username: str) -> None:
    state.engine.organisation.end_sessions(username, actor="cli")
    click.echo(_("Every session of %(user)s has ended.", user=username))


@user.command("list", help=_("List users with their groups and roles."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def user_list(state: Any, as_json: bool) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        rows = [engine.organisation.user_summary(u) for u in engine.organisation.users()]
    emit(rows, as_json, lambda rs: table(
        [_("User name"), _("Unit"), _("Roles"), _("Name")],
        [(r["username"], r["unit"], ", ".join(r["roles"]) or None, r["display_name"])
         for r in rs]))


@main.group(help=_("Candidate groups and their members."))
def group() -> None:
    pass


@group.command("add", help=_("Create a group, optionally scoped to a unit."))
@click.argument("key")
@click.argument("name")
@click.option("--unit", "unit_code", default=None, help=_("Code of the unit the group belongs to."))
@pass_state
@handle_errors
def group_add(state: Any, key: str, name: str, unit_code: str | None) -> None:
    state.engine.organisation.create_group(key, name, unit_code, actor="cli")
    click.echo(_("Group %(key)s created.", key=key))


@group.command("add-member", help=_("Add a user to a group (role@unit keys are created)."))
@click.argument("key")
@click.argument("username")
@pass_state
@handle_errors
def group_add_member(state: Any, key: str, username: str) -> None:
    state.engine.organisation.add_member(key, username, actor="cli")
    click.echo(_("%(user)s is a member of %(key)s.", user=username, key=key))


@main.group(help=_("System roles."))
def role() -> None:
    pass


@role.command("grant", help=_("Give a user a role."))
@click.argument("username")
@click.argument("role_name", type=click.Choice(ROLES))
@click.option("--unit", "unit_code", default=None, help=_("Limit the role to one unit."))
@pass_state
@handle_errors
def role_grant(state: Any, username: str, role_name: str, unit_code: str | None) -> None:
    state.engine.organisation.grant_role(username, role_name, unit_code, actor="cli")
    click.echo(_("%(user)s has the role %(role)s.", user=username, role=role_name))


@main.group(help=_("Settings that processes read (deadlines, choices)."))
def settings() -> None:
    pass


@settings.command("get", help=_("Print a setting as JSON."))
@click.argument("key")
@pass_state
@handle_errors
def settings_get(state: Any, key: str) -> None:
    engine = state.engine
    with engine.transaction(read_only=True):
        value = engine.repository.setting(key)
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@settings.command("set", help=_("Store a setting given as JSON."))
@click.argument("key")
@click.argument("value")
@pass_state
@handle_errors
def settings_set(state: Any, key: str, value: str) -> None:
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        fail(_("The value is not valid JSON: %(reason)s.", reason=error.msg), code=2)
    state.engine.repository.set_setting(key, parsed, actor="cli")
    click.echo(_("Setting %(key)s stored.", key=key))


@main.group(help=_("The organisation chart as a whole."))
def organisation() -> None:
    pass


@organisation.command("import", help=_(
    "Import units, users, leaders and group memberships from a CSV file. "
    "Nothing is saved unless every line is valid."))
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help=_("Show what would change without saving."))
@click.option("--deactivate-missing", is_flag=True,
              help=_("Deactivate active users that the file does not list."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def organisation_import(state: Any, file: Any, dry_run: bool, deactivate_missing: bool,
                        as_json: bool) -> None:
    result = state.engine.organisation_import.run(
        file.read(), actor="cli", dry_run=dry_run, deactivate_missing=deactivate_missing)
    if as_json:
        emit(result.to_dict(), True)
    elif result.problems:
        lines = [_("The file has problems; nothing was saved. Correct these lines:")]
        lines += [_("Line %(line)s: %(message)s", line=problem.line, message=problem.message)
                  for problem in result.problems]
        click.echo("\n".join(lines), err=True)
    else:
        click.echo(_import_summary(result))
    if result.problems:
        sys.exit(1)


def _import_summary(result: ImportResult) -> str:
    heading = (_("Dry run: nothing was saved. The import would make these changes:")
               if result.dry_run else _("The organisation chart is imported."))
    lines = [heading]
    for name, label in CHANGE_LABELS.items():
        names = getattr(result, name)
        lines.append(f"  {_(label)}: {len(names)}" + (f" ({', '.join(names)})" if names else ""))
    return "\n".join(lines)
