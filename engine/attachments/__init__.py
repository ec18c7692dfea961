"""File attachments of cases: content types, the file store and the errors of both.

The bytes of an attachment live in the file store, never in the workflow state or in a
database row; the `attachment` table holds what the file is and where the store keeps it.
"""

from __future__ import annotations

import math

from engine.i18n import current_locale

UNITS = ((1024 * 1024, "MB"), (1024, "kB"))


def format_size(size: int) -> str:
    """Write a number of bytes in MB, kB or bytes with at most one decimal, rounded down so
    a limit is never shown larger than it is ("10 MB", "1,5 kB" in bokmål)."""
    for factor, unit in UNITS:
        if size >= factor:
            tenths = math.floor(size * 10 / factor)
            number = str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10:.1f}"
            if current_locale() == "nb":
                number = number.replace(".", ",")
            return f"{number} {unit}"
    return f"{size} B"
