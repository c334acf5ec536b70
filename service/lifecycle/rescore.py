"""`moderation rescore --held`: rescore held comments with the active model, in committed batches.

A better model can release comments it now considers fine (published, logged as released by "model").
Resumable without a checkpoint: a comment rescored by the active version carries that version, so a
run that was interrupted (or run again) only picks up held comments scored by some other version.
Every transition goes through service.lifecycle.transitions.rescore_held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from classifier import Scorer
from service.config import Settings
from service.infra.models import Comment, Status
from service.lifecycle.assess import assess_many
from service.lifecycle.transitions import rescore_held

BATCH = 200


@dataclass
class RescoreCounts:
    """What a rescoring run did."""

    released: int = 0
    held: int = 0
    skipped: int = 0
    """Decided by a moderator while the run was going (no longer held)."""


def _to_rescore(version: str):
    return select(Comment.id).where(
        Comment.status == Status.HELD, or_(Comment.model_version.is_(None), Comment.model_version != version))


def count_to_rescore(session: Session, version: str) -> int:
    """Held comments not yet scored by ``version``."""
    return session.scalar(select(func.count()).select_from(_to_rescore(version).subquery())) or 0


def _batch(session: Session, scorer: Scorer, settings: Settings, ids: list[int], counts: RescoreCounts) -> None:
    comments = list(session.scalars(select(Comment).where(Comment.id.in_(ids)).order_by(Comment.id)))
    assessments = assess_many(scorer, settings, [c.text for c in comments], [c.author_name for c in comments])
    for comment, assessment in zip(comments, assessments, strict=True):
        outcome = rescore_held(session, comment.id, assessment.result(), assessment.policy)
        if outcome == "released":
            counts.released += 1
        elif outcome == "held":
            counts.held += 1
        else:
            counts.skipped += 1


def rescore_held_comments(sessions: sessionmaker[Session], settings: Settings, scorer: Scorer,
                          batch: int = BATCH, progress: Callable[[int], None] | None = None) -> RescoreCounts:
    """Rescore every held comment not yet scored by ``scorer``'s version; one transaction per batch.

    A batch that collides with a moderator's decision (the revision check) is rolled back and redone,
    and the comment that moderator decided is then skipped.
    """
    counts = RescoreCounts()
    after = 0
    while True:
        with sessions() as session:
            ids = list(session.scalars(_to_rescore(scorer.version).where(Comment.id > after)
                                       .order_by(Comment.id).limit(batch)))
            if not ids:
                return counts
            for attempt in range(3):
                trial = RescoreCounts()
                try:
                    _batch(session, scorer, settings, ids, trial)
                    session.commit()
                    break
                except StaleDataError:
                    session.rollback()
                    if attempt == 2:
                        raise
            counts.released += trial.released
            counts.held += trial.held
            counts.skipped += trial.skipped
        after = ids[-1]
        if progress is not None:
            progress(len(ids))
