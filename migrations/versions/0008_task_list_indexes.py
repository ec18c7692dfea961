"""Task list indexes in the lists' sort order

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 00:30:00

Each open-task list filters on one column (assignee, unit) or none and sorts by deadline,
priority, creation and id. With the sort columns in the index after the filter column, the
database reads a page in order and stops after it, instead of sorting every matching task.
One more index serves the sort by priority. The three older indexes are prefixes of the new
ones, so they go.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BY_DUE = ['due_at', sa.text('priority DESC'), 'created_at', 'id']
NEW = {
    'ix_task_open_due': ['state', *BY_DUE],
    'ix_task_open_assignee_due': ['state', 'assignee', *BY_DUE],
    'ix_task_open_unit_due': ['state', 'unit_id', *BY_DUE],
    'ix_task_open_priority': ['state', sa.text('priority DESC'), 'due_at', 'created_at', 'id'],
}
OLD = {
    'ix_task_state_assignee': ['state', 'assignee'],
    'ix_task_state_due_at': ['state', 'due_at'],
    'ix_task_state_unit': ['state', 'unit_id'],
}


def upgrade() -> None:
    for name, columns in NEW.items():
        op.create_index(name, 'task', columns)
    for name in OLD:
        op.drop_index(name, table_name='task')


def downgrade() -> None:
    for name, columns in OLD.items():
        op.create_index(name, 'task', columns)
    for name in NEW:
        op.drop_index(name, table_name='task')
