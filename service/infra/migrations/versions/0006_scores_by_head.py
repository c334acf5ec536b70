"""scores by head: comments.scores, comments.name_scores, comments.severity and decisions.scores

A comment's (and an audit row's) scores become one JSON object per row, a key per head of the classifier, so a
head added to the classifier is stored without a schema change. ``severity`` (the highest of a comment's scores)
orders the queue without knowing the heads in SQL. The hostility and slur columns stay and are still written;
rows from before this revision are backfilled from them.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BATCH = 1000
"""Rows backfilled per statement (a large comments table is read a batch at a time, by id)."""

_comments = sa.table(
    'comments', sa.column('id', sa.Integer), sa.column('hostility', sa.Float), sa.column('slur', sa.Float),
    sa.column('name_hostility', sa.Float), sa.column('name_slur', sa.Float), sa.column('scores', sa.JSON),
    sa.column('name_scores', sa.JSON), sa.column('severity', sa.Float))
_decisions = sa.table(
    'decisions', sa.column('id', sa.Integer), sa.column('hostility', sa.Float), sa.column('slur', sa.Float),
    sa.column('scores', sa.JSON))


def _known(**values: float | None) -> dict[str, float] | None:
    # The two heads this schema had columns for; a head without a score is left out, as new rows leave it out.
    known = {head: value for head, value in values.items() if value is not None}
    return known or None


def _backfill(table: sa.TableClause, make: object) -> None:
    """Rewrite every scored row of ``table`` with the values ``make(row)`` gives, BATCH rows at a time."""
    bind = op.get_bind()
    scored = sa.or_(table.c.hostility.isnot(None), table.c.slur.isnot(None))
    columns = [column for column in table.c if column.name not in ('scores', 'name_scores', 'severity')]
    last = 0
    while True:
        rows = bind.execute(sa.select(*columns).where(scored, table.c.id > last).order_by(table.c.id)
                            .limit(BATCH)).all()
        if not rows:
            return
        values = [make(row) for row in rows]  # type: ignore[operator]
        names = [name for name in values[0] if name != 'row_id']
        bind.execute(table.update().where(table.c.id == sa.bindparam('row_id'))
                     .values({name: sa.bindparam(name + '_new') for name in names}),
                     [{'row_id': value['row_id'], **{name + '_new': value[name] for name in names}}
                      for value in values])
        last = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table('comments') as batch:
        batch.add_column(sa.Column('scores', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('name_scores', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('severity', sa.Float(), nullable=True))
    with op.batch_alter_table('decisions') as batch:
        batch.add_column(sa.Column('scores', sa.JSON(), nullable=True))
    _backfill(_comments, lambda row: {
        'row_id': row.id, 'scores': _known(hostility=row.hostility, slur=row.slur),
        'name_scores': _known(hostility=row.name_hostility, slur=row.name_slur),
        'severity': max(row.hostility or 0.0, row.slur or 0.0)})
    _backfill(_decisions, lambda row: {'row_id': row.id, 'scores': _known(hostility=row.hostility, slur=row.slur)})


def downgrade() -> None:
    with op.batch_alter_table('decisions') as batch:  # SQLite cannot drop a column in place
        batch.drop_column('scores')
    with op.batch_alter_table('comments') as batch:
        batch.drop_column('severity')
        batch.drop_column('name_scores')
        batch.drop_column('scores')
