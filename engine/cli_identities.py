"""sloyfe user commands for log-in: link provider accounts, deactivate and activate users."""

from __future__ import annotations

import re
from typing import Any

import click

from engine.cli import fail, handle_errors, pass_state
from engine.cli_organisation import user
from engine.i18n import gettext as _
from engine.i18n import ngettext
from engine.oidc.claims import stored_subject
from engine.oidc.settings import (
    NATIONAL_ID_CLAIM,
    ProviderSettings,
    ProviderSettingsInvalid,
    parse_providers,
)

_NATIONAL_ID = re.compile(r"\d{11}")


def _provider(engine: Any, key: str) -> ProviderSettings:
    try:
        providers = parse_providers(engine.config)
    except ProviderSettingsInvalid as error:
        fail(str(error), code=2)
    settings = providers.get(key)
    if settings is None:
        known = ", ".join(providers) or _("none")
        fail(_("No log-in provider has the key %(key)s. Configured in OIDC_PROVIDERS: "
               "%(known)s.", key=key, known=known), code=2)
    return settings  # type: ignore[return-value]


def _read_subject(settings: ProviderSettings) -> str:
    """Prompt for the subject without echo, so a national identity number stays out of the
    terminal and the shell history; a pipe on stdin works too."""
    if settings.claims.subject == NATIONAL_ID_CLAIM:
        value = click.prompt(_("National identity number (11 digits)"), hide_input=True)
        value = str(value).strip()
        if not _NATIONAL_ID.fullmatch(value):
            fail(_("A national identity number has 11 digits. Nothing was linked."), code=2)
        return value
    value = click.prompt(_("Value of the %(claim)s claim", claim=settings.claims.subject),
                         hide_input=settings.claims.hash_subject)
    return str(value).strip()


@user.command("link", help=_("Link an account at an OpenID Connect provider to a user. The "
                             "subject is asked for, without echo."))
@click.argument("username")
@click.argument("provider")
@pass_state
@handle_errors
def user_link(state: Any, username: str, provider: str) -> None:
    engine = state.engine
    settings = _provider(engine, provider)
    subject = stored_subject(settings, _read_subject(settings),
                             str(engine.config.get("OIDC_SUBJECT_HASH_KEY") or ""))
    engine.identities.link(username, settings.key, settings.issuer, subject, actor="cli")
    click.echo(_("%(user)s can log in with %(provider)s.", user=username,
                 provider=settings.name))


@user.command("unlink", help=_("Remove a user's links to a provider."))
@click.argument("username")
@click.argument("provider")
@pass_state
@handle_errors
def user_unlink(state: Any, username: str, provider: str) -> None:
    engine = state.engine
    settings = _provider(engine, provider)
    removed = engine.identities.unlink(username, settings.key, settings.issuer, actor="cli")
    click.echo(ngettext("%(num)s link of %(user)s to %(provider)s removed.",
                        "%(num)s links of %(user)s to %(provider)s removed.", removed,
                        user=username, provider=settings.name))


@user.command("deactivate", help=_("Stop a user from logging in, by any method."))
@click.argument("username")
@pass_state
@handle_errors
def user_deactivate(state: Any, username: str) -> None:
    state.engine.organisation.set_active(username, False, actor="cli")
    click.echo(_("%(user)s is deactivated.", user=username))


@user.command("activate", help=_("Let a deactivated user log in again."))
@click.argument("username")
@pass_state
@handle_errors
def user_activate(state: Any, username: str) -> None:
    state.engine.organisation.set_active(username, True, actor="cli")
    click.echo(_("%(user)s is active.", user=username))
