"""The worker's Celery app, built by a factory: importing this module builds nothing.

`moderation worker` calls :func:`create_worker` and starts it; tests and benchmarks start that command
as a real process. The web app never imports this package: it sends tasks by name (service.infra.broker).
"""

from __future__ import annotations

import logging

from celery import Celery
from celery.signals import worker_process_init, worker_ready, worker_shutdown

from service.config import Settings, load_settings
from service.infra.broker import make_celery
from service.lifecycle.active_model import NoActiveModel
from service.lifecycle.policy import check_thresholds
from worker.context import WorkerContext
from worker.retrain_tasks import register_retrain_tasks
from worker.sweeper import Sweeper
from worker.tasks import register_tasks
from worker.webhook_tasks import register_webhook_tasks

log = logging.getLogger("moderation.worker")


def create_worker(settings: Settings | None = None, retrain_only: bool = False) -> Celery:
    """A Celery app for ``settings``' broker with the worker's tasks registered.

    The database engine and the model are created in each worker process on first use (after the
    prefork pool has forked), never here. A worker that only consumes the retraining queue
    (``retrain_only``) loads no model to score with and runs no outbox sweeper: both belong to the
    workers that score.
    """
    settings = settings or load_settings()
    check_thresholds(settings)  # a MODERATION_HOLD_<HEAD> naming no head fails here, not at the first comment
    app = make_celery(settings, name="moderation-worker")
    context = WorkerContext(settings, app)
    app.moderation_context = context  # type: ignore[attr-defined]  # for `moderation worker` and tests
    register_tasks(app, context)
    register_webhook_tasks(app, context)
    register_retrain_tasks(app, context)

    def warm_up(**_: object) -> None:
        # Load the model before the first comment arrives, so its latency is not the load time.
        try:
            context.active_model.scorer()
        except NoActiveModel as reason:
            log.warning("no model yet: %s (comments wait until one is active)", reason)
        except Exception:  # the first task will report it properly; starting must not fail here
            log.exception("could not load the model while starting")

    def warm_up_solo(**_: object) -> None:
        # With the prefork pool the main process only dispatches; loading the model there wastes memory.
        if app.conf.worker_pool == "solo":
            warm_up()

    if retrain_only:
        return app
    # Celery's signals are process-wide; weak=False keeps these closures alive as long as the process.
    worker_process_init.connect(warm_up, weak=False)
    worker_ready.connect(warm_up_solo, weak=False)

    # The outbox sweeper runs in the main process of every worker (a thread), from start to shutdown.
    sweeper = Sweeper(app, settings)
    app.moderation_sweeper = sweeper  # type: ignore[attr-defined]
    worker_ready.connect(lambda **_: sweeper.start(), weak=False)
    worker_shutdown.connect(lambda **_: sweeper.stop(), weak=False)
    return app
