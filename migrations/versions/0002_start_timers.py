"""Timer start events: timers that belong to a process version instead of an instance

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.alter_column('instance_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('task_id', existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column('definition_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('remaining', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_timer_definition_id_process_definition',
                                    'process_definition', ['definition_id'], ['id'])
        batch_op.create_index('ix_timer_definition_id', ['definition_id'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM timer WHERE instance_id IS NULL")
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.drop_index('ix_timer_definition_id')
        batch_op.drop_constraint('fk_timer_definition_id_process_definition',
                                 type_='foreignkey')
        batch_op.drop_column('remaining')
        batch_op.drop_column('definition_id')
        batch_op.alter_column('task_id', existing_type=sa.String(length=36), nullable=False)
        batch_op.alter_column('instance_id', existing_type=sa.Integer(), nullable=False)
