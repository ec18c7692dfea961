"""Parse a form-js document into a FormSpec and report every reason it cannot be deployed.

All problems of a file are collected and raised together as one DefinitionInvalid, so a form
author fixes them in one round. Problem texts are in the current locale.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from engine.errors import DefinitionInvalid, DefinitionProblem
from engine.forms.components import (
    CONTAINER_TYPES,
    IGNORED_TYPES,
    INPUT_TYPES,
    LAYOUT_TYPES,
    CheckboxField,
    ChoiceField,
    Component,
    DateTimeField,
    DynamicList,
    Field,
    FormSpec,
    Group,
    Layout,
    NumberField,
    Text,
    TextField,
)
from engine.forms.feel import Condition, FeelSyntaxError, parse_condition
from engine.forms.json_source import json_error_text, object_offsets, property_line
from engine.forms.options import parse_options
from engine.forms.rules import RuleProblem, parse_number_settings, parse_rules
from engine.i18n import gettext as _

__all__ = ["FormSpec", "MAX_FORM_BYTES", "parse_form"]

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 1024 * 1024
MAX_NESTING = 20
# form-js component types that exist but that Sløyfe cannot render without JavaScript.
UNSUPPORTED_TYPES = ("image", "iframe", "filepicker", "table", "expression", "documentPreview")
_KEY_SEGMENT = re.compile(r"[^\W\d][\w-]*")


def parse_form(document: Mapping[str, Any] | str | bytes, file_name: str) -> FormSpec:
    """Parse a form-js document (JSON text or an already decoded object) into a FormSpec.

    Raises DefinitionInvalid listing every problem found, each with the component id or key.
    """
    if isinstance(document, Mapping):
        text = None
        size = len(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    else:
        size = len(document) if isinstance(document, bytes) else len(document.encode("utf-8"))
        text = None if isinstance(document, bytes) else document
    if size > MAX_FORM_BYTES:
        raise DefinitionInvalid(file_name, [DefinitionProblem(file_name, _(
            "The file is %(size)s bytes, more than the limit of %(limit)s bytes. Remove "
            "embedded content or split the form.", size=size, limit=MAX_FORM_BYTES))])

    if isinstance(document, bytes):
        try:
            text = document.decode("utf-8")
        except UnicodeDecodeError as error:
            line = document.count(b"\n", 0, error.start) + 1
            raise DefinitionInvalid(file_name, [DefinitionProblem(file_name, _(
                "The file is not UTF-8 text. Save it as UTF-8 in the form editor and deploy "
                "again."), line=line)]) from None
    if text is not None:
        document = _load_json(text, file_name)

    builder = _Builder(file_name, text)
    spec = builder.build(document)
    if builder.problems:
        raise DefinitionInvalid(file_name, builder.problems)
    return spec


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def _load_json(text: str, file_name: str) -> Any:
    """Decode the form's JSON, refusing what form editors never write: NaN and Infinity,
    nesting deeper than Python's recursion limit and integers too long to convert."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise DefinitionInvalid(file_name, [DefinitionProblem(
            file_name, json_error_text(error),
            line=error.lineno)]) from None
    except RecursionError:
        raise DefinitionInvalid(file_name, [DefinitionProblem(file_name, _(
            "The file nests lists or objects too deeply to read. A form needs at most "
            "%(levels)s levels of groups; remove the extra levels.", levels=MAX_NESTING))]
            ) from None
    except ValueError as error:
        log.info("form JSON refused file=%s reason=%s", file_name, error)
        raise DefinitionInvalid(file_name, [DefinitionProblem(file_name, _(
            "The file contains a number that JSON does not allow (NaN or Infinity) or that "
            "has too many digits. Write an ordinary number."))]) from None


class _Scope:
    """The keys claimed in one data object, to find two fields that would write one value.

    A field or dynamic list claims its path as a leaf, and every shorter prefix as an object.
    Groups may share an object path, but nothing may be stored at or below a leaf.
    """

    def __init__(self) -> None:
        self.claims: dict[tuple[str, ...], bool] = {}  # path -> is leaf

    def claim(self, path: tuple[str, ...], *, leaf: bool) -> bool:
        prefixes = [path[:length] for length in range(1, len(path))]
        if any(self.claims.get(prefix) for prefix in prefixes):
            return False
        if path in self.claims and (leaf or self.claims[path]):
            return False
        for prefix in prefixes:
            self.claims[prefix] = False
        self.claims[path] = leaf
        return True


class _Builder:
    def __init__(self, file_name: str, text: str | None) -> None:
        self.file_name = file_name
        self.text = text
        self.problems: list[DefinitionProblem] = []
        self.seen_ids: set[str] = set()
        self.counter = 0
        self.offsets: dict[int, int] = {}

    def build(self, document: Any) -> FormSpec:
        if self.text is not None:
            self.offsets = object_offsets(self.text, document)
        if not isinstance(document, Mapping) or not isinstance(document.get("components"), list):
            self.report(_("The form must be a JSON object with a list of components."))
            return FormSpec(id="", components=(), file_name=self.file_name)

        form_id = document.get("id")
        if not isinstance(form_id, str) or not form_id.strip():
            form_id = ""
            self.report(_("The form has no id. Give it an id in the form editor, so that "
                          "camunda:formRef can refer to it."))
        version = document.get("schemaVersion")
        components = self.components(document["components"], _Scope(), (), "", depth=0)
        return FormSpec(id=form_id, components=components,
                        schema_version=version if isinstance(version, int) else None,
                        file_name=self.file_name)

    def report(self, text: str, raw: Mapping[str, Any] | None = None) -> None:
        element_id = None
        line = None
        if raw is not None:
            raw_id = raw.get("id")
            element_id = raw_id if isinstance(raw_id, str) and raw_id else raw.get("key")
            element_id = str(element_id) if element_id is not None else None
            if self.text is not None:
                line = property_line(self.text, raw, self.offsets.get(id(raw)))
        self.problems.append(DefinitionProblem(self.file_name, text, line=line,
                                               element_id=element_id))

    # --- containers ----------------------------------------------------------------------------

    def components(self, raw_list: list[Any], scope: _Scope, base: tuple[str, ...],
                   prefix: str, depth: int) -> tuple[Component, ...]:
        """Parse one components list.

        `base` is the group path within `scope`. `prefix` spells where that scope sits in the
        data: "" at the root, "tiltak[]." inside a list.
        """
        if depth > MAX_NESTING:
            self.report(_("Groups and lists are nested more than %(max)s levels deep. Flatten "
                          "the form.", max=MAX_NESTING))
            return ()
        parsed: list[Component] = []
        for raw in raw_list:
            if not isinstance(raw, Mapping):
                self.report(_("Each component must be a JSON object."))
                continue
            component = self.component(raw, scope, base, prefix, depth)
            if component is not None:
                parsed.append(component)
        return tuple(parsed)

    def component(self, raw: Mapping[str, Any], scope: _Scope, base: tuple[str, ...],
                  prefix: str, depth: int) -> Component | None:
        kind = raw.get("type")
        if not isinstance(kind, str) or not kind:
            self.report(_("The component has no type."), raw)
            return None
        if kind in IGNORED_TYPES:
            return None
        if kind == "html":
            self.report(_("The html component is not allowed because it could put any markup "
                          "into the page. Use a text component with Markdown instead."), raw)
            return None
        if kind in UNSUPPORTED_TYPES:
            self.report(_("The component type %(type)s is not supported, because Sløyfe shows "
                          "forms without JavaScript. Remove the component.", type=kind), raw)
            return None
        if kind not in (*INPUT_TYPES, *LAYOUT_TYPES, *CONTAINER_TYPES):
            self.report(_("The component type %(type)s is unknown. Remove the component or "
                          "replace it with a supported type.", type=kind), raw)
            return None

        common = self.common(raw, kind)
        if kind in INPUT_TYPES:
            return self.field(raw, kind, common, scope, base, prefix)
        if kind == "text":
            text = raw.get("text", "")
            if not isinstance(text, str) or text.startswith("="):
                self.report(_("Expressions in %(property)s are not supported. Write plain text.",
                              property="text"), raw)
                text = ""
            return Text(text=text, **common)
        if kind in ("separator", "spacer"):
            height = raw.get("height")
            return Layout(height=height if isinstance(height, int) else None, **common)
        return self.container(raw, kind, common, scope, base, prefix, depth)

    def container(self, raw: Mapping[str, Any], kind: str, common: dict[str, Any],
                  scope: _Scope, base: tuple[str, ...], prefix: str, depth: int) -> Component:
        children = raw.get("components", [])
        if not isinstance(children, list):
            self.report(_("The components of a group or list must be a list."), raw)
            children = []
        path = self.path(raw, "path", required=kind == "dynamiclist")

        if kind == "group":
            full = base + path
            if path and not scope.claim(full, leaf=False):
                self.duplicate(full, raw)
            inner = self.components(children, scope, full, prefix, depth + 1)
            return Group(components=inner, path=path,
                         show_outline=raw.get("showOutline", True) is not False, **common)

        full = base + path
        if path and not scope.claim(full, leaf=True):
            self.duplicate(full, raw)
        list_path = prefix + ".".join(full)
        inner = self.components(children, _Scope(), (), list_path + "[].", depth + 1)
        repetitions = raw.get("defaultRepetitions", 1)
        return DynamicList(
            components=inner, path=path, data_path=list_path,
            default_repetitions=repetitions if isinstance(repetitions, int)
            and 0 <= repetitions <= 50 else 1,
            allow_add_remove=raw.get("allowAddRemove", True) is not False,
            show_outline=raw.get("showOutline", True) is not False, **common)

    def duplicate(self, path: tuple[str, ...], raw: Mapping[str, Any]) -> None:
        self.report(_("%(key)s is used by more than one field, group or list in the same data "
                      "object. Give each its own key or path.", key=".".join(path)), raw)

    # --- properties shared by all components ----------------------------------------------------

    def common(self, raw: Mapping[str, Any], kind: str) -> dict[str, Any]:
        component_id = raw.get("id")
        if isinstance(component_id, str) and component_id:
            if component_id in self.seen_ids:
                self.report(_("The component id %(id)s is used more than once. Give each "
                              "component its own id.", id=component_id), raw)
            self.seen_ids.add(component_id)
        else:
            self.counter += 1
            component_id = f"{kind}-{self.counter}"

        properties = raw.get("properties", {})
        if not isinstance(properties, Mapping):
            self.report(_("The custom properties must be a JSON object."), raw)
            properties = {}
        return {
            "type": kind,
            "id": component_id,
            "label": self.plain_text(raw, "label"),
            "description": self.plain_text(raw, "description"),
            "hide": self.condition(raw, (raw.get("conditional") or {}).get("hide")
                                   if isinstance(raw.get("conditional"), Mapping) else None),
            "properties": dict(properties),
        }

    def plain_text(self, raw: Mapping[str, Any], name: str,
                   settings: Mapping[str, Any] | None = None) -> str:
        """Read a text property from `settings` (the component itself by default)."""
        value = (raw if settings is None else settings).get(name)
        if value is None:
            return ""
        if not isinstance(value, str) or value.startswith("="):
            self.report(_("Expressions in %(property)s are not supported. Write plain text.",
                          property=name), raw)
            return ""
        return value

    def condition(self, raw: Mapping[str, Any], source: Any) -> Condition | None:
        if source is None or source == "":
            return None
        if not isinstance(source, str):
            self.report(_("The condition must be a text that starts with =."), raw)
            return None
        try:
            return parse_condition(source)
        except FeelSyntaxError as error:
            self.report(_("The condition %(expression)s cannot be read: %(reason)s.",
                          expression=source, reason=str(error)), raw)
            return None

    def path(self, raw: Mapping[str, Any], name: str, *, required: bool) -> tuple[str, ...]:
        value = raw.get(name)
        if value is None or value == "":
            if required:
                self.report(_("The dynamic list has no path. Give it a path, which names the "
                              "list of rows in the data."), raw)
            return ()
        segments = tuple(value.split(".")) if isinstance(value, str) else ()
        if not segments or not all(_KEY_SEGMENT.fullmatch(part) for part in segments):
            self.report(_("The path %(path)s is invalid. Use letters, digits, _ and -, and dots "
                          "only between the parts.", path=value), raw)
            return ()
        return segments

    # --- input fields ---------------------------------------------------------------------------

    def field(self, raw: Mapping[str, Any], kind: str, common: dict[str, Any], scope: _Scope,
              base: tuple[str, ...], prefix: str) -> Field | None:
        key = raw.get("key")
        if not isinstance(key, str) or not key:
            self.report(_("The field has no key. Give it a key, which becomes the name of the "
                          "process variable."), raw)
            return None
        key_path = tuple(key.split("."))
        if not all(_KEY_SEGMENT.fullmatch(part) for part in key_path):
            self.report(_("The key %(key)s is invalid. Use letters, digits, _ and -, and dots "
                          "only between the parts.", key=key), raw)
            return None
        if not scope.claim(base + key_path, leaf=True):
            self.duplicate(base + key_path, raw)

        rules, problems = parse_rules(raw.get("validate"), kind)
        self.report_all(problems, raw)
        appearance = raw.get("appearance")
        adorners: Mapping[str, Any] = appearance if isinstance(appearance, Mapping) else {}
        readonly = raw.get("readonly", False)
        settings: dict[str, Any] = {
            **common,
            "key": key,
            "key_path": key_path,
            "data_path": prefix + ".".join(base + key_path),
            "default": raw.get("defaultValue"),
            "disabled": raw.get("disabled") is True,
            "readonly": self.condition(raw, readonly) if isinstance(readonly, str)
            else readonly is True,
            "rules": rules,
            "prefix": self.plain_text(raw, "prefixAdorner", adorners),
            "suffix": self.plain_text(raw, "suffixAdorner", adorners),
        }

        if kind in ("textfield", "textarea"):
            return TextField(**settings)
        if kind == "number":
            number_settings, problems = parse_number_settings(raw)
            self.report_all(problems, raw)
            return NumberField(**settings, **number_settings)
        if kind == "datetime":
            return self.datetime_field(raw, settings)
        if kind == "checkbox":
            return CheckboxField(**settings)
        values, values_key, problems = parse_options(raw)
        self.report_all(problems, raw)
        return ChoiceField(values=values, values_key=values_key, **settings)

    def datetime_field(self, raw: Mapping[str, Any], settings: dict[str, Any]) -> DateTimeField:
        subtype = raw.get("subtype", "date")
        if subtype not in ("date", "time", "datetime"):
            self.report(_("The date and time subtype %(subtype)s is not supported. Use date, "
                          "time or datetime.", subtype=subtype), raw)
            subtype = "date"
        # NOTE: timeSerializingFormat is ignored. A time is stored as HH:MM and a date-time
        # always with its offset, whatever the form editor chose.
        # form-js keeps the label of a datetime field in dateLabel or timeLabel.
        if not settings["label"]:
            settings["label"] = self.plain_text(raw, "dateLabel" if subtype != "time"
                                                else "timeLabel")
        return DateTimeField(subtype=subtype, date_label=self.plain_text(raw, "dateLabel"),
                             time_label=self.plain_text(raw, "timeLabel"),
                             disallow_passed_dates=raw.get("disallowPassedDates") is True,
                             disallow_future_dates=raw.get("disallowFutureDates") is True,
                             **settings)

    def report_all(self, problems: list[RuleProblem], raw: Mapping[str, Any]) -> None:
        for problem in problems:
            self.report(problem, raw)
