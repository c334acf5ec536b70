"""The worker's tasks. Thin: they take ids, open one session, call the domain, commit.

Every task is idempotent, so ``acks_late`` (a message is acknowledged only after its task ran) is safe:
a message redelivered after a crash finds the comment already past pending and does nothing.
"""

from __future__ import annotations

from celery import Celery, Task
from celery.utils.log import get_task_logger
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from service.infra.broker import SCORE_BATCH_TASK, SCORE_TASK
from service.infra.models import Comment, Status
from service.infra.outbox import touch_task_sent
from service.lifecycle.active_model import NoActiveModel
from service.lifecycle.assess import assess
from service.lifecycle.transitions import record_score
from worker.context import WorkerContext

log = get_task_logger("moderation.worker")

MODEL_WAIT_MAX_SECONDS = 300
"""Longest pause between attempts while no model is active (the comment stays pending meanwhile)."""
STALE_ATTEMPTS = 5
"""Reads and writes of one comment before a task leaves it to the sweeper (each race costs one attempt)."""
DATABASE_RETRIES = 10
"""Attempts before a task gives up on an unreachable database (the comment then stays pending)."""


def retry_delay(retries: int, cap: int = MODEL_WAIT_MAX_SECONDS) -> int:
    """Seconds before the next attempt: 5, 10, 20, … up to ``cap``, so a missing model is no busy loop."""
    return min(cap, 5 * 2 ** min(retries, 10))


def score(context: WorkerContext, comment_id: int) -> str:
    """Score one pending comment and publish or hold it; returns what happened (for logs and tests).

    Raises NoActiveModel when there is no usable model; the comment is then left untouched. The commit sends
    the transition's webhook events (the context's sessions dispatch them).
    """
    for _ in range(STALE_ATTEMPTS):
        with context.sessions() as session:
            comment = session.get(Comment, comment_id)
            if comment is None:
                return "missing"
            if comment.status != Status.PENDING:
                return "already scored"
            scorer = context.active_model.scorer()
            _log_refused_model(context, scorer.version)
            assessment = assess(scorer, context.settings, comment.text, comment.author_name)
            try:
                scored = record_score(session, comment_id, assessment.result(), assessment.policy)
                session.commit()
            except StaleDataError:
                # The row changed between our read and our write: another delivery of this message scored
                # it, or a reader reported the comment while it was still pending. Read it again: the first
                # ends as "already scored", the second is scored now (giving up here would leave it pending
                # until the sweeper's age; a soak run found exactly that).
                session.rollback()
                continue
            return scored.status if scored is not None else "already scored"
    log.warning("comment %s changed under every one of %d attempts; left for the sweeper", comment_id, STALE_ATTEMPTS)
    return "contended"


_logged_refusal: dict[int, str | None] = {}
"""Per process (keyed by the WorkerContext): the refusal last logged, so each one is logged once."""


def _log_refused_model(context: WorkerContext, version: str) -> None:
    # The registry names a model this process refused (missing file, sha256 mismatch, unloadable): it
    # keeps scoring with the last good one, and says so once per refusal rather than once per comment.
    refusal = context.active_model.last_error
    if refusal != _logged_refusal.get(id(context)):
        _logged_refusal[id(context)] = refusal
        if refusal:
            log.warning("%s; still scoring with the last good model %s", refusal, version)


def model_wait_cap(sweep_age_seconds: float) -> int:
    """Longest pause between attempts while no model is usable: under half the sweeper's age."""
    return max(1, min(MODEL_WAIT_MAX_SECONDS, int(sweep_age_seconds / 2)))


def _touch_outbox(context: WorkerContext, comment_id: int) -> None:
    try:
        with context.sessions() as session:
            touch_task_sent(session, comment_id)
            session.commit()
    except OperationalError:  # the database is down too; the sweeper may then send it once more (harmless)
        pass


def register_tasks(app: Celery, context: WorkerContext) -> None:
    """Register the worker's tasks on ``app``; they use ``context`` for database and model."""

    def score_or_retry(task: Task, comment_ids: list[int]) -> list[str]:
        # One comment, or a batch in one message: each is idempotent, so a retry of the whole batch (or
        # its redelivery after a crash) re-scores nothing that was already scored.
        outcomes = []
        for comment_id in comment_ids:
            try:
                outcome = score(context, comment_id)
            except NoActiveModel as reason:
                # Retries come sooner than the sweeper's age, and each one re-marks the outbox: the sweeper
                # then leaves the comment to this chain instead of starting a second one every sweep.
                delay = retry_delay(task.request.retries, cap=model_wait_cap(context.settings.sweep_age_seconds))
                for waiting in comment_ids[len(outcomes):]:
                    log.warning("comment %s not scored: %s; retrying in %s s", waiting, reason, delay)
                    _touch_outbox(context, waiting)
                raise task.retry(countdown=delay) from None
            except OperationalError as error:
                delay = retry_delay(task.request.retries, cap=60)
                log.warning("comment %s not scored: database unavailable (%s); retrying in %s s",
                            comment_id, error.orig, delay)
                raise task.retry(countdown=delay, max_retries=DATABASE_RETRIES) from None
            log.info("comment %s: %s", comment_id, outcome)
            outcomes.append(outcome)
        return outcomes

    @app.task(name=SCORE_TASK, bind=True, acks_late=True, ignore_result=True, max_retries=None)
    def score_comment(self: Task, comment_id: int) -> str:
        """Score comment ``comment_id``; waits (by retrying) while no model is active."""
        return score_or_retry(self, [comment_id])[0]

    @app.task(name=SCORE_BATCH_TASK, bind=True, acks_late=True, ignore_result=True, max_retries=None)
    def score_comments(self: Task, comment_ids: list[int]) -> list[str]:
        """Score several comments sent in one message (the web app's publisher batches under load)."""
        return score_or_retry(self, list(comment_ids))
