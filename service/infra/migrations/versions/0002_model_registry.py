"""model registry for retraining

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        # Server defaults so rows registered before this migration get valid values.
        batch_op.add_column(sa.Column('status', sa.String(length=16), nullable=False, server_default='candidate'))
        batch_op.add_column(sa.Column('status_reason', sa.String(length=1000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('created_by', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('training_data', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('moderator_labels', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('newest_decision_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('evaluation', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.create_index(batch_op.f('ix_model_versions_status'), ['status'], unique=False)
    # Versions registered before the registry had a status: the active one is active, the rest retired.
    op.execute("UPDATE model_versions SET status = CASE WHEN active THEN 'active' ELSE 'retired' END")

    op.create_table('model_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('detail', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('model_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_events_version'), ['version'], unique=False)

    op.create_table('retrain_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('force', sa.Boolean(), nullable=False),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('stage', sa.String(length=200), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('message', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('retrain_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retrain_jobs_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('retrain_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retrain_jobs_status'))
    op.drop_table('retrain_jobs')
    with op.batch_alter_table('model_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_events_version'))
    op.drop_table('model_events')
    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_versions_status'))
        for column in ('evaluation', 'newest_decision_id', 'moderator_labels', 'training_data', 'created_by',
                       'status_reason', 'status'):
            batch_op.drop_column(column)
