"""Notifications: the outbox of e-mails about assigned, due and escalated tasks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('recipient', sa.String(length=64), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('due_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('max_attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_by', sa.String(length=128), nullable=True),
        sa.Column('claim_expires_at', engine.models.base.UTCDateTime(timezone=True),
                  nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')))
    op.create_index('ix_notification_instance_id', 'notification', ['instance_id'])
    op.create_index('ix_notification_status_due_at', 'notification', ['status', 'due_at'])


def downgrade() -> None:
    op.drop_index('ix_notification_status_due_at', table_name='notification')
    op.drop_index('ix_notification_instance_id', table_name='notification')
    op.drop_table('notification')
