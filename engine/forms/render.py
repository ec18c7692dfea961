"""Render a form as accessible HTML that works without JavaScript, or its values as a summary.

The Python side turns the component tree, the values and the errors into view objects: ids,
input names, display text and the messages of each field. The Jinja macros in
engine/web/templates/forms/ turn those into markup, and Jinja escapes every value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

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
    Text,
    join_path,
)
from engine.forms.feel import Condition
from engine.forms.markdown import render_markdown
from engine.forms.options import option_text, resolve_options
from engine.forms.submission import ACTION_FIELD, get_path, is_missing, submitted_values
from engine.forms.summary import display_value, summary_items
from engine.forms.values import (
    DateTimeParts,
    format_date,
    format_number,
    format_time,
    split_datetime,
)
from engine.i18n import gettext, ngettext

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "web" / "templates"

_environment = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True,
                           undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_environment.globals.update(_=gettext, gettext=gettext, ngettext=ngettext,
                           action_field=ACTION_FIELD)


@dataclass
class Choice:
    label: str
    value: str
    id: str
    selected: bool


@dataclass
class Node:
    """One component ready for a template; `kind` names the macro that renders it."""

    kind: str
    component: Component
    id: str = ""
    name: str = ""
    label: str = ""
    value: str = ""
    parts: DateTimeParts = field(default_factory=DateTimeParts)
    checked: bool = False
    choices: list[Choice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    hint: bool = False
    readonly: bool = False
    disabled: bool = False
    described_by: str = ""
    html: Markup = field(default_factory=Markup)
    children: list[Node] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    add_action: str = ""
    input_type: str = "text"
    autocomplete: str = ""
    # True for the input that takes focus after a row change. On a dynamic list node, its add
    # button takes focus.
    autofocus: bool = False
    conditional: bool = False  # a hide condition applies to the field or a group around it


@dataclass
class Row:
    number: int
    children: list[Node]
    remove_action: str = ""
    id: str = ""
    # Input name that marks the row as present in a post ("tiltak[2]").
    name: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ErrorLink:
    target: str  # id of the element to focus, "" when there is none
    text: str


def render_form(form: FormSpec, values: Mapping[str, Any],
                errors: Mapping[str, list[str]] | None = None, *,
                options: Mapping[str, list[dict[str, Any]]] | None = None, action: str,
                submit_label: str, csrf_token: str | None = None,
                read_only: bool = False, focus: str = "",
                initial: Mapping[str, Any] | None = None, form_id: str = "") -> Markup:
    """Render `form` with `values`, which are stored data or a posted MultiDict.

    A posted MultiDict has no values for disabled and read-only fields, so they are taken
    from `initial`, the data the form was first shown with. Values posted for them are
    ignored.

    With errors, an error summary opens the form and each message appears beside its field.
    `read_only` renders the values as a definition list for history views instead of a form.
    `focus` is RowChange.focus after an add-row or remove-row button: that row's first input
    gets autofocus, so a keyboard user goes on where they were. `form_id` is the id of the
    form element, for controls elsewhere on the page that post the form (attribute form).
    """
    if hasattr(values, "getlist"):
        values = submitted_values(form, values, initial)
    if read_only:
        items = summary_items(form, values, options)
        return Markup(_environment.get_template("forms/summary.html").render(items=items))

    builder = _Builder(errors or {}, options, focus)
    nodes = builder.nodes(form.components, values, (), values, row=None)
    summary = builder.error_links()
    return Markup(_environment.get_template("forms/form.html").render(
        form=form, nodes=nodes, error_links=summary, action=action, submit_label=submit_label,
        csrf_token=csrf_token, form_id=form_id))


def field_id(path: str) -> str:
    return f"field-{path}"


class _Builder:
    def __init__(self, errors: Mapping[str, list[str]],
                 options: Mapping[str, list[dict[str, Any]]] | None, focus: str) -> None:
        self.errors = {path: list(messages) for path, messages in errors.items() if messages}
        self.options = options
        self.focus = focus
        # How many components with a hide condition enclose the node being built.
        self.conditional_depth = 0
        self.links: list[ErrorLink] = []
        self.linked: set[str] = set()

    def error_links(self) -> list[ErrorLink]:
        leftover = [ErrorLink("", message) for path, messages in self.errors.items()
                    if path not in self.linked for message in messages]
        return self.links + leftover

    def nodes(self, components: tuple[Component, ...], data: Any,
              location: tuple[str | int, ...], root: Mapping[str, Any],
              row: int | None) -> list[Node]:
        nodes: list[Node] = []
        for component in components:
            if component.hide is not None:
                self.conditional_depth += 1
            node = self.node(component, data, location, root, row)
            if component.hide is not None:
                self.conditional_depth -= 1
            if node is not None:
                nodes.append(node)
        return nodes

    def node(self, component: Component, data: Any, location: tuple[str | int, ...],
             root: Mapping[str, Any], row: int | None) -> Node | None:
        if isinstance(component, Text):
            return Node("text", component, html=render_markdown(component.text))
        if isinstance(component, DynamicList):
            return self.dynamic_list(component, data, location, root, row)
        if isinstance(component, Group):
            children = self.nodes(component.components, data, (*location, *component.path),
                                  root, row)
            return Node("group", component, label=component.label, children=children)
        if isinstance(component, Field):
            return self.field(component, data, location, root, row)
        return Node(component.type, component)

    def dynamic_list(self, component: DynamicList, data: Any, location: tuple[str | int, ...],
                     root: Mapping[str, Any], row: int | None) -> Node:
        path = join_path((*location, *component.path))
        stored = get_path(data, _relative(location, component.path))
        rows_data = stored if isinstance(stored, list) else []
        count = len(rows_data) or component.default_repetitions

        label = component.label or component.data_path
        rows = []
        for index in range(count):
            row_data = rows_data[index] if index < len(rows_data) else {}
            children = self.nodes(component.components, row_data, (*location, *component.path,
                                                                    index), root, index + 1)
            remove = f"remove:{path}:{index}" if component.allow_add_remove \
                and index < len(rows_data) else ""
            row_path = f"{path}[{index}]"
            list_row = Row(number=index + 1, children=children, remove_action=remove,
                           id=field_id(row_path), name=row_path)
            self.attach_row_errors(list_row, row_path, label, row)
            rows.append(list_row)

        node = Node("dynamiclist", component, id=field_id(path), label=label,
                    rows=rows, add_action=f"add:{path}" if component.allow_add_remove else "")
        self.attach_errors(node, path, component.label, row)
        self.place_focus(node, path)
        return node

    def attach_row_errors(self, list_row: Row, path: str, list_label: str,
                          outer_row: int | None) -> None:
        """Show the errors of a whole row, such as a blank row, in the row itself.

        The error summary links to the row's first input, or to the row when it has none.
        """
        list_row.errors = self.errors.get(path, [])
        if not list_row.errors:
            return
        self.linked.add(path)
        first = _first_input(list_row.children)
        target = list_row.id if first is None else _focus_target(first)
        name = list_label
        if outer_row is not None:
            name = gettext("%(label)s in row %(number)s", label=name, number=outer_row)
        self.links.extend(ErrorLink(target, f"{name}: {message}")
                          for message in list_row.errors)

    def place_focus(self, node: Node, path: str) -> None:
        """Give autofocus to the first input of the row that `focus` names.

        When `focus` names the list itself and the list has no rows, the add button gets it.
        """
        if not self.focus.startswith(path):
            return
        for index, list_row in enumerate(node.rows):
            if self.focus in (f"{path}[{index}]", path):
                first = _first_input(list_row.children)
                if first is not None:
                    first.autofocus = True
                return
        if self.focus == path and node.add_action:
            node.autofocus = True

    def field(self, component: Field, data: Any, location: tuple[str | int, ...],
              root: Mapping[str, Any], row: int | None) -> Node:
        path = join_path((*location, *component.key_path))
        value = get_path(data, _relative(location, component.key_path))
        if is_missing(value):
            value = component.default
        readonly = component.readonly
        if isinstance(readonly, Condition):
            readonly = readonly.is_true({**root, "this": data})

        node = Node(_kind(component), component, id=field_id(path), name=path,
                    label=component.label or component.key, readonly=bool(readonly),
                    disabled=component.disabled, conditional=self.conditional_depth > 0)
        self.fill_value(node, component, value)
        if node.readonly and not node.disabled:
            # Shown as text, because an input that cannot be changed still looks editable.
            node.kind = "readonly"
            node.value = display_value(component, None if is_missing(value) else value,
                                       self.options)
        node.hint = bool(component.description) or node.kind in ("date", "time", "datetime")
        self.attach_errors(node, path, component.label, row)

        described = [f"{node.id}:prefix"] if component.prefix else []
        described += [f"{node.id}:suffix"] if component.suffix else []
        described += [f"{node.id}:hint"] if node.hint else []
        described += [f"{node.id}:error"] if node.errors else []
        node.described_by = " ".join(described)
        return node

    def fill_value(self, node: Node, component: Field, value: Any) -> None:
        if isinstance(component, CheckboxField):
            node.checked = value is True or (isinstance(value, str) and value.lower() in
                                             ("true", "on", "1", "yes"))
        elif isinstance(component, ChoiceField):
            if isinstance(value, list):
                chosen = value
            else:
                chosen = [] if value is None else [value]
            chosen_text = {option_text(item) for item in chosen}
            node.choices = [Choice(option.label, option_text(option.value), f"{node.id}:{index}",
                                   option_text(option.value) in chosen_text)
                            for index, option in enumerate(resolve_options(component,
                                                                           self.options))]
        elif isinstance(component, DateTimeField) and component.subtype == "datetime":
            node.parts = split_datetime(value)
        elif isinstance(component, DateTimeField):
            node.value = format_date(value) if component.subtype == "date" else format_time(value)
        elif isinstance(component, NumberField):
            node.value = format_number(value)
        else:
            node.value = "" if value is None else str(value)
            validation_type = component.rules.validation_type
            node.input_type = {"email": "email", "phone": "tel"}.get(validation_type or "", "text")
            node.autocomplete = {"email": "email", "phone": "tel"}.get(validation_type or "", "")

    def attach_errors(self, node: Node, path: str, label: str, row: int | None) -> None:
        node.errors = self.errors.get(path, [])
        if not node.errors:
            return
        self.linked.add(path)
        target = _focus_target(node)
        name = label or path
        if row is not None:
            name = gettext("%(label)s in row %(number)s", label=name, number=row)
        self.links.extend(ErrorLink(target, f"{name}: {message}") for message in node.errors)


def _focus_target(node: Node) -> str:
    """Return the id of the element an error link of `node` moves to."""
    if node.kind == "datetime":
        return f"{node.id}:date"
    if node.choices:
        return node.choices[0].id
    return node.id


def _first_input(nodes: list[Node]) -> Node | None:
    for node in nodes:
        if node.kind == "group":
            found = _first_input(node.children)
            if found is not None:
                return found
        elif node.kind == "dynamiclist":
            for list_row in node.rows:
                found = _first_input(list_row.children)
                if found is not None:
                    return found
        elif isinstance(node.component, Field) and not node.disabled and not node.readonly:
            return node
    return None


def _relative(location: tuple[str | int, ...], path: tuple[str, ...]) -> tuple[str, ...]:
    """Return the path of a value inside the data object being rendered.

    `location` places that object in the whole form, for ids and input names. Only the group
    paths after its last row number lead into the object itself.
    """
    groups = tuple(part for part in location[_last_row(location):] if isinstance(part, str))
    return (*groups, *path)


def _last_row(location: tuple[str | int, ...]) -> int:
    for position in range(len(location) - 1, -1, -1):
        if isinstance(location[position], int):
            return position + 1
    return 0


def _kind(component: Field) -> str:
    if isinstance(component, DateTimeField):
        return component.subtype
    if component.type == "taglist":
        return "checklist"  # a tag picker needs JavaScript; checkboxes do the same job
    return component.type
