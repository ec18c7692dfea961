"""Read a field's `validate` block and a number field's settings, reporting invalid ones."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import regex

from engine.forms.components import Rules
from engine.i18n import gettext as _

# A problem text in the current locale; the caller adds file and component.
RuleProblem = str

_LENGTH_TYPES = ("textfield", "textarea")


def parse_rules(raw: Any, kind: str) -> tuple[Rules, list[RuleProblem]]:
    if raw is None:
        return Rules(), []
    if not isinstance(raw, Mapping):
        return Rules(), [_("The validate settings must be a JSON object.")]
    problems: list[RuleProblem] = []

    min_length = _count(raw, "minLength", problems)
    max_length = _count(raw, "maxLength", problems)
    if min_length is not None and max_length is not None and min_length > max_length:
        problems.append(_("The minimum length %(min)s is larger than the maximum length "
                          "%(max)s.", min=min_length, max=max_length))

    minimum = _decimal(raw, "min", problems)
    maximum = _decimal(raw, "max", problems)
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.append(_("The minimum %(min)s is larger than the maximum %(max)s.",
                          min=minimum, max=maximum))

    pattern = raw.get("pattern") or None
    if pattern is not None:
        pattern = _pattern(pattern, problems)

    validation_type = raw.get("validationType") or None
    if validation_type == "custom":  # older form-js marks a pattern rule like this
        validation_type = None
    if validation_type not in (None, "email", "phone"):
        problems.append(_("The validation type %(type)s is not supported. Use email or phone.",
                          type=validation_type))
        validation_type = None

    rules = Rules(
        required=raw.get("required") is True,
        min_length=min_length if kind in _LENGTH_TYPES else None,
        max_length=max_length if kind in _LENGTH_TYPES else None,
        pattern=pattern if kind in _LENGTH_TYPES else None,
        minimum=minimum if kind == "number" else None,
        maximum=maximum if kind == "number" else None,
        validation_type=validation_type if kind in _LENGTH_TYPES else None,
    )
    return rules, problems


def parse_number_settings(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[RuleProblem]]:
    problems: list[RuleProblem] = []
    digits = _count(raw, "decimalDigits", problems)
    increment = _decimal(raw, "increment", problems)
    if increment is not None and increment <= 0:
        problems.append(_("The increment must be a number larger than 0, not %(value)s.",
                          value=increment))
        increment = None
    settings = {
        "decimal_digits": digits,
        "increment": increment,
        "serialize_to_string": raw.get("serializeToString") is True,
    }
    return settings, problems


def _count(raw: Mapping[str, Any], name: str, problems: list[RuleProblem]) -> int | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.append(_("%(name)s must be a whole number of 0 or more, not %(value)s.",
                          name=name, value=value))
        return None
    return value


def _decimal(raw: Mapping[str, Any], name: str, problems: list[RuleProblem]) -> Decimal | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        problems.append(_("%(name)s must be a number, not %(value)s.", name=name, value=value))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        problems.append(_("%(name)s must be a number, not %(value)s.", name=name, value=value))
        return None
    if not number.is_finite():
        problems.append(_("%(name)s must be a number, not %(value)s.", name=name, value=value))
        return None
    return number


def _pattern(pattern: Any, problems: list[RuleProblem]) -> str | None:
    if not isinstance(pattern, str):
        problems.append(_("The pattern must be text."))
        return None
    try:
        regex.compile(pattern)
    except regex.error as error:
        problems.append(_("The pattern %(pattern)s is not a valid regular expression: "
                          "%(reason)s.", pattern=pattern, reason=str(error)))
        return None
    return pattern
