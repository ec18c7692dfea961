"""Forms: parse form-js files, validate submissions and render them as HTML.

    spec = parse_form(file_bytes, "avvik-meld.form")        # raises DefinitionInvalid
    clean, errors = validate_submission(spec, request.form)  # or source="json"
    html = render_form(spec, request.form, errors, action=..., submit_label=...)
"""

from engine.forms.components import Field, FormSpec
from engine.forms.model import parse_form
from engine.forms.render import render_form
from engine.forms.schema import validate_submission
from engine.forms.submission import (
    ListAction,
    RowChange,
    apply_list_action,
    change_rows,
    parse_list_action,
    submitted_values,
)

__all__ = [
    "Field",
    "FormSpec",
    "ListAction",
    "RowChange",
    "apply_list_action",
    "change_rows",
    "parse_form",
    "parse_list_action",
    "render_form",
    "submitted_values",
    "validate_submission",
]
