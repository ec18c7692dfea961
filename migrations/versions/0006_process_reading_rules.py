"""Process reading rules: confidential processes and reader groups

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_definition') as batch:
        batch.add_column(sa.Column('confidential', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('reader_groups', engine.models.base.JSONText(),
                                   nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('process_definition') as batch:
        batch.drop_column('reader_groups')
        batch.drop_column('confidential')
