"""Positions in the JSON text of a .form file: why decoding failed, in the user's language,
and the line on which each object starts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from engine.i18n import gettext as _

# A JSON string (skipped, since it may contain braces) or the brace that opens an object.
_STRING_OR_BRACE = re.compile(r'"(?:[^"\\]|\\.)*"|\{')


def _reasons() -> dict[str, str]:
    """Map the messages of Python's JSON decoder (3.11 to 3.13) to texts for form authors."""
    return {
        "Expecting value": _("a value is missing here, or it is not valid JSON. Text must "
                             "be in double quotes"),
        "Expecting ',' delimiter": _("a comma is missing between two values or properties"),
        "Expecting ':' delimiter": _("a colon is missing between a property name and its "
                                     "value"),
        "Expecting property name enclosed in double quotes": _(
            "a property name must be in double quotes, and no comma may follow the last "
            "property of an object"),
        "Unterminated string starting at": _("a text starts here but has no closing double "
                                             "quote"),
        "Invalid control character at": _("a text contains a line break or tab. Write it as "
                                          "\\n or \\t"),
        "Invalid \\escape": _("a text contains a backslash that starts no valid escape. Write "
                              "a backslash as \\\\"),
        "Invalid \\uXXXX escape": _("\\u must be followed by four hexadecimal digits"),
        "Extra data": _("the file goes on after the end of the JSON object. Remove what comes "
                        "after the last closing brace"),
        "Illegal trailing comma before end of object": _(
            "no comma may follow the last property of an object"),
        "Illegal trailing comma before end of array": _(
            "no comma may follow the last value of a list"),
    }


def json_error_text(error: json.JSONDecodeError) -> str:
    """Return the problem text for a failed decode, with the column; the caller sets the line."""
    reason = _reasons().get(error.msg)
    if reason is None:
        reason = _("the text cannot be read as JSON here")
    return _("The file is not valid JSON at column %(column)s: %(reason)s.",
             column=error.colno, reason=reason)


def object_offsets(text: str, document: Any) -> dict[int, int]:
    """Map id() of each object in `document`, decoded from `text`, to the offset of its brace.

    The decoder builds objects in the order their opening braces appear, so the n-th object
    of a depth-first walk starts at the n-th brace outside strings. A duplicated property
    name drops an object from the decoded document; then the counts differ and the map is
    empty rather than wrong.
    """
    starts = [match.start() for match in _STRING_OR_BRACE.finditer(text)
              if match.group() == "{"]
    objects = list(_objects_in_order(document))
    if len(starts) != len(objects):
        return {}
    return {id(obj): start for obj, start in zip(objects, starts, strict=True)}


def property_line(text: str, obj: Mapping[str, Any], start: int | None) -> int | None:
    """Return the line of the object's id, key or type property, the first it has.

    The search starts at the object's brace, `start`. Without `start`, only an id is looked
    for. When no property matches, the brace's line is returned.
    """
    for name in ("id", "key", "type") if start is not None else ("id",):
        value = obj.get(name)
        if not isinstance(value, str) or not value:
            continue
        pattern = re.compile(rf'"{name}"\s*:\s*' + re.escape(json.dumps(value, ensure_ascii=False)))
        match = pattern.search(text, start or 0)
        if match:
            return text.count("\n", 0, match.start()) + 1
    return None if start is None else text.count("\n", 0, start) + 1


def _objects_in_order(document: Any) -> Iterator[Mapping[str, Any]]:
    """Yield every object of a decoded document depth first, in source order."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, Mapping):
            yield value
            pending.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            pending.extend(reversed(value))
