"""Drafts of processes and their forms, saved by process owners before they deploy

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 07:30:00

A draft holds the BPMN text and the form-js forms as the modeler last saved them. It names
the deployed version it began from, and after a deploy the version it became.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'process_draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_key', sa.String(length=128), nullable=True),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('bpmn_xml', sa.Text(), nullable=False),
        sa.Column('forms', engine.models.base.JSONText(), nullable=False),
        sa.Column('author', sa.String(length=64), nullable=False),
        sa.Column('created_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('base_version', sa.Integer(), nullable=True),
        sa.Column('deployed_version', sa.Integer(), nullable=True),
        sa.Column('deployed_at', engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process_draft')))
    op.create_index('ix_process_draft_process_key', 'process_draft', ['process_key'])


def downgrade() -> None:
    op.drop_index('ix_process_draft_process_key', table_name='process_draft')
    op.drop_table('process_draft')
