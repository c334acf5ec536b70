"""The scoring outbox: a comment's ``task_sent_at`` records whether its scoring task reached the broker.

The row is committed first, marked (in the INSERT itself, see service.lifecycle.store.insert_comment), and
only then is its task sent; a refused send clears the mark again. The worker's sweeper claims pending
comments whose task was never sent, or was lost with the broker, and sends them again. This module is the
one home of those marks and of :func:`send_scoring`, the one way a scoring task is sent and, if the broker
refuses it, unmarked. Functions take a session and never commit, except where they say so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from celery import Celery
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from service.infra.broker import send_scores
from service.infra.models import Comment, Status, utcnow

log = logging.getLogger("moderation.queue")


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




def unmarker(sessions: sessionmaker[Session]) -> Callable[[Sequence[int]], None]:
    """An ``unmark`` for :func:`send_scoring`: clears the marks of refused comments and commits, in a session of
    its own (the request's or the sweep's transaction is over by then)."""

    def unmark(comment_ids: Sequence[int]) -> None:
        with sessions() as session:
            unmark_task_sent(session, comment_ids)
            session.commit()

    return unmark


def send_scoring(celery: Celery, comment_ids: Sequence[int], unmark: Callable[[Sequence[int]], object], *,
                 one_per_message: bool = False, behind: Callable[[], Sequence[int]] | None = None) -> list[int]:
    """Send the scoring tasks of committed, marked comments; returns the ids the broker refused ([] when none).

    The ids go as one message (the caller keeps it to BATCH_MAX), or one message each with ``one_per_message``
    (the sweeper's re-sends). At the first refusal every id not sent yet, and ``behind()`` (ids queued after
    these, which a broker that is down would refuse too), is logged once and handed to ``unmark``. A failing
    ``unmark`` is only logged: the comments are stored, and the sweeper finds pending comments by age anyway.
    """
    if one_per_message:
        messages = [[comment_id] for comment_id in comment_ids]
    else:
        messages = [list(comment_ids)] if comment_ids else []
    for position, ids in enumerate(messages):
        try:
            send_scores(celery, ids)
        except Exception as error:  # any broker failure: the rows are safe and the sweeper re-sends them
            refused = [comment_id for message in messages[position:] for comment_id in message]
            refused += behind() if behind is not None else []
            log.warning("broker refused the scoring task; left in the outbox",
                        extra={"comment_id": refused[0], "comments": len(refused),
                               "error": f"{type(error).__name__}: {error}"[:300]})
            try:
                unmark(refused)
            except Exception as unmark_error:  # e.g. the database went too; still not a failed request
                log.warning("could not clear the outbox mark",
                            extra={"comments": len(refused), "error": f"{type(unmark_error).__name__}"})
            return refused
    return []
