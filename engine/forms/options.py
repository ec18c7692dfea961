"""Options of radio, select, checklist and taglist fields: static `values` or `valuesKey`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.forms.components import ChoiceField, Option
from engine.i18n import gettext as _

_SCALARS = (str, int, float, bool)


def parse_options(raw: Mapping[str, Any]) -> tuple[tuple[Option, ...], str | None, list[str]]:
    """Read `values` and `valuesKey` at deploy time; return (options, values key, problems)."""
    values_key = raw.get("valuesKey")
    if values_key is not None and (not isinstance(values_key, str) or not values_key.strip()):
        return (), None, [_("valuesKey must be the name of a process variable.")]
    if values_key:
        return (), values_key, []

    values = raw.get("values")
    if values is None:
        if raw.get("valuesExpression"):
            return (), None, [_("Options from an expression (valuesExpression) are not "
                                "supported. Use static values or valuesKey.")]
        return (), None, [_("The field has no options. Add static values, or set valuesKey "
                            "to take the options from a process variable.")]
    if not isinstance(values, list):
        return (), None, [_("The values of the field must be a list of options.")]
    if not values:
        return (), None, [_("The list of options is empty. Add at least one option.")]

    problems: list[str] = []
    options: list[Option] = []
    seen: set[str] = set()
    for entry in values:
        option = _option(entry)
        if option is None:
            problems.append(_("Each option needs a label and a value that is text or a number."))
            continue
        if _text(option.value) in seen:
            problems.append(_("The option value %(value)s appears more than once.",
                              value=option.value))
            continue
        seen.add(_text(option.value))
        options.append(option)
    return tuple(options), None, problems


def resolve_options(field: ChoiceField,
                    supplied: Mapping[str, list[Any]] | None) -> tuple[Option, ...]:
    """Return the field's options; a `valuesKey` field takes them from `supplied`.

    A valuesKey that `supplied` lacks gives no options, so every non-blank value is rejected.
    """
    if field.values_key is None:
        return field.values
    entries = (supplied or {}).get(field.values_key) or []
    options = (_option(entry) for entry in entries)
    return tuple(option for option in options if option is not None)


def find_option(options: tuple[Option, ...], value: Any) -> Option | None:
    """Find the option for a submitted value; an HTML post gives every value as a string."""
    for option in options:
        if type(option.value) is type(value) and option.value == value:
            return option
    if isinstance(value, bool):
        return None
    text = _text(value)
    for option in options:
        if not isinstance(option.value, bool) and _text(option.value) == text:
            return option
    return None


def option_text(value: Any) -> str:
    """Spell an option value the way the HTML form posts it."""
    return _text(value)


def _option(entry: Any) -> Option | None:
    if isinstance(entry, Mapping):
        value = entry.get("value")
        label = entry.get("label")
        if not isinstance(value, _SCALARS) or value == "":
            return None
        return Option(label=str(label) if label not in (None, "") else _text(value), value=value)
    if isinstance(entry, _SCALARS):
        return Option(label=_text(entry), value=entry)
    return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
