"""The retraining task: thin, by job id, idempotent (see service.lifecycle.retrain.jobs.run_job)."""

from __future__ import annotations

from celery import Celery
from celery.utils.log import get_task_logger

from service.infra.broker import RETRAIN_TASK
from service.lifecycle.retrain.jobs import run_job
from worker.context import WorkerContext

log = get_task_logger("moderation.worker")


def register_retrain_tasks(app: Celery, context: WorkerContext) -> None:
    """Register the retraining task on ``app``."""

    @app.task(name=RETRAIN_TASK, acks_late=True, ignore_result=True)
    def retrain(job_id: int) -> str:
        """Run retraining job ``job_id``: train, judge, activate or reject; progress goes to the job row."""
        outcome = run_job(context.sessions, context.settings, job_id)
        log.info("retraining job %s: %s", job_id, outcome)
        return outcome
