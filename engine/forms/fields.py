"""Marshmallow fields for form-js components, one class per kind of value.

Each field takes the submitted value (a string from an HTML post, or a typed JSON value),
turns it into the stored value and checks the component's rules. A blank value reaches
`_deserialize` like any other, so `required` is an ordinary validator here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import regex
from marshmallow import ValidationError, fields

from engine.forms.components import (
    ChoiceField,
    DateTimeField,
    Field,
    NumberField,
    TextField,
)
from engine.forms.options import find_option, resolve_options
from engine.forms.values import (
    OSLO,
    DateTimeParts,
    NonexistentDate,
    NonexistentTime,
    local_datetime,
    parse_date,
    parse_datetime,
    parse_number,
    parse_time,
    store_datetime,
)
from engine.i18n import gettext as _
from engine.i18n import ngettext

log = logging.getLogger(__name__)

# A pattern with nested repetition, such as (a+)+$, can backtrack for hours on a short value.
# The `regex` module stops the search after this many seconds instead.
PATTERN_TIMEOUT_SECONDS = 0.1

_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
# A Norwegian number of 8 digits, or an international number that starts with + or 00.
_PHONE = re.compile(r"\d{8}|(?:\+|00)[1-9]\d{6,14}")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_blank(value: Any) -> bool:
    if isinstance(value, DateTimeParts):
        return value.is_blank
    if isinstance(value, str):
        return not value.strip()
    return value is None or value is False or value == []


class FormValue(fields.Field):
    """Base of the form value fields; `source` is "html" or "json"."""

    def __init__(self, component: Field, *, source: str, **kwargs: Any) -> None:
        self.component = component
        self.source = source
        validators: list[Callable[[Any], None]] = [self._check_required, *self.rule_checks()]
        super().__init__(validate=validators, **kwargs)

    def _validate_missing(self, value: Any) -> None:
        """Let None through to `_deserialize`, which turns it into the field's blank value."""

    def rule_checks(self) -> list[Callable[[Any], None]]:
        return []

    def required_message(self) -> str:
        return _("The field is required. Fill it in.")

    def _check_required(self, value: Any) -> None:
        if self.component.required and is_blank(value):
            raise ValidationError(self.required_message())

    def _text(self, value: Any, message: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValidationError(message)
        return value.strip()


class TextValue(FormValue):
    component: TextField

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> str:
        text = self._text(value, _("Give the value as text."))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if _CONTROL_CHARACTERS.search(text):
            raise ValidationError(_("The text contains control characters that are not "
                                    "allowed. Remove them."))
        return text

    def rule_checks(self) -> list[Callable[[Any], None]]:
        rules = self.component.rules
        checks: list[Callable[[Any], None]] = []
        if rules.min_length is not None or rules.max_length is not None:
            checks.append(self._check_length)
        if rules.pattern:
            checks.append(self._check_pattern)
        if rules.validation_type == "email":
            checks.append(self._check_email)
        if rules.validation_type == "phone":
            checks.append(self._check_phone)
        return checks

    def _check_length(self, value: str) -> None:
        rules = self.component.rules
        if not value:
            return
        if rules.min_length is not None and len(value) < rules.min_length:
            raise ValidationError(ngettext("Enter at least %(num)s character.",
                                           "Enter at least %(num)s characters.",
                                           rules.min_length))
        if rules.max_length is not None and len(value) > rules.max_length:
            raise ValidationError(ngettext(
                "Enter at most %(num)s character. You entered %(length)s.",
                "Enter at most %(num)s characters. You entered %(length)s.",
                rules.max_length, length=len(value)))

    def _check_pattern(self, value: str) -> None:
        # form-js tests the pattern with JavaScript's RegExp.test, which searches the value,
        # so a pattern without ^ and $ may match part of it here too.
        if not value:
            return
        try:
            found = regex.search(self.component.rules.pattern or "", value,
                                 timeout=PATTERN_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("form pattern timed out field=%s pattern=%r length=%s",
                        self.component.id, self.component.rules.pattern, len(value))
            raise ValidationError(_(
                "The value could not be checked against the field's format in time. Shorten "
                "the value, or ask the process owner to simplify the field's pattern.")) from None
        if found is None:
            raise ValidationError(_("The value does not have the expected format. Read the "
                                    "help text for the field and correct the value."))

    def _check_email(self, value: str) -> None:
        if value and not _EMAIL.fullmatch(value):
            raise ValidationError(_("Enter a valid e-mail address, for example "
                                    "ola.nordmann@example.no."))

    def _check_phone(self, value: str) -> None:
        if value and not _PHONE.fullmatch(_PHONE_SEPARATORS.sub("", value)):
            raise ValidationError(_("Enter a valid phone number, for example 912 34 567 or "
                                    "+47 912 34 567."))


class NumberValue(FormValue):
    component: NumberField

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> int | float | str | None:
        number = self.to_decimal(value)
        if number is None:
            return None
        if self.component.serialize_to_string:
            return format(number, "f")
        return int(number) if number == number.to_integral_value() else float(number)

    def to_decimal(self, value: Any) -> Decimal | None:
        invalid = _("Enter a number, for example 12 or 12,5. Separate thousands with spaces, "
                    "as in 80 000 000, not with points.")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            raise ValidationError(invalid)
        if isinstance(value, (int, float)) and self.source == "json":
            number = Decimal(str(value))
            if not number.is_finite():
                raise ValidationError(invalid)
            return number
        if not isinstance(value, str):
            raise ValidationError(invalid)
        try:
            return parse_number(value)
        except ValueError:
            raise ValidationError(invalid) from None

    def rule_checks(self) -> list[Callable[[Any], None]]:
        return [self._check_number]

    def _check_number(self, value: Any) -> None:
        if value is None:
            return
        number = Decimal(str(value))
        field, rules = self.component, self.component.rules
        digits = field.decimal_digits
        places = max(0, -int(number.normalize().as_tuple().exponent))
        if digits is not None and places > digits:
            if digits == 0:
                raise ValidationError(_("Enter a whole number."))
            raise ValidationError(ngettext("Enter a number with at most %(num)s decimal.",
                                           "Enter a number with at most %(num)s decimals.",
                                           digits))
        if field.increment is not None and number % field.increment != 0:
            steps = (number / field.increment).to_integral_value(rounding=ROUND_FLOOR)
            lower = steps * field.increment
            raise ValidationError(_(
                "Enter a number in steps of %(step)s. The nearest are %(lower)s and %(upper)s.",
                step=_decimal_text(field.increment), lower=_decimal_text(lower),
                upper=_decimal_text(lower + field.increment)))
        if rules.minimum is not None and number < rules.minimum:
            raise ValidationError(_("Enter %(min)s or more.", min=_decimal_text(rules.minimum)))
        if rules.maximum is not None and number > rules.maximum:
            raise ValidationError(_("Enter %(max)s or less.", max=_decimal_text(rules.maximum)))


def _decimal_text(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text.replace(".", ",")


class DateTimeValue(FormValue):
    """A datetime component of subtype date, time or datetime."""

    component: DateTimeField

    def __init__(self, component: Field, *, source: str, today: date, **kwargs: Any) -> None:
        self.today = today
        super().__init__(component, source=source, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> str | None:
        subtype = self.component.subtype
        if isinstance(value, DateTimeParts) and subtype == "datetime":
            return self._from_parts(value)
        text = self._text(value, self._invalid_message())
        if not text:
            return None
        try:
            if subtype == "date":
                return parse_date(text).isoformat()
            if subtype == "time":
                return parse_time(text).strftime("%H:%M")
            return store_datetime(parse_datetime(text))
        except NonexistentTime:
            raise ValidationError(self._summer_time_message()) from None
        except NonexistentDate:
            raise ValidationError(_nonexistent_date_message(text)) from None
        except ValueError:
            raise ValidationError(self._invalid_message()) from None

    def _from_parts(self, parts: DateTimeParts) -> str | None:
        if parts.is_blank:
            return None
        if not parts.date.strip() or not parts.time.strip():
            raise ValidationError(_("Enter both a date and a time."))
        # Both parts are checked before raising, so one round trip reports both mistakes.
        messages = []
        try:
            day = parse_date(parts.date)
        except NonexistentDate:
            messages.append(_nonexistent_date_message(parts.date))
        except ValueError:
            messages.append(_("Enter a valid date in the form dd.mm.yyyy."))
        try:
            clock_time = parse_time(parts.time)
        except ValueError:
            messages.append(_("Enter a valid time in the form HH:MM, for example 14:30."))
        if messages:
            raise ValidationError(messages)
        try:
            return store_datetime(local_datetime(day, clock_time))
        except NonexistentTime:
            raise ValidationError(self._summer_time_message()) from None

    def _invalid_message(self) -> str:
        if self.component.subtype == "date":
            return _("Enter a valid date in the form dd.mm.yyyy.")
        if self.component.subtype == "time":
            return _("Enter a valid time in the form HH:MM, for example 14:30.")
        if self.source == "json":
            return _("Give the date and time in ISO 8601 form, for example "
                     "2027-03-05T14:30:00+01:00.")
        return _("Enter a valid date and time, for example 05.03.2027 14:30.")

    def _summer_time_message(self) -> str:
        return _("That time does not exist on that day, because the clocks go forward to "
                 "summer time. Choose a time before 02:00 or from 03:00.")

    def rule_checks(self) -> list[Callable[[Any], None]]:
        if self.component.subtype == "time":
            return []
        checks: list[Callable[[Any], None]] = []
        if self.component.disallow_passed_dates:
            checks.append(self._check_not_passed)
        if self.component.disallow_future_dates:
            checks.append(self._check_not_future)
        return checks

    def _check_not_passed(self, value: str | None) -> None:
        if value and parse_date(value[:10]) < self.today:
            raise ValidationError(_("Choose today's date or a later date."))

    def _check_not_future(self, value: str | None) -> None:
        if not value:
            return
        day = self._local_day(value)
        if day > self.today:
            raise ValidationError(_(
                "%(date)s is after today, but «%(label)s» records something that has already "
                "happened. Give today's date or an earlier date.",
                date=day.strftime("%d.%m.%Y"),
                label=self.component.label or self.component.data_path))

    def _local_day(self, value: str) -> date:
        """Return the day in Norway of a stored date or date-time."""
        if self.component.subtype == "date":
            return parse_date(value)
        return datetime.fromisoformat(value).astimezone(OSLO).date()


class BooleanValue(FormValue):
    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> bool:
        if value is None or isinstance(value, bool):
            return bool(value)
        if self.source == "html" and isinstance(value, str):
            return value.strip().lower() in ("true", "on", "1", "yes")
        raise ValidationError(_("Give true or false."))

    def required_message(self) -> str:
        return _("The field is required. Check the box.")


class ChoiceValue(FormValue):
    """One value from the options of a radio or select."""

    component: ChoiceField

    def __init__(self, component: Field, *, source: str,
                 options: Mapping[str, list[Any]] | None, **kwargs: Any) -> None:
        assert isinstance(component, ChoiceField)
        self.options = resolve_options(component, options)
        super().__init__(component, source=source, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> Any:
        if is_blank(value) and value is not False:
            return None
        option = find_option(self.options, value)
        if option is None:
            raise ValidationError(_("Choose one of the options in the list."))
        return option.value

    def required_message(self) -> str:
        return _("The field is required. Choose one of the options.")


class MultipleChoiceValue(ChoiceValue):
    """A list of values from the options of a checklist or taglist."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None,
                     **kwargs: Any) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, str) and self.source == "html":
            value = [value]
        if not isinstance(value, list):
            raise ValidationError(_("Give the values as a list."))
        chosen: list[Any] = []
        for item in value:
            if isinstance(item, str) and not item.strip():
                continue
            option = find_option(self.options, item)
            if option is None:
                raise ValidationError(_("Choose only options from the list."))
            if option.value not in chosen:
                chosen.append(option.value)
        return chosen

    def required_message(self) -> str:
        return _("The field is required. Choose at least one option.")


def value_field(component: Field, *, source: str, options: Mapping[str, list[Any]] | None,
                today: date) -> FormValue:
    """Build the marshmallow field that loads and checks one component's value."""
    if isinstance(component, TextField):
        return TextValue(component, source=source)
    if isinstance(component, NumberField):
        return NumberValue(component, source=source)
    if isinstance(component, DateTimeField):
        return DateTimeValue(component, source=source, today=today)
    if isinstance(component, ChoiceField):
        kind = MultipleChoiceValue if component.multiple else ChoiceValue
        return kind(component, source=source, options=options)
    return BooleanValue(component, source=source)


def _nonexistent_date_message(text: str) -> str:
    return _("The date %(date)s does not exist. Check the day and the month.",
             date=text.strip())
