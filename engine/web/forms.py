"""Form rendering for the pages: the CSRF token, and the add-row and remove-row round trip."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from engine.forms import apply_list_action, parse_list_action, render_form, submitted_values


def form_html(form: Any, values: Mapping[str, Any], errors: Mapping[str, list[str]] | None = None,
              *, options: Mapping[str, list[dict[str, Any]]], action: str,
              submit_label: str) -> Markup:
    return render_form(form, values, errors, options=options, action=action,
                       submit_label=submit_label, csrf_token=generate_csrf())


def summary_html(form: Any, values: Mapping[str, Any],
                 options: Mapping[str, list[dict[str, Any]]]) -> Markup:
    """Render the values as a read-only list of field labels and values."""
    return render_form(form, values, options=options, action="", submit_label="",
                       read_only=True)


def values_after_list_action(form: Any, posted: Any,
                             initial: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """Return the posted values with a row added or removed when an add-row or remove-row
    button was pressed; None for a plain submit."""
    action = parse_list_action(posted, form)
    if action is None:
        return None
    return apply_list_action(submitted_values(form, posted, initial), action)
