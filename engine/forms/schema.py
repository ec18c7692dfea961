"""Validate a form submission with marshmallow schemas built from the form's components.

Each data object of the form (the root, and every row of a dynamic list) gets a schema of
the fields that are visible and editable in it. Visibility is decided first, by evaluating
the `conditional.hide` conditions against a lenient reading of all submitted values. So a
field that the user's own input hides is neither required nor stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError
from marshmallow import fields as ma_fields

from engine.forms.components import (
    Component,
    DynamicList,
    Field,
    FormSpec,
    join_path,
    scope_members,
)
from engine.forms.feel import Condition
from engine.forms.fields import value_field
from engine.forms.submission import (
    MAX_ROWS,
    get_path,
    is_missing,
    is_untouched_row,
    set_path,
    submitted_values,
)
from engine.forms.values import today_in_norway
from engine.i18n import gettext as _
from engine.i18n import ngettext

Errors = dict[str, list[str]]
SOURCES = ("html", "json")


def validate_submission(form: FormSpec, raw: Mapping[str, Any], *,
                        options: Mapping[str, list[dict[str, Any]]] | None = None,
                        source: str = "html", context: Mapping[str, Any] | None = None,
                        today: date | None = None) -> tuple[dict[str, Any], Errors]:
    """Check a submission against `form` and return (clean data, errors by data path).

    `raw` is the posted MultiDict for source "html", or a JSON object for source "json".
    `options` contains the choices of `valuesKey` fields. `context` contains process variables
    that hide conditions may read, and submitted values take precedence over them. For source
    "html" it is also the data the form was shown with, which supplies the read-only fields
    and the rows of a list without add and remove buttons. `today` is the date that
    `disallowPassedDates` and `disallowFutureDates` compare with (today in Norway by default).
    Clean data holds only the visible, editable fields of the form; errors are empty when
    the submission is valid. The empty path "" marks an error with the submission as a whole.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, not {source!r}")
    if source == "html":
        data: Mapping[str, Any] = submitted_values(form, raw, initial=context)
    elif isinstance(raw, Mapping):
        data = raw
    else:
        return {}, {"": [_("Give the form values as a JSON object.")]}

    checker = _Checker(source, options, today or today_in_norway())
    preview = checker.check(form.components, data, (), _Local({}, None, ()), lenient=True)[0]
    root = {**(context or {}), **preview}
    clean, errors = checker.check(form.components, data, (), _Local(root, None, ()),
                                  lenient=False)
    return clean, errors


class _Local:
    """The names a condition can read: the form data, plus `this`, `parent` and `i` in a row."""

    def __init__(self, root: Mapping[str, Any], row: Mapping[str, Any] | None,
                 indexes: tuple[int, ...], parent: _Local | None = None) -> None:
        self.root = root
        self.row = row
        self.indexes = indexes
        self.parent = parent

    def scope(self) -> dict[str, Any]:
        this = self.row if self.row is not None else self.root
        parent = None
        if self.parent is not None:
            parent = self.parent.row if self.parent.row is not None else self.parent.root
        specials = {"this": this, "parent": parent, "i": list(self.indexes)}
        return {**specials, **self.root,
                **{f"_{name}_": value for name, value in specials.items()}}

    def nested(self, row: Mapping[str, Any], number: int) -> _Local:
        return _Local(self.root, row, (*self.indexes, number), parent=self)

    def is_true(self, condition: Condition) -> bool:
        return condition.is_true(self.scope())


class _Checker:
    def __init__(self, source: str, options: Mapping[str, list[Any]] | None,
                 today: date) -> None:
        self.source = source
        self.options = options
        self.today = today

    def check(self, components: tuple[Component, ...], data: Mapping[str, Any],
              location: tuple[str | int, ...], local: _Local, *,
              lenient: bool) -> tuple[dict[str, Any], Errors]:
        """Load one data object and return its clean values and errors.

        In lenient mode every editable field counts as visible and an invalid value becomes
        None. The hide conditions read that lenient result.
        """
        def visible(component: Component) -> bool:
            return lenient or component.hide is None or not local.is_true(component.hide)

        def editable(field: Field) -> bool:
            if field.disabled or field.readonly is True:
                return False
            if isinstance(field.readonly, Condition):
                return lenient or not local.is_true(field.readonly)
            return True

        members = list(scope_members(components, visible))
        fields = [(path, member) for path, member in members
                  if isinstance(member, Field) and editable(member)]
        clean, errors = self._load_fields(fields, data, location, lenient=lenient)

        preview_rows = {path: get_path(local.row if local.row is not None else local.root,
                                       path) for path, _ in members}
        for path, member in members:
            if isinstance(member, DynamicList):
                rows, row_errors = self._check_list(member, get_path(data, path),
                                                    (*location, *path), local,
                                                    preview_rows[path], lenient=lenient)
                set_path(clean, path, rows)
                errors.update(row_errors)
        return clean, errors

    def _load_fields(self, fields: list[tuple[tuple[str, ...], Field]], data: Mapping[str, Any],
                     location: tuple[str | int, ...], *,
                     lenient: bool) -> tuple[dict[str, Any], Errors]:
        declared: dict[str, ma_fields.Field] = {}
        flat: dict[str, Any] = {}
        for number, (path, field) in enumerate(fields):
            name = f"field{number}"
            declared[name] = value_field(field, source=self.source, options=self.options,
                                         today=self.today)
            value = get_path(data, path)
            if is_missing(value):
                value = field.default if self.source == "json" else None
            flat[name] = value

        schema = Schema.from_dict(declared, name="FormScopeSchema")()
        try:
            loaded, messages = schema.load(flat), {}
        except ValidationError as error:
            loaded = error.valid_data if isinstance(error.valid_data, dict) else {}
            messages = error.messages if isinstance(error.messages, dict) else {}

        clean: dict[str, Any] = {}
        errors: Errors = {}
        for number, (path, _field) in enumerate(fields):
            name = f"field{number}"
            if name in messages and not lenient:
                errors[join_path((*location, *path))] = _message_list(messages[name])
            elif name in loaded or lenient:
                set_path(clean, path, loaded.get(name))
        return clean, errors

    def _check_list(self, dynamic_list: DynamicList, value: Any, location: tuple[str | int, ...],
                    local: _Local, preview_rows: Any, *,
                    lenient: bool) -> tuple[list[dict[str, Any]], Errors]:
        if is_missing(value) or value is None:
            return [], {}
        here = join_path(location)
        if not isinstance(value, list):
            return [], {} if lenient else {here: [_("Give the rows as a list of objects.")]}
        rows = value
        if len(rows) > MAX_ROWS and not lenient:
            return [], {here: [ngettext("The list can have at most %(num)s row. Remove rows.",
                                        "The list can have at most %(num)s rows. Remove rows.",
                                        MAX_ROWS)]}
        blank = [isinstance(row, Mapping) and is_untouched_row(dynamic_list, row)
                 for row in rows]
        if dynamic_list.allow_add_remove and all(blank):
            # Nothing was typed into the list, not even into the rows the form shows by
            # default, so the list is stored empty.
            return [], {}

        clean_rows: list[dict[str, Any]] = []
        errors: Errors = {}
        for index, row in enumerate(rows[:MAX_ROWS]):
            row_location = (*location, index)
            if not isinstance(row, Mapping):
                if lenient:
                    clean_rows.append({})  # keeps preview rows aligned with submitted rows
                else:
                    errors[join_path(row_location)] = [_("Give each row as an object.")]
                continue
            if blank[index] and dynamic_list.allow_add_remove and not lenient:
                # A blank row among filled ones is reported, never dropped: the user
                # decides whether it was meant to hold something.
                errors[join_path(row_location)] = [_(
                    "Row %(number)s is empty. Fill it in or remove the row.", number=index + 1)]
                continue
            preview_row = preview_rows[index] if isinstance(preview_rows, list) \
                and index < len(preview_rows) else {}
            row_local = local.nested(preview_row, index + 1)
            row_clean, row_errors = self.check(dynamic_list.components, row, row_location,
                                               row_local, lenient=lenient)
            clean_rows.append(row_clean)
            errors.update(row_errors)
        return clean_rows, errors


def _message_list(messages: Any) -> list[str]:
    if isinstance(messages, list):
        return [str(message) for message in messages]
    return [str(messages)]
