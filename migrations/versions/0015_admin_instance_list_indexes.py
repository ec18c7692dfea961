"""Indexes for the administrators' instance list

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 07:15:00

The list at /admin/saker reads instances newest first (by id) in pages, filtered by status,
by an open incident or by when they started. With these indexes each filter reads a page
from an index range instead of scanning the table.
"""

from __future__ import annotations

from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_process_instance_status_id', 'process_instance', ['status', 'id'])
    op.create_index('ix_process_instance_incident_id', 'process_instance',
                    ['has_incident', 'id'])
    op.create_index('ix_process_instance_started_at', 'process_instance', ['started_at'])


def downgrade() -> None:
    op.drop_index('ix_process_instance_started_at', table_name='process_instance')
    op.drop_index('ix_process_instance_incident_id', table_name='process_instance')
    op.drop_index('ix_process_instance_status_id', table_name='process_instance')
