"""The broker, seen from both sides: Celery configuration shared by the web app and the worker.

The web app only sends tasks, by name, so it never imports the worker's code. Embedded mode uses
Kombu's filesystem transport: a real worker process consumes it (never eager mode), and it needs no
server. Production uses Redis.
"""

from __future__ import annotations

from collections.abc import Sequence

from celery import Celery

from service.config import Settings
from service.infra.filesystem_broker import TRANSPORT as FILESYSTEM_TRANSPORT

# Explicit task names, here for both sides: renaming a module must not orphan queued messages, and the web app
# and the command line send by name, never importing the worker.
SCORE_TASK = "moderation.score_comment"
"""Score one comment (worker/tasks.py)."""
SCORE_BATCH_TASK = "moderation.score_comments"
"""The same for several comments in one message (see service.infra.scoring_queue.Publisher)."""
DELIVER_TASK = "moderation.deliver_webhook"
"""Attempt one webhook delivery (worker/webhook_tasks.py)."""
RETRAIN_TASK = "moderation.retrain"
"""Run one retraining job (worker/retrain_tasks.py)."""
DEFAULT_QUEUE = "celery"
"""Scoring, webhook deliveries: Celery's default queue name, so messages queued before queues existed still run."""
RETRAIN_QUEUE = "retrain"
"""Retraining alone: a retraining takes minutes of CPU, and a worker that only runs it (`moderation worker
--queues retrain`, started by `moderation run`) leaves scoring to the others, so comments never wait for it."""
QUEUES = {"default": DEFAULT_QUEUE, "retrain": RETRAIN_QUEUE}
"""`moderation worker --queues` names → Celery queue names."""
BATCH_MAX = 20
"""Most comments per batch message: enough to share the publishing cost under load, few enough that
several worker processes still share a burst."""


def celery_config(settings: Settings) -> dict:
    """Celery settings for ``settings``' broker; results are not kept (tasks write to the database)."""
    config: dict = {
        "broker_url": settings.broker_url,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_serializer": "json",
        "accept_content": ["json"],
        "broker_connection_retry_on_startup": True,
        "task_default_queue": DEFAULT_QUEUE,
        # Both sides route by name; the sender's route is what puts a retraining on its own queue.
        "task_routes": {RETRAIN_TASK: {"queue": RETRAIN_QUEUE}},
    }
    if settings.embedded:
        folder = settings.broker_folder.resolve()
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        if settings.broker_url == "filesystem://":
            # The transport ignores the host, but Kombu warns on every connection when there is none.
            config["broker_url"] = "filesystem://localhost/"
        config["broker_transport"] = FILESYSTEM_TRANSPORT  # Kombu's, with atomic message writes
        config["broker_transport_options"] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            # Kombu's default is a folder named "control" in the current directory (remote control,
            # e.g. `moderation worker --ping`), which would differ between the web app and the worker.
            "control_folder": str(folder / "control"),
            # The filesystem transport polls; Kombu's 1 s default would add up to a second per comment.
            "polling_interval": 0.05,
        }
    else:
        # Fail fast while Redis is down: the outbox (task_sent_at) and the sweeper cover the gap.
        config["broker_transport_options"] = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
    return config


def make_celery(settings: Settings, name: str = "moderation") -> Celery:
    """A Celery app configured for ``settings`` (no tasks registered here)."""
    app = Celery(name)
    app.conf.update(celery_config(settings))
    return app


def send_score(app: Celery, comment_id: int) -> None:
    """Queue scoring for one comment. Raises if the broker cannot take it (callers keep the outbox mark)."""
    app.send_task(SCORE_TASK, args=[comment_id])


def send_scores(app: Celery, comment_ids: Sequence[int]) -> None:
    """Queue scoring for several comments in one message (one comment: the single task). Raises like send_score."""
    if len(comment_ids) == 1:
        send_score(app, comment_ids[0])
    else:
        app.send_task(SCORE_BATCH_TASK, args=[list(comment_ids)])


def send_delivery(app: Celery, delivery_id: int) -> None:
    """Queue one attempt at a committed webhook delivery. Raises if the broker cannot take it (the sweep covers it)."""
    app.send_task(DELIVER_TASK, args=[delivery_id])


def send_retrain(app: Celery, job_id: int) -> None:
    """Queue the retraining task for a committed job, on the retraining queue (RETRAIN_QUEUE)."""
    app.send_task(RETRAIN_TASK, args=[job_id], queue=RETRAIN_QUEUE)
