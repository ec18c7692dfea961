"""Scheduler heartbeat, and indexes for the counts of /metrics

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 04:00:00

Each scheduler worker records when it last polled, so /healthz can tell whether timers are
being fired. The two indexes let /metrics count instances by process and status, and open
and overdue tasks by process, from the index alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scheduler_heartbeat',
        sa.Column('worker_id', sa.String(length=128), nullable=False),
        sa.Column('polled_at', engine.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_scheduler_heartbeat')),
    )
    op.create_index(op.f('ix_scheduler_heartbeat_polled_at'), 'scheduler_heartbeat',
                    ['polled_at'])
    op.create_index('ix_process_instance_key_status', 'process_instance',
                    ['definition_key', 'status'])
    op.create_index('ix_task_state_key_due', 'task', ['state', 'definition_key', 'due_at'])


def downgrade() -> None:
    op.drop_index('ix_task_state_key_due', table_name='task')
    op.drop_index('ix_process_instance_key_status', table_name='process_instance')
    op.drop_index(op.f('ix_scheduler_heartbeat_polled_at'), table_name='scheduler_heartbeat')
    op.drop_table('scheduler_heartbeat')
