"""reporters and moderator account events: who reported (to count distinct reporters), and the accounts' audit log

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Reports filed before this revision have no key: each then counts as a reporter of its own.
    op.add_column('reports', sa.Column('reporter_key', sa.String(length=250), nullable=True))
    op.create_table('moderator_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('detail', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['moderator_id'], ['moderators.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_moderator_events_moderator_id'), 'moderator_events', ['moderator_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_moderator_events_moderator_id'), table_name='moderator_events')
    op.drop_table('moderator_events')
    with op.batch_alter_table('reports') as batch:  # SQLite cannot drop a column in place
        batch.drop_column('reporter_key')
