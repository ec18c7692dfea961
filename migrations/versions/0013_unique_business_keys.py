"""Unique case numbers for processes that take them from the start data

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 07:00:00

A process with the property businessKeyVariable (such as politisk-vedtak, whose case number
is the archive case number) must not get two cases with one number. The new column repeats
the business key of those cases only, and a unique index on it with the process key makes the
database reject a second case, also when two starts run at the same time.

Existing cases of such processes get the column filled, the oldest case first. A number that
is already used twice keeps the column empty on the later cases, so the upgrade does not fail;
the start check still finds those cases by their business key.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unique_key', sa.String(length=128), nullable=True))
    _fill_unique_keys()
    op.create_index('uq_process_instance_key_unique_key', 'process_instance',
                    ['definition_key', 'unique_key'], unique=True)


def _fill_unique_keys() -> None:
    connection = op.get_bind()
    keys = {row.key for row in connection.execute(sa.text(
        "SELECT key FROM process_definition WHERE bpmn_xml LIKE '%businessKeyVariable%'"))}
    for key in sorted(keys):
        rows = connection.execute(sa.text(
            "SELECT id, business_key FROM process_instance "
            "WHERE definition_key = :key AND business_key IS NOT NULL ORDER BY id"),
            {"key": key})
        seen: set[str] = set()
        for row in rows.fetchall():
            if row.business_key in seen:
                continue
            seen.add(row.business_key)
            connection.execute(sa.text(
                "UPDATE process_instance SET unique_key = :business_key WHERE id = :id"),
                {"business_key": row.business_key, "id": row.id})


def downgrade() -> None:
    op.drop_index('uq_process_instance_key_unique_key', table_name='process_instance')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_column('unique_key')
