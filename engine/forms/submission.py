"""Turn an HTML form post into nested values, and handle the add-row and remove-row buttons.

Input names are data paths: "tittel", "prosjekt.navn", "tiltak[0].frist". A date-time field
posts two inputs, "<path>:date" and "<path>:time". Each row of a dynamic list also posts an
empty input named after the row, "tiltak[0]", so the server sees rows whose fields post
nothing. Without JavaScript, adding or removing a
row of a dynamic list is a round trip: the button posts `_action=add:<list path>` or
`_action=remove:<list path>:<row index>`, and the caller renders the form again with
`apply_list_action(...)` applied to `submitted_values(...)`, without validating.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.forms.components import (
    CheckboxField,
    ChoiceField,
    Component,
    DateTimeField,
    DynamicList,
    Field,
    FormSpec,
    scope_members,
)
from engine.forms.fields import is_blank
from engine.forms.options import option_text
from engine.forms.values import DateTimeParts, format_date, format_number

ACTION_FIELD = "_action"
# Rows one dynamic list accepts in a submission; more are rejected, so a forged post cannot
# make the server build a huge list.
MAX_ROWS = 200
_MISSING = object()
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass(frozen=True)
class ListAction:
    kind: str  # "add" or "remove"
    path: str  # data path of the list, with row numbers: "tiltak" or "tiltak[0].oppgaver"
    index: int | None = None


@dataclass(frozen=True)
class RowChange:
    """The values after an add-row or remove-row button, and where the keyboard goes next."""

    values: dict[str, Any]
    # Data path of the row whose first input gets focus ("tiltak[2]"), or of the list itself
    # when it has no rows left.
    focus: str


def submitted_values(form: FormSpec, raw: Any,
                     initial: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Collect the posted strings of every field into nested data, for validation and re-render.

    Unknown names are ignored. Disabled and read-only fields take their value from `initial`
    (the data the form was shown with), because a post must not change them. Every posted
    row of a dynamic list is kept, blank or not, so a re-rendered form shows each row the
    user had. A list without add and remove buttons also keeps every row of `initial`, since
    a row that has only read-only fields or unchosen radio buttons posts no input.
    """
    return _collect(form.components, raw, "", initial or {})


def _collect(components: tuple[Component, ...], raw: Any, prefix: str,
             initial: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for path, member in scope_members(components):
        name = prefix + ".".join(path)
        if isinstance(member, DynamicList):
            initial_rows = get_path(initial, path)
            fixed_rows = 0
            if not member.allow_add_remove and isinstance(initial_rows, list):
                fixed_rows = len(initial_rows)
            # NOTE: read-only values of a row are matched to `initial` by row number. In a
            # list with add and remove buttons, removing a row shifts the rows after it, so
            # their read-only values would come from the wrong stored row. No shipped form
            # has read-only fields in such a list.
            rows = [_collect(member.components, raw, f"{name}[{index}].",
                             _row(initial_rows, index))
                    for index in _row_indexes(raw, name, fixed_rows)]
            set_path(data, path, rows)
        elif not member.is_editable:
            value = get_path(initial, path)
            if value is not _MISSING:
                set_path(data, path, value)
        else:
            set_path(data, path, _posted(member, raw, name))
    return data


def _row(rows: Any, index: int) -> Mapping[str, Any]:
    if isinstance(rows, list) and index < len(rows) and isinstance(rows[index], Mapping):
        return rows[index]
    return {}


def _getlist(raw: Any, name: str) -> list[str]:
    if hasattr(raw, "getlist"):
        return [value for value in raw.getlist(name) if isinstance(value, str)]
    value = raw.get(name)
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return [value] if isinstance(value, str) else []


def _posted(field: Field, raw: Any, name: str) -> Any:
    if isinstance(field, CheckboxField):
        return any(value.strip().lower() in ("true", "on", "1", "yes")
                   for value in _getlist(raw, name))
    if isinstance(field, ChoiceField) and field.multiple:
        return [value for value in _getlist(raw, name) if value.strip()]
    if isinstance(field, DateTimeField) and field.subtype == "datetime" \
            and not _getlist(raw, name):
        return DateTimeParts(date=_first(raw, f"{name}:date"), time=_first(raw, f"{name}:time"))
    values = _getlist(raw, name)
    return values[0] if values else None


def _first(raw: Any, name: str) -> str:
    values = _getlist(raw, name)
    return values[0] if values else ""


def _row_indexes(raw: Any, list_name: str, minimum: int = 0) -> list[int]:
    """Return the row numbers to read: every number up to the highest one posted, and at
    least `minimum` rows.

    Each rendered row posts an empty input named after the row ("tiltak[2]"), so a row
    counts even when none of its fields posts a value. Past MAX_ROWS only the first posted
    row is kept, so that validation reports the excess without the server building one row
    per number in a forged post.
    """
    pattern = re.compile(re.escape(list_name) + r"\[(\d{1,9})\]")
    posted = set(range(min(minimum, MAX_ROWS)))
    for key in raw.keys():
        match = pattern.match(key) if isinstance(key, str) else None
        if match:
            posted.add(int(match.group(1)))
    if not posted:
        return []
    indexes = list(range(min(max(posted) + 1, MAX_ROWS)))
    beyond = sorted(index for index in posted if index >= MAX_ROWS)
    return indexes + beyond[:1]


# --- blank rows ------------------------------------------------------------------------------

def is_untouched_row(dynamic_list: DynamicList, row: Mapping[str, Any]) -> bool:
    """Return True when every value of the row, nested rows included, is blank or the
    field's default. A read-only value that the row carries from the process counts."""
    for path, member in scope_members(dynamic_list.components):
        value = get_path(row, path)
        if value is _MISSING:
            continue
        if isinstance(member, DynamicList):
            rows = value if isinstance(value, list) else []
            if any(not isinstance(nested, Mapping) or not is_untouched_row(member, nested)
                   for nested in rows):
                return False
        elif not (is_blank(value) or _equals_default(member, value)):
            return False
    return True


def _equals_default(field: Field, value: Any) -> bool:
    default = field.default
    if default is None:
        return False
    if value == default:
        return True
    if isinstance(value, list) and isinstance(default, list):
        return sorted(map(option_text, value)) == sorted(map(option_text, default))
    if isinstance(value, str):
        spellings = {option_text(default), format_number(default), format_date(default)}
        return value.strip() in spellings
    return False


# --- add and remove rows -----------------------------------------------------------------------

def parse_list_action(raw: Any, form: FormSpec) -> ListAction | None:
    """Read `_action` from a post. Return None for a plain submit or an unknown list."""
    values = _getlist(raw, ACTION_FIELD)
    text = values[0] if values else ""
    kind, _, rest = text.partition(":")
    if kind == "add" and rest:
        action = ListAction("add", rest)
    elif kind == "remove" and ":" in rest:
        path, _, index = rest.rpartition(":")
        if not index.isdigit():
            return None
        action = ListAction("remove", path, int(index))
    else:
        return None
    template = re.sub(r"\[\d+\]", "[]", action.path)
    lists = [member for member in _all_lists(form.components) if member.allow_add_remove]
    return action if any(member.data_path == template for member in lists) else None


def _all_lists(components: tuple[Component, ...]) -> list[DynamicList]:
    found: list[DynamicList] = []
    for _, member in scope_members(components):
        if isinstance(member, DynamicList):
            found.append(member)
            found.extend(_all_lists(member.components))
    return found


def change_rows(form: FormSpec, raw: Any,
                initial: Mapping[str, Any] | None = None) -> RowChange | None:
    """Apply the add-row or remove-row button of a post; None for a plain submit.

    Blank rows that were on the page stay, so one press adds exactly one row.
    """
    action = parse_list_action(raw, form)
    if action is None:
        return None
    values = apply_list_action(submitted_values(form, raw, initial), action)
    rows = _list_at(values, action.path)
    count = len(rows) if rows is not None else 0
    if action.kind == "add" and count:
        focus = f"{action.path}[{count - 1}]"
    elif action.kind == "remove" and count:
        focus = f"{action.path}[{min(action.index or 0, count - 1)}]"
    else:
        focus = action.path
    return RowChange(values, focus)


def apply_list_action(values: Mapping[str, Any], action: ListAction) -> dict[str, Any]:
    """Return a copy of `values` with a blank row added to, or one removed from, a list."""
    data = copy.deepcopy(dict(values))
    container = _list_at(data, action.path, create=True)
    if container is None:
        return data
    if action.kind == "add" and len(container) < MAX_ROWS:
        container.append({})
    elif action.kind == "remove" and action.index is not None and action.index < len(container):
        del container[action.index]
    return data


def _list_at(data: dict[str, Any], path: str, create: bool = False) -> list[Any] | None:
    """Return the list at a data path such as "tiltak[0].oppgaver", or None when there is none.

    With `create`, missing lists and objects on the way are added to `data`.
    """
    parts: list[str | int] = [name if name else int(index)
                              for name, index in _PATH_PART.findall(path)]
    container: Any = data
    for part, following in zip(parts, [*parts[1:], None], strict=True):
        default: Any = [] if following is None or isinstance(following, int) else {}
        if isinstance(part, int):
            if not isinstance(container, list) or part >= len(container):
                return None
            container = container[part]
        elif isinstance(container, dict):
            if not isinstance(container.get(part), type(default)):
                if not create:
                    return None
                container[part] = default
            container = container[part]
        else:
            return None
    return container if isinstance(container, list) else None


# --- nested data -------------------------------------------------------------------------------

def get_path(data: Any, path: tuple[str, ...]) -> Any:
    """Return the value at `path` in nested mappings, or the module's missing marker."""
    current = data
    for part in path:
        if not isinstance(current, Mapping) or part not in current:
            return _MISSING
        current = current[part]
    return current


def is_missing(value: Any) -> bool:
    return value is _MISSING


def set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    current = data
    for part in path[:-1]:
        nested = current.get(part)
        if not isinstance(nested, dict):
            nested = current[part] = {}
        current = nested
    current[path[-1]] = value
