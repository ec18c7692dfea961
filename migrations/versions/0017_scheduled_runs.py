"""Daily scheduler runs, starting with retention

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 09:30:00

The scheduler runs retention once a day at RETENTION_DAILY_AT. The row per daily task holds
the local date of its last run: a worker runs the task only when its conditional update of
that date succeeds, so several workers on one database run it once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'scheduled_run',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('last_run_on', sa.Date(), nullable=True),
        sa.Column('started_at', engine.models.base.UTCDateTime(), nullable=True),
        sa.Column('worker_id', sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduled_run')),
    )
    op.bulk_insert(table, [{'name': 'retention'}])


def downgrade() -> None:
    op.drop_table('scheduled_run')
