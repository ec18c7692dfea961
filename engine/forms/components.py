"""The typed component tree of a parsed form-js form.

Data paths: a field's `key` may contain dots ("adresse.poststed"), a group's `path` nests its
fields one object deeper, and a dynamic list's `path` contains a list of row objects. A field's
`data_path` spells the whole way from the root, with `[]` for each list ("tiltak[].frist").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.forms.feel import Condition

TEXT_TYPES = ("textfield", "textarea")
CHOICE_TYPES = ("radio", "select")
MULTI_CHOICE_TYPES = ("checklist", "taglist")
INPUT_TYPES = (*TEXT_TYPES, "number", "datetime", "checkbox", *CHOICE_TYPES, *MULTI_CHOICE_TYPES)
LAYOUT_TYPES = ("text", "separator", "spacer")
CONTAINER_TYPES = ("group", "dynamiclist")
# form-js writes buttons into forms; the caller renders the one submit button instead.
IGNORED_TYPES = ("button",)


@dataclass(frozen=True, kw_only=True)
class Component:
    """One entry of a form's `components` list."""

    type: str
    id: str
    label: str = ""
    description: str = ""
    hide: Condition | None = None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Text(Component):
    """Display text written in Markdown."""

    text: str = ""


@dataclass(frozen=True, kw_only=True)
class Layout(Component):
    """A separator or spacer; `height` is the spacer's height in pixels."""

    height: int | None = None


@dataclass(frozen=True)
class Option:
    label: str
    value: Any


@dataclass(frozen=True, kw_only=True)
class Rules:
    """The `validate` block of an input field."""

    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    validation_type: str | None = None  # "email" or "phone"


@dataclass(frozen=True, kw_only=True)
class Field(Component):
    """An input whose value is stored under `key`; `key_path` is the key split at dots.

    `key_path` is relative to the enclosing group path, `data_path` spells it from the root.
    """

    key: str
    key_path: tuple[str, ...]
    data_path: str
    default: Any = None
    disabled: bool = False
    readonly: bool | Condition = False
    rules: Rules = field(default_factory=Rules)
    prefix: str = ""
    suffix: str = ""

    @property
    def required(self) -> bool:
        return self.rules.required

    @property
    def is_editable(self) -> bool:
        """False for disabled fields and fields that are always read-only."""
        return not self.disabled and self.readonly is not True


@dataclass(frozen=True, kw_only=True)
class TextField(Field):
    """A textfield or textarea."""


@dataclass(frozen=True, kw_only=True)
class NumberField(Field):
    decimal_digits: int | None = None
    increment: Decimal | None = None
    serialize_to_string: bool = False


@dataclass(frozen=True, kw_only=True)
class DateTimeField(Field):
    subtype: str = "date"  # "date", "time" or "datetime"
    date_label: str = ""
    time_label: str = ""
    disallow_passed_dates: bool = False
    # Sløyfe's own property `disallowFutureDates`: the date of a past event, at the latest today.
    disallow_future_dates: bool = False


@dataclass(frozen=True, kw_only=True)
class CheckboxField(Field):
    pass


@dataclass(frozen=True, kw_only=True)
class ChoiceField(Field):
    """A radio, select, checklist or taglist; options come from `values` or from `values_key`."""

    values: tuple[Option, ...] = ()
    values_key: str | None = None

    @property
    def multiple(self) -> bool:
        return self.type in MULTI_CHOICE_TYPES


@dataclass(frozen=True, kw_only=True)
class Group(Component):
    """A group; with a `path`, its fields are stored in a nested object."""

    components: tuple[Component, ...] = ()
    path: tuple[str, ...] = ()
    show_outline: bool = True


@dataclass(frozen=True, kw_only=True)
class DynamicList(Group):
    """Repeated rows, stored as a list of objects under `path`."""

    data_path: str = ""
    default_repetitions: int = 1
    allow_add_remove: bool = True


@dataclass(frozen=True)
class FormSpec:
    id: str
    components: tuple[Component, ...]
    schema_version: int | None = None
    file_name: str = ""

    def fields(self) -> list[Field]:
        """Return every input field, depth first, with lists and groups flattened."""
        return list(iter_fields(self.components))


def iter_fields(components: tuple[Component, ...]) -> Iterator[Field]:
    for component in components:
        if isinstance(component, Field):
            yield component
        elif isinstance(component, Group):
            yield from iter_fields(component.components)


Member = Field | DynamicList


def scope_members(components: tuple[Component, ...],
                  visible: Callable[[Component], bool] | None = None,
                  base: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Member]]:
    """Yield the fields and dynamic lists stored in one data object, with their paths in it.

    The walk goes through groups, and a group path extends the paths below it. A dynamic list
    is yielded itself, because its rows are data objects of their own. A component for which
    `visible` returns False is skipped together with everything inside it.
    """
    for component in components:
        if visible is not None and not visible(component):
            continue
        if isinstance(component, DynamicList):
            yield base + component.path, component
        elif isinstance(component, Group):
            yield from scope_members(component.components, visible, base + component.path)
        elif isinstance(component, Field):
            yield base + component.key_path, component


def join_path(parts: tuple[str | int, ...]) -> str:
    """Spell a data path: ("tiltak", 1, "frist") gives "tiltak[1].frist"."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
