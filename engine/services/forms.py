"""Forms as the services use them: the parsed form of a task, its choices, and validation."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from engine.errors import FormValidationFailed
from engine.models import FormDefinition, ProcessDefinition
from engine.runtime.timeexpr import OSLO
from engine.services.base import Service


class FormService(Service):
    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self._cache: OrderedDict[int, Any] = OrderedDict()
        self._lock = threading.Lock()

    def spec(self, record: FormDefinition) -> Any:
        """The parsed form of a stored form version, cached by its row id."""
        from engine.forms.model import parse_form

        with self._lock:
            cached = self._cache.get(record.id)
            if cached is not None:
                return cached
        parsed = parse_form(record.schema, record.file_name)
        with self._lock:
            self._cache[record.id] = parsed
            while len(self._cache) > 512:
                self._cache.popitem(last=False)
        return parsed

    def start_form(self, definition: ProcessDefinition) -> Any | None:
        """The parsed start form of a process version, or None when it has none."""
        if not definition.start_form_ref:
            return None
        return self.spec(self.engine.repository.form_for(definition, definition.start_form_ref))

    def options(self, form: Any, variables: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """Choices for components with `valuesKey`: from the process data, else built in.

        Built-in keys: `enheter` (all units of kind enhet), `brukere` (the personal accounts
        the field's `brukerutvalg` allows, see engine/forms/options.py), and any setting
        named `skjemaverdier.<key>`.
        """
        from engine.forms.options import PEOPLE_KEY, options_key, people_options

        options: dict[str, list[dict[str, Any]]] = {}
        for field in form.fields():
            key = getattr(field, "values_key", None)
            if not key or options_key(field) in options:
                continue
            value = variables.get(key)
            if isinstance(value, list):
                options[options_key(field)] = [_option(item) for item in value]
            elif key == PEOPLE_KEY:
                options[options_key(field)] = people_options(self.engine, field, variables)
            else:
                options[key] = self._built_in(key)
        return options

    def _built_in(self, key: str) -> list[dict[str, Any]]:
        organisation = self.engine.organisation
        if key == "enheter":
            return [{"label": unit.name, "value": unit.code}
                    for unit in organisation.units(kind="enhet")]
        configured = self.engine.repository.setting(f"skjemaverdier.{key}")
        if isinstance(configured, list):
            return [_option(item) for item in configured]
        return []

    def validate(self, form: Any, raw: Mapping[str, Any], variables: Mapping[str, Any],
                 source: str) -> dict[str, Any]:
        """Return the clean values, or raise FormValidationFailed keeping what was sent."""
        from engine.forms.schema import validate_submission

        clean, errors = validate_submission(form, raw, options=self.options(form, variables),
                                            source=source, context=dict(variables),
                                            today=self.engine.clock.now().astimezone(OSLO).date())
        if errors:
            raise FormValidationFailed(errors, values=_plain_values(raw))
        return clean

    def check_message_dates(self, form: Any, payload: Mapping[str, Any]) -> None:
        """Reject a message that starts a process with a date in the future where the start
        form marks the field `disallowFutureDates`, raising FormValidationFailed.

        A message skips the start form, because its data need not have the form's shape, so
        only these dates are checked, and only the ones the message contains.
        """
        from marshmallow import ValidationError

        from engine.forms.components import DateTimeField
        from engine.forms.fields import DateTimeValue
        from engine.forms.submission import get_path, is_missing

        today = self.engine.clock.now().astimezone(OSLO).date()
        errors: dict[str, list[str]] = {}
        for field in form.fields():
            if not isinstance(field, DateTimeField) or not field.disallow_future_dates:
                continue
            if "[]" in field.data_path:
                continue  # NOTE: a date inside a list row is not checked in a message.
            value = get_path(payload, tuple(field.data_path.split(".")))
            if is_missing(value) or value in (None, ""):
                continue
            try:
                DateTimeValue(field, source="json", today=today).deserialize(value)
            except ValidationError as error:
                messages = error.messages
                errors[field.data_path] = list(messages) if isinstance(messages, list) \
                    else [str(messages)]
        if errors:
            raise FormValidationFailed(errors, values=_plain_values(payload))


def _option(item: Any) -> dict[str, Any]:
    if isinstance(item, dict) and "value" in item:
        return {"label": str(item.get("label", item["value"])), "value": item["value"]}
    return {"label": str(item), "value": item}


def _plain_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    getlist = getattr(raw, "getlist", None)
    if getlist is None:
        return dict(raw)
    return {key: (values if len(values) > 1 else values[0])
            for key in raw.keys() for values in [getlist(key)]}
