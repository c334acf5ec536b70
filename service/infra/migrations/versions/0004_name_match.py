"""comments.name_match: which part of the display name scored, and why (shown in the workbench)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comments') as batch:
        batch.add_column(sa.Column('name_match', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('comments') as batch:
        batch.drop_column('name_match')
