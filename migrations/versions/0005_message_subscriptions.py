"""Message subscriptions: what instances and process versions wait for by message name

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'message_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_name', sa.String(length=255), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('definition_id', sa.Integer(), nullable=True),
        sa.Column('element_id', sa.String(length=255), nullable=False),
        sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'],
                                name=op.f('fk_message_subscription_definition_id_process_'
                                          'definition')),
        sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                                name=op.f('fk_message_subscription_instance_id_process_'
                                          'instance')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_message_subscription')))
    op.create_index('ix_message_subscription_message_name', 'message_subscription',
                    ['message_name'])
    op.create_index('ix_message_subscription_instance_id', 'message_subscription',
                    ['instance_id'])
    op.create_index('ix_message_subscription_definition_id', 'message_subscription',
                    ['definition_id'])
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('has_subscriptions', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_column('has_subscriptions')
    op.drop_table('message_subscription')
