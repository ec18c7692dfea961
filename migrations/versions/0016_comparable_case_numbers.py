"""Compare case numbers without leading zeros, a century, spaces or case

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 07:45:00

The unique case numbers of 0013 held the number as typed, so "26/196", "26/00196" and
"2026/196" were three numbers although an archive system means one. The column now holds
the comparable form (engine.services.runtime.comparable_case_number, repeated here so this
upgrade does not change when that code does). A number that two stored cases share in that
form stays on the older case only, as in 0013.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

DIGITS = re.compile(r"\d+")
SPACES = re.compile(r"\s+")
FULL_YEAR = re.compile(r"^(?:19|20)(\d{2})/")


def comparable(number: str) -> str:
    without_spaces = SPACES.sub("", number).casefold()
    short_year = FULL_YEAR.sub(r"\1/", without_spaces)
    return DIGITS.sub(lambda digits: str(int(digits.group())), short_year)


def upgrade() -> None:
    _rewrite(comparable)


def downgrade() -> None:
    _rewrite(lambda number: number)


def _rewrite(form: object) -> None:
    """Set unique_key from the business key in `form` for every case that has one, the
    oldest first, leaving it empty on a later case with the same key."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, definition_key, business_key FROM process_instance "
        "WHERE unique_key IS NOT NULL ORDER BY id")).fetchall()
    # Empty every key first, so the unique index does not reject a value that a later row
    # still holds in its old form.
    connection.execute(sa.text(
        "UPDATE process_instance SET unique_key = NULL WHERE unique_key IS NOT NULL"))
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = form(row.business_key)  # type: ignore[operator]
        if (row.definition_key, key) in seen:
            continue
        seen.add((row.definition_key, key))
        connection.execute(sa.text(
            "UPDATE process_instance SET unique_key = :key WHERE id = :id"),
            {"key": key, "id": row.id})
