"""Reading a process's settings in handlers: defaults merged with the stored value, and one
incident message for a value that is missing or invalid."""

from __future__ import annotations

from typing import Any

from engine.i18n import gettext as _
from engine.runtime import timeexpr
from engine.runtime.handlers import HandlerContext, HandlerError


def merged(ctx: HandlerContext, setting: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """Return `defaults` with the stored setting's keys on top."""
    return {**defaults, **(ctx.setting(setting) or {})}


def setting_error(setting: str, name: str) -> HandlerError:
    """Build the incident for a missing or invalid `name` in `setting`; a retry cannot help
    until the setting is corrected."""
    return HandlerError(_("The setting %(setting)s has no valid value for %(name)s. Correct "
                          "the setting and retry the incident.", setting=setting, name=name),
                        retry=False)


def duration(setting: str, rules: dict[str, Any], name: str) -> timeexpr.Duration:
    """Parse the ISO 8601 duration `rules[name]`, or raise the setting's incident."""
    try:
        return timeexpr.parse_duration(str(rules[name]))
    except (KeyError, timeexpr.TimeExpressionError):
        raise setting_error(setting, name) from None
