"""End a user's sessions early: app_user.sessions_valid_after

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('sessions_valid_after', engine.models.base.UTCDateTime(),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('sessions_valid_after')
