"""Webhook delivery from the worker: a task per delivery, and a sweep for the due and the never-sent.

The commit of a transition sends ``moderation.deliver_webhook`` with the delivery's id (whoever commits: the
web app, this worker, the command line; service.lifecycle.webhooks.outbox.dispatch_on_commit). The sweep, a
daemon thread in each worker's main process, wakes every MODERATION_WEBHOOK_SWEEP_SECONDS and attempts
whatever is due: retries after their backoff, and events whose task never reached the broker (it was down).
Both paths claim a row before posting (service.lifecycle.webhooks.delivery.claim), so a delivery is attempted
by one of them at a time.

A receiver that is down only costs attempts on its own rows: the comment's transition is committed
before any of this runs.
"""

from __future__ import annotations

from celery import Celery
from celery.signals import worker_ready, worker_shutdown
from celery.utils.log import get_task_logger

from service.infra.broker import DELIVER_TASK
from service.lifecycle.webhooks.delivery import Outcome, attempt, due
from worker.context import WorkerContext
from worker.periodic import Periodic

log = get_task_logger("moderation.webhooks")


def deliver(context: WorkerContext, delivery_id: int) -> Outcome:
    """One attempt at one delivery (skipped when it is not due or another attempt holds it)."""
    settings = context.settings
    with context.sessions() as session:
        return attempt(session, delivery_id, settings.webhook_attempts, settings.webhook_retry_seconds)


def sweep(context: WorkerContext) -> list[Outcome]:
    """Attempt every delivery that is due now; returns the outcomes."""
    with context.sessions() as session:
        ids = due(session)
    return [deliver(context, delivery_id) for delivery_id in ids]


def sweep_and_log(context: WorkerContext) -> None:
    """One pass of the webhook sweep, logging every delivery it attempted."""
    for outcome in sweep(context):
        if outcome.status != "skipped":
            log.info("webhook sweep: %s %s", outcome.status, outcome.error or outcome.status_code)


def register_webhook_tasks(app: Celery, context: WorkerContext) -> None:
    """Register the delivery task on ``app`` and start the sweep when the worker is ready."""

    @app.task(name=DELIVER_TASK, acks_late=True, ignore_result=True)
    def deliver_webhook(delivery_id: int) -> str:
        """Attempt delivery ``delivery_id`` once; failures are retried by the sweep after their backoff."""
        outcome = deliver(context, delivery_id)
        if outcome.status != "skipped":
            log.info("webhook delivery %s: %s %s", delivery_id, outcome.status,
                     outcome.error or outcome.status_code)
        return outcome.status

    sweeper = Periodic("webhook sweep", context.settings.webhook_sweep_seconds, lambda: sweep_and_log(context),
                       at_start=False)

    def start(**_: object) -> None:
        sweeper.start()

    def stop(**_: object) -> None:
        sweeper.stop()

    # Celery's signals are process-wide; weak=False keeps these closures alive as long as the process.
    worker_ready.connect(start, weak=False)
    worker_shutdown.connect(stop, weak=False)
