"""marshmallow's validation messages in the caller's locale.

marshmallow writes its messages in English. The messages below are those that the fields
and validators of the API's schemas produce, and each is a gettext id with a bokmål
translation. Messages with values filled in are matched by pattern and translated with the
values kept.
"""

from __future__ import annotations

import re

from engine.i18n import N_, gettext

# PostgreSQL cannot store the NUL character in text, so the API's schemas reject it.
NUL_MESSAGE = N_("The text must not contain the NUL character (\\u0000).")

PLAIN_MESSAGES = frozenset({
    NUL_MESSAGE,
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Invalid value."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid boolean."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid datetime."),
    N_("Not a valid utf-8 string."),
    N_("Number too large."),
})

PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Must be one of: (?P<choices>.*)\."), N_("Must be one of: %(choices)s.")),
    (re.compile(r"Longer than maximum length (?P<max>\d+)\."),
     N_("Longer than the maximum length of %(max)s.")),
    (re.compile(r"Shorter than minimum length (?P<min>\d+)\."),
     N_("Shorter than the minimum length of %(min)s.")),
    (re.compile(r"Length must be between (?P<min>\d+) and (?P<max>\d+)\."),
     N_("The length must be between %(min)s and %(max)s.")),
    (re.compile(r"Must be greater than or equal to (?P<min>[-\d.]+) and less than or equal "
                r"to (?P<max>[-\d.]+)\."),
     N_("Must be between %(min)s and %(max)s.")),
    (re.compile(r"Must be greater than or equal to (?P<min>[-\d.]+)\."),
     N_("Must be %(min)s or more.")),
    (re.compile(r"Must be less than or equal to (?P<max>[-\d.]+)\."),
     N_("Must be %(max)s or less.")),
)


def translate_validation_message(message: str) -> str:
    """Return `message` in the current locale when it is one of marshmallow's, else as is."""
    if message in PLAIN_MESSAGES:
        return gettext(message)
    for pattern, msgid in PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return gettext(msgid, **match.groupdict())
    return message
