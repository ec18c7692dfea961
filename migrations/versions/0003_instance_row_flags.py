"""Flags that tell whether an instance has timer and job rows, so a command can skip the look-up

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 22:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_timers', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('has_jobs', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute("UPDATE process_instance SET has_timers = EXISTS (SELECT 1 FROM timer "
               "WHERE timer.instance_id = process_instance.id)")
    op.execute("UPDATE process_instance SET has_jobs = EXISTS (SELECT 1 FROM job "
               "WHERE job.instance_id = process_instance.id)")


def downgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_column('has_jobs')
        batch_op.drop_column('has_timers')
