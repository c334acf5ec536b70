"""The scoring outbox: a comment's ``task_sent_at`` records whether its scoring task reached the broker.

The row is committed first, marked (in the INSERT itself, see service.lifecycle.store.insert_comment), and
only then is its task sent; a refused send clears the mark again. The worker's sweeper claims pending
comments whose task was never sent, or was lost with the broker, and sends them again. This module is the
one home of those marks; functions take a session and never commit, except where they say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service.infra.models import Comment, Status, utcnow


def mark_task_sent(session: Session, comment_id: int) -> None:
    """Outbox: record that the scoring task for this comment reached the broker."""
    # A direct UPDATE, not a change to the loaded object: by now the worker may already have scored the
    # comment (bumping its revision), and a version-checked flush of a stale object would fail.
    session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.task_sent_at.is_(None))
        .values(task_sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def touch_task_sent(session: Session, comment_id: int) -> None:
    """Outbox: a task for this pending comment was (re)queued just now, so the sweeper leaves it alone."""
    session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.status == Status.PENDING)
        .values(task_sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def unmark_task_sent(session: Session, comment_ids: int | Sequence[int]) -> None:
    """Outbox: the broker refused the task(s) after all; leave the comments for the sweeper to re-send."""
    ids = [comment_ids] if isinstance(comment_ids, int) else list(comment_ids)
    session.execute(
        update(Comment)
        .where(Comment.id.in_(ids), Comment.status == Status.PENDING)
        .values(task_sent_at=None)
        .execution_options(synchronize_session=False)
    )


def claim_unsent(session: Session, older_than: datetime, limit: int = 500) -> list[int]:
    """Outbox sweep: pending comments posted before ``older_than`` whose task was never sent, or last sent
    before it (lost with a broker restart or a killed worker), oldest first; marks them sent now.

    The caller commits, then sends a task for each id (and unmarks those the broker refuses). Rows are
    locked with SKIP LOCKED on PostgreSQL, so two workers sweeping at once never claim the same comment;
    a comment that is sent twice anyway is harmless (scoring is idempotent), only wasted work.
    """
    query = (
        select(Comment.id)
        .where(Comment.status == Status.PENDING, Comment.created_at < older_than,
               or_(Comment.task_sent_at.is_(None), Comment.task_sent_at < older_than))
        .order_by(Comment.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(Comment).where(Comment.id.in_(ids)).values(task_sent_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return ids


