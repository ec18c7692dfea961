"""Keep each deployed form's file as it was deployed

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 09:40:00

The form editor in the modeler downloads a deployed .form file byte for byte, so it opens
in Camunda Modeler as it was written. Forms deployed before this revision keep no source;
their download is the stored schema written as JSON.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('form_definition') as batch:
        batch.add_column(sa.Column('source', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('form_definition') as batch:
        batch.drop_column('source')
