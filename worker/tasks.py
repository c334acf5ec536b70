"""The worker's tasks. Thin: they take ids, open one session, call the domain, commit.

Every task is idempotent, so ``acks_late`` (a message is acknowledged only after its task ran) is safe:
a message redelivered after a crash finds the comment already past pending and does nothing.
"""

from __future__ import annotations

from celery import Celery, Task
from celery.utils.log import get_task_logger
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from classifier.scoring import Scorer
from service.active_model import NoActiveModel
from service.domain import ScoreResult, record_score
from service.models import Comment, Status
from service.policy import policy_for
from service.queue import SCORE_TASK
from worker.context import WorkerContext

log = get_task_logger("moderation.worker")

MODEL_WAIT_MAX_SECONDS = 300
"""Longest pause between attempts while no model is active (the comment stays pending meanwhile)."""
DATABASE_RETRIES = 10
"""Attempts before a task gives up on an unreachable database (the comment then stays pending)."""


def retry_delay(retries: int, cap: int = MODEL_WAIT_MAX_SECONDS) -> int:
    """Seconds before the next attempt: 5, 10, 20, … up to ``cap``, so a missing model is no busy loop."""
    return min(cap, 5 * 2 ** min(retries, 10))


def score_result(scorer: Scorer, text: str, author_name: str) -> ScoreResult:
    """Score a comment's text and its author's display name with one scorer."""
    verdict = scorer.score(text)
    name = scorer.score_name(author_name)
    return ScoreResult(
        hostility=verdict.hostility, slur=verdict.slur, spans=[span.as_dict() for span in verdict.spans],
        name_hostility=name.hostility, name_slur=name.slur, model_version=scorer.version,
    )


def score(context: WorkerContext, comment_id: int) -> str:
    """Score one pending comment and publish or hold it; returns what happened (for logs and tests).

    Raises NoActiveModel when there is no usable model; the comment is then left untouched.
    """
    with context.sessions() as session:
        comment = session.get(Comment, comment_id)
        if comment is None:
            return "missing"
        if comment.status != Status.PENDING:
            return "already scored"
        scorer = context.active_model.scorer()
        result = score_result(scorer, comment.text, comment.author_name)
        try:
            scored = record_score(session, comment_id, result, policy_for(context.settings, scorer.thresholds))
            session.commit()
        except StaleDataError:
            # Another delivery of the same message scored it between our read and our write.
            session.rollback()
            return "already scored"
        return scored.status if scored is not None else "already scored"


def register_tasks(app: Celery, context: WorkerContext) -> None:
    """Register the worker's tasks on ``app``; they use ``context`` for database and model."""

    @app.task(name=SCORE_TASK, bind=True, acks_late=True, ignore_result=True, max_retries=None)
    def score_comment(self: Task, comment_id: int) -> str:
        """Score comment ``comment_id``; waits (by retrying) while no model is active."""
        try:
            outcome = score(context, comment_id)
        except NoActiveModel as reason:
            delay = retry_delay(self.request.retries)
            log.warning("comment %s not scored: %s; retrying in %s s", comment_id, reason, delay)
            raise self.retry(countdown=delay) from None
        except OperationalError as error:
            delay = retry_delay(self.request.retries, cap=60)
            log.warning("comment %s not scored: database unavailable (%s); retrying in %s s",
                        comment_id, error.orig, delay)
            raise self.retry(countdown=delay, max_retries=DATABASE_RETRIES) from None
        log.info("comment %s: %s", comment_id, outcome)
        return outcome
