"""The read-only view of submitted form values, for case history: labels and display text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.forms.components import (
    CheckboxField,
    ChoiceField,
    Component,
    DateTimeField,
    DynamicList,
    Field,
    FormSpec,
    Group,
    NumberField,
)
from engine.forms.options import find_option, resolve_options
from engine.forms.submission import get_path, is_missing
from engine.forms.values import format_date, format_number, format_time, split_datetime
from engine.i18n import gettext as _


@dataclass
class SummaryItem:
    """A term and its description; a group has `children`, a dynamic list has `rows`."""

    label: str
    text: str = ""
    children: list[SummaryItem] = field(default_factory=list)
    rows: list[list[SummaryItem]] | None = None


def summary_items(form: FormSpec, values: Mapping[str, Any],
                  options: Mapping[str, list[dict[str, Any]]] | None) -> list[SummaryItem]:
    """List the form's fields with their values, leaving out those hidden by a condition."""
    return _items(form.components, values, values, None, options)


def _items(components: tuple[Component, ...], data: Mapping[str, Any], root: Mapping[str, Any],
           parent: Mapping[str, Any] | None,
           options: Mapping[str, list[dict[str, Any]]] | None) -> list[SummaryItem]:
    scope = {"this": data, "parent": parent, **root, "_this_": data, "_parent_": parent}
    items: list[SummaryItem] = []
    for component in components:
        if component.hide is not None and component.hide.is_true(scope):
            continue
        if isinstance(component, DynamicList):
            stored = get_path(data, component.path)
            rows = stored if isinstance(stored, list) else []
            if not rows and not _has_editable_field(component.components):
                # A list the form only showed, such as the units' forecasts on the tertial
                # summary, is not part of the submitted data: leave it out like a read-only field.
                continue
            items.append(SummaryItem(component.label, rows=[
                _items(component.components, row, root, data, options)
                for row in rows if isinstance(row, Mapping)]))
        elif isinstance(component, Group):
            stored = get_path(data, component.path) if component.path else data
            inner = stored if isinstance(stored, Mapping) else {}
            children = _items(component.components, inner, root, parent, options)
            if component.label:
                items.append(SummaryItem(component.label, children=children))
            else:
                items.extend(children)
        elif isinstance(component, Field):
            value = get_path(data, component.key_path)
            if is_missing(value) and not component.is_editable:
                # A task's submitted data leaves out the fields its form only showed, so
                # "not filled in" would be wrong for them.
                continue
            items.append(SummaryItem(component.label or component.key,
                                     display_value(component, None if is_missing(value)
                                                   else value, options)))
    return items


def _has_editable_field(components: tuple[Component, ...]) -> bool:
    for component in components:
        if isinstance(component, Group):
            if _has_editable_field(component.components):
                return True
        elif isinstance(component, Field) and component.is_editable:
            return True
    return False


def display_value(component: Field, value: Any,
                  options: Mapping[str, list[dict[str, Any]]] | None) -> str:
    """Spell a stored value for a reader: dates as dd.mm.åååå, options by their labels."""
    if isinstance(component, CheckboxField):
        return _("Yes") if value is True else _("No")
    if value is None or value == "" or value == []:
        return _("Not filled in")
    if isinstance(component, ChoiceField):
        choices = resolve_options(component, options)
        chosen = value if isinstance(value, list) else [value]
        labels = []
        for item in chosen:
            option = find_option(choices, item)
            labels.append(option.label if option else str(item))
        return ", ".join(labels)
    if isinstance(component, DateTimeField):
        if component.subtype == "date":
            return format_date(value)
        if component.subtype == "time":
            return format_time(value)
        parts = split_datetime(value)
        return f"{parts.date} {parts.time}".strip()
    if isinstance(component, NumberField):
        return format_number(value)
    return str(value)
