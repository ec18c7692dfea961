"""Builders for form-js documents in tests, in the JSON shape the form editor writes."""

from __future__ import annotations

import itertools
from typing import Any

from engine.forms.components import FormSpec
from engine.forms.model import parse_form

_ids = itertools.count(1)


def document(*components: dict[str, Any], form_id: str = "testskjema") -> dict[str, Any]:
    return {
        "type": "default",
        "id": form_id,
        "components": list(components),
        "schemaVersion": 16,
        "exporter": {"name": "Camunda Modeler", "version": "5.30.0"},
    }


def form(*components: dict[str, Any]) -> FormSpec:
    return parse_form(document(*components), "test.form")


def component(kind: str, key: str | None = None, **settings: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"type": kind, "id": f"Field_{next(_ids)}"}
    if key is not None:
        raw["key"] = key
        raw.setdefault("label", key.capitalize())
    raw.update(settings)
    return raw


def textfield(key: str, **settings: Any) -> dict[str, Any]:
    return component("textfield", key, **settings)


def required(**rules: Any) -> dict[str, Any]:
    return {"validate": {"required": True, **rules}}


def options(*values: str) -> list[dict[str, str]]:
    return [{"label": value.capitalize(), "value": value} for value in values]
