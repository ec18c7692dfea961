"""Form rendering for the pages, with the CSRF token of the session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from engine.forms import render_form


def form_html(form: Any, values: Mapping[str, Any], errors: Mapping[str, list[str]] | None = None,
              *, options: Mapping[str, list[dict[str, Any]]], action: str,
              submit_label: str, focus: str = "",
              initial: Mapping[str, Any] | None = None, form_id: str = "") -> Markup:
    """Render the form. When `values` is a post, read-only fields show `initial`, the data
    the form was first shown with."""
    return render_form(form, values, errors, options=options, action=action,
                       submit_label=submit_label, csrf_token=generate_csrf(), focus=focus,
                       initial=initial, form_id=form_id)


def summary_html(form: Any, values: Mapping[str, Any],
                 options: Mapping[str, list[dict[str, Any]]],
                 initial: Mapping[str, Any] | None = None) -> Markup:
    """Render the values as a read-only list of field labels and values."""
    return render_form(form, values, options=options, action="", submit_label="",
                       read_only=True, initial=initial)

