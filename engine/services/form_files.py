""".form files in the modeler's form editor: the deployed file of a form, and checking a file
before it goes into a draft.

A draft keeps each form either as a form-js schema (a JSON object) or as the text of a .form
file. Text is deployed byte for byte, so a file uploaded from Camunda Modeler and deployed
unchanged downloads again with the same bytes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from engine.errors import DefinitionInvalid, FormNotFound
from engine.i18n import gettext as _
from engine.models import FormDefinition
from engine.services.base import Service

log = logging.getLogger(__name__)

FORM_SUFFIX = ".form"


@dataclass(frozen=True)
class FormFile:
    """The newest deployed version of a form, with its file as deployed."""

    id: str
    version: int
    file_name: str
    source: str


@dataclass
class FormCheck:
    """The result of checking a .form file: its id, the variables it writes, and each problem."""

    form_id: str | None
    fields: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "form_id": self.form_id, "fields": self.fields,
                "errors": self.errors}


def form_bytes(value: Any) -> bytes:
    """Return the file to deploy for a draft's form: its text as it is, or a schema as JSON."""
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")


def form_schema(value: Any) -> dict[str, Any] | None:
    """Return a draft's form as a schema, or None when its text is not a JSON object."""
    if isinstance(value, dict):
        return value
    try:
        decoded = json.loads(value)
    except (TypeError, ValueError, RecursionError):
        return None
    return decoded if isinstance(decoded, dict) else None


def stored_source(record: FormDefinition) -> str:
    """Return the file of a deployed form version; versions deployed before the source was
    kept give their schema written as JSON."""
    if record.source is not None:
        return record.source
    return json.dumps(record.schema, ensure_ascii=False, indent=2)


class FormFileService(Service):
    def newest(self, form_id: str) -> FormFile:
        """Return the newest deployed version of the form `form_id` with its file."""
        with self.transaction(read_only=True):
            record = self.session.scalar(select(FormDefinition).where(
                FormDefinition.form_id == form_id).order_by(FormDefinition.version.desc())
                .limit(1))
            if record is None:
                raise FormNotFound(form_id)
            return FormFile(record.form_id, record.version, record.file_name,
                            stored_source(record))

    def check(self, source: str, expected_id: str | None = None) -> FormCheck:
        """Check the text of a .form file as a deploy would, without storing anything.

        With `expected_id`, a file whose id differs is refused, so an upload meant for one form
        cannot replace another."""
        from engine.forms.model import parse_form
        from engine.services.drafts import field_keys

        schema = form_schema(source)
        claimed = schema.get("id") if schema else None
        check = FormCheck(claimed if isinstance(claimed, str) and claimed else None)
        file_name = f"{expected_id or check.form_id or 'skjema'}{FORM_SUFFIX}"
        try:
            parse_form(source, file_name)
        except DefinitionInvalid as invalid:
            check.errors = [{"message": problem.text, "line": problem.line,
                             "element_id": problem.element_id} for problem in invalid.problems]
            log.info("form file refused form_id=%s problems=%s", check.form_id,
                     len(check.errors))
            return check
        if expected_id is not None and check.form_id != expected_id:
            check.errors.append({"message": _(
                "The file is the form %(form_id)s, not %(expected)s. Upload it as a new form, "
                "or give it the id %(expected)s.", form_id=check.form_id, expected=expected_id),
                "line": None, "element_id": None})
            return check
        check.fields = sorted(field_keys(schema))
        return check
