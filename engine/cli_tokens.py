"""sloyfe commands for the API tokens that other systems use on the REST API."""

from __future__ import annotations

from typing import Any

import click

from engine.cli import emit, handle_errors, main, parse_date_option, pass_state
from engine.cli_format import local_time, table
from engine.i18n import gettext as _
from engine.services.tokens import SCOPES

# The name recorded in the audit trail for tokens created and revoked from the command line.
CLI_ACTOR = "cli"


@main.group(help=_("API tokens: keys that let other systems use the REST API."))
def token() -> None:
    pass


@token.command("create", help=_(
    "Create an API token and print it. The token is shown only this once; store it in the "
    "other system's secret store."))
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES),
              help=_("What the token may do; repeat the option for more scopes."))
@click.option("--actor", required=True, help=_(
    "User name the token acts as. The audit trail records this user for what the token does, "
    "so create a user for the system first."))
@click.option("--expires", default=None, help=_(
    "When the token stops working, as an ISO 8601 date or date and time (Oslo time unless an "
    "offset is given). Without it, the token works until it is revoked."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def token_create(state: Any, name: str, scopes: tuple[str, ...], actor: str,
                 expires: str | None, as_json: bool) -> None:
    expires_at = parse_date_option("--expires", expires) if expires else None
    issued = state.engine.tokens.create(name, scopes, actor, created_by=CLI_ACTOR,
                                        expires_at=expires_at)
    data = {**state.engine.tokens.summary(issued.token), "token": issued.secret}
    emit(data, as_json, lambda d: "\n".join([
        _("API token %(id)s created for %(actor)s.", id=d["id"], actor=d["actor"]),
        d["token"],
        _("Copy the token now: it cannot be shown again."),
    ]))




@token.command("list", help=_("List API tokens, without their secrets."))
@click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
@pass_state
@handle_errors
def token_list(state: Any, as_json: bool) -> None:
    tokens = state.engine.tokens
    rows = [tokens.summary(row) for row in tokens.list()]
    emit(rows, as_json, lambda rs: table(
        [_("Id"), _("Name"), _("Start"), _("Acts as"), _("Scopes"), _("Expires"),
         _("Last used"), _("Status")],
        [(r["id"], r["name"], r["prefix"], r["actor"], ", ".join(r["scopes"]),
          local_time(r["expires_at"]), local_time(r["last_used_at"]), _status(r))
         for r in rs]) if rs else _("No API tokens."))


def _status(row: dict[str, Any]) -> str:
    if row["revoked_at"]:
        return _("revoked")
    if not row["valid"]:
        return _("expired")
    return _("valid")


@token.command("revoke", help=_("Revoke an API token at once; systems using it are refused."))
@click.argument("token_id", type=int)
@pass_state
@handle_errors
def token_revoke(state: Any, token_id: int) -> None:
    state.engine.tokens.revoke(token_id, CLI_ACTOR)
    click.echo(_("API token %(id)s is revoked.", id=token_id))
