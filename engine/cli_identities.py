"""sloyfe user commands for log-in: link provider accounts, deactivate and activate users."""

from __future__ import annotations

import re
from pathlib import Path
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
    subject_hash_key,
)

_NATIONAL_ID = re.compile(r"\d{11}")


def _web_config(engine: Any) -> dict[str, Any]:
    """Return the engine's settings with SECRET_KEY as the web server uses it.

    Without a configured SECRET_KEY the web server generates one in the instance folder, and
    a hashed subject linked here must be hashed with that same key. The file is read but
    never created: a key made here would differ from the server's, and no link would match.
    """
    config = dict(engine.config)
    if config.get("OIDC_SUBJECT_HASH_KEY") or config.get("SECRET_KEY"):
        return config
    from engine.app import load_settings

    key_file = Path(load_settings(engine.config)["INSTANCE_PATH"]) / "secret_key"
    if key_file.is_file():
        config["SECRET_KEY"] = key_file.read_text(encoding="ascii").strip()
    return config


def _provider(config: dict[str, Any], key: str) -> ProviderSettings:
    try:
        providers = parse_providers(config)
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
                             "value of the subject claim is asked for, without echo when the "
                             "provider hashes it."))
@click.argument("username")
@click.argument("provider")
@pass_state
@handle_errors
def user_link(state: Any, username: str, provider: str) -> None:
    engine = state.engine
    config = _web_config(engine)
    settings = _provider(config, provider)
    subject = stored_subject(settings, _read_subject(settings), subject_hash_key(config))
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
    settings = _provider(_web_config(engine), provider)
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
