"""Bokmål for Click's own texts (usage errors, help headings) through the project catalog.

Click looks up its texts with the standard library's gettext; the `sloyfe` command points
those lookups at the project catalog instead, so "Missing option" reads "Mangler valget".
The msgids are listed here so catalog extraction keeps them.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

from engine.i18n import N_, _catalog, current_locale

CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Positional arguments"),
    N_("Show this message and exit."), N_("Error: {message}"),
    N_("Try '{command} {option}' for help."), N_("Missing argument"), N_("Missing option"),
    N_("Missing parameter"), N_("Missing command."), N_("No such option {name!r}."),
    N_("No such command {name!r}."), N_("Invalid value for {param_hint}: {message}"),
    N_("Invalid value: {message}"), N_("{name} {filename!r} does not exist."), N_("file"),
    N_("directory"), N_("path"), N_("Choose from:\n\t{choices}"),
    N_("{value!r} is not a valid {number_type}."), N_("Aborted!"),
    N_("{value!r} is not one of {choices}."), N_("{value!r} is not {choice}."),
)

_CLICK_MODULES = (click.core, click.decorators, click.exceptions, click.formatting,
                  click.parser, click.types)


def _plain_gettext(message: str) -> str:
    return _catalog(current_locale()).gettext(message)


def _plain_ngettext(singular: str, plural: str, count: int) -> str:
    return _catalog(current_locale()).ngettext(singular, plural, count)


def install() -> None:
    """Make Click translate its texts with the project catalog and current locale."""
    for module in _CLICK_MODULES:
        if hasattr(module, "_"):
            module._ = _plain_gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _plain_ngettext  # type: ignore[attr-defined]
