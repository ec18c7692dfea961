"""Log-in attempts for rate limiting and lockout, and hashed API tokens for systems

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('success', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt')))
    op.create_index('ix_login_attempt_username_at', 'login_attempt', ['username', 'at'])
    op.create_index('ix_login_attempt_address_at', 'login_attempt', ['address', 'at'])
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('scopes', engine.models.base.JSONText(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_used_at', engine.models.base.UTCDateTime(timezone=True),
                  nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash')))


def downgrade() -> None:
    op.drop_table('api_token')
    op.drop_index('ix_login_attempt_address_at', table_name='login_attempt')
    op.drop_index('ix_login_attempt_username_at', table_name='login_attempt')
    op.drop_table('login_attempt')
