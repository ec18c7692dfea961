"""Running the form checks that handlers register for a start form or a user task form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.errors import FormValidationFailed
from engine.forms.components import ChoiceField
from engine.forms.options import resolve_options
from engine.runtime.handlers import CheckContext


def run_form_checks(engine: Any, process_key: str, element_id: str | None, form: Any,
                    submitted: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
    """Run the checks of a start form (`element_id` None) or of a user task form, and raise
    FormValidationFailed with their messages by field, keeping `submitted`.

    `submitted` are the clean values of the form and `variables` the process variables
    (none yet for a start form). The checks read both, with the form's values on top.
    """
    checks = engine.handlers.form_checks(process_key, element_id)
    if not checks:
        return
    context = CheckContext(values={**variables, **submitted}, sent=frozenset(submitted),
                           now=engine.clock.now(),
                           choices=_choices(form, engine.forms.options(form, variables)),
                           engine=engine)
    errors: dict[str, list[str]] = {}
    for check in checks:
        for field_key, messages in check(context).items():
            errors.setdefault(field_key, []).extend(messages)
    errors = {field_key: messages for field_key, messages in errors.items() if messages}
    if errors:
        raise FormValidationFailed(errors, values=dict(submitted))


def _choices(form: Any, options: dict[str, list[dict[str, Any]]]
             ) -> dict[str, list[dict[str, Any]]]:
    """Return the options of every choice field of `form`, by the field's data path."""
    return {field.data_path: [{"label": option.label, "value": option.value}
                              for option in resolve_options(field, options)]
            for field in form.fields() if isinstance(field, ChoiceField)}
