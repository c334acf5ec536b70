"""The score task against a concurrent change of the same row (a real second session on the same SQLite file)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from service.infra.models import Comment, Status
from service.lifecycle.active_model import register_bundle
from service.lifecycle.store import submit_comment
from service.lifecycle.transitions import report_comment
from worker.context import WorkerContext
from worker.tasks import score


def test_a_report_on_a_pending_comment_during_scoring_does_not_leave_it_pending(
        context: WorkerContext, seed_model: Path) -> None:
    with context.sessions() as session:
        register_bundle(session, seed_model, activate=True)
        comment_id = submit_comment(session, article_id="a1", author_id="u1", author_name="Reader",
                                    text="The figures in the third paragraph are from 2019.").id
        session.commit()
    reported = []

    def report_first(session: Session, *_: object) -> None:
        # Between the worker's read and its write, a reader reports the still-pending comment.
        if not reported and any(isinstance(item, Comment) for item in session.dirty):
            reported.append(True)  # first: the report's own flush comes through here too
            with context.sessions() as other:
                report_comment(other, other.get(Comment, comment_id), reason="spam?")
                other.commit()

    event.listen(Session, "before_flush", report_first)
    try:
        outcome = score(context, comment_id)
    finally:
        event.remove(Session, "before_flush", report_first)
    assert reported, "the race was not staged"
    with context.sessions() as session:
        comment = session.get(Comment, comment_id)
        assert comment.status in (Status.PUBLISHED, Status.HELD) and outcome == comment.status
        assert comment.report_count == 1 and comment.scored_at is not None
