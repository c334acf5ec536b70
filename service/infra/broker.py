"""The broker, seen from both sides: Celery configuration shared by the web app and the worker.

The web app only sends tasks, by name, so it never imports the worker's code. Embedded mode uses
Kombu's filesystem transport: a real worker process consumes it (never eager mode), and it needs no
server. Production uses Redis.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence

from celery import Celery

from service.config import Settings
from service.infra.filesystem_broker import TRANSPORT as FILESYSTEM_TRANSPORT

log = logging.getLogger("moderation.queue")

# Explicit task names, here for both sides: renaming a module must not orphan queued messages, and the web app
# and the command line send by name, never importing the worker.
SCORE_TASK = "moderation.score_comment"
"""Score one comment (worker/tasks.py)."""
SCORE_BATCH_TASK = "moderation.score_comments"
"""The same for several comments in one message (see Publisher)."""
DELIVER_TASK = "moderation.deliver_webhook"
"""Attempt one webhook delivery (worker/webhook_tasks.py)."""
RETRAIN_TASK = "moderation.retrain"
"""Run one retraining job (worker/retrain_tasks.py)."""
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
    """Queue the retraining task for a committed job."""
    app.send_task(RETRAIN_TASK, args=[job_id])


class Publisher:
    """Sends scoring tasks from a background thread of this process, so a POST does not wait for the broker.

    The view commits the comment (with its outbox mark), hands the id to :meth:`submit` and answers.
    The thread publishes whatever has queued up meanwhile as one message (up to BATCH_MAX comments):
    at a low rate that is one comment per message, as without it; under load the cost of publishing,
    as much CPU as the rest of a POST, is shared by the batch. When the broker refuses, ``on_refused``
    gets the ids (the web app clears their outbox marks).

    Nothing depends on this thread for correctness: a comment whose task was never published, because
    the broker was down or this process died with ids still queued, stays pending and the worker's
    sweeper re-sends it once it is older than MODERATION_SWEEP_AGE_SECONDS.
    """

    FLUSH_SECONDS = 5.0
    """How long a stopping process keeps publishing what is still queued (then the sweeper takes over)."""
    BUSY_GAP_SECONDS = 0.005
    """Comments arriving less than this far apart on average (over 200 a second in this process) are load."""
    LINGER_SECONDS = 0.02
    """Under load, how long the thread waits for more comments before publishing: a message costs about as
    much CPU as the rest of a POST, whatever its size, so at hundreds of comments per second this turns many
    messages into one, for at most this much delay. At a lower rate a comment is published at once."""
    GAP_WEIGHT = 0.2
    """Weight of the newest gap in the running average of the gaps between comments."""

    def __init__(self, app: Celery, on_refused: Callable[[Sequence[int]], None]) -> None:
        self._app = app
        self._on_refused = on_refused
        self._queue: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._pending = 0  # submitted and not yet published or refused
        self._done = threading.Condition()
        self._last_submitted = float("-inf")  # time.monotonic() of the previous submit
        self._mean_gap = 1.0  # running average of the seconds between submits (at most 1 s each)

    def submit(self, comment_id: int) -> None:
        """Queue one committed comment for publishing; returns at once."""
        self._ensure_thread()
        with self._done:
            self._pending += 1
            now = time.monotonic()
            gap = min(now - self._last_submitted, 1.0)
            self._mean_gap += self.GAP_WEIGHT * (gap - self._mean_gap)
            self._last_submitted = now
        self._queue.put(comment_id)

    @property
    def busy(self) -> bool:
        """Whether comments arrive fast enough here for batching to be worth a short wait."""
        return self._mean_gap < self.BUSY_GAP_SECONDS

    def flush(self, timeout: float = FLUSH_SECONDS) -> bool:
        """Wait until everything submitted so far was published or refused; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._done:
            while self._pending > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(left)
        return True

    def _ensure_thread(self) -> None:
        # Per process: a thread does not survive fork (gunicorn forks its workers after importing).
        if self._pid == os.getpid() and self._thread is not None:
            return
        with self._lock:
            if self._pid == os.getpid() and self._thread is not None:
                return
            self._queue = queue.SimpleQueue()
            self._pending = 0
            self._thread = threading.Thread(target=self._run, name="moderation-publisher", daemon=True)
            self._pid = os.getpid()
            self._thread.start()
            atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            comment_id = self._queue.get()
            if comment_id is None:
                return
            handled = [comment_id, *self._drain(BATCH_MAX - 1)]
            if len(handled) < BATCH_MAX and self.busy:
                handled += self._drain(BATCH_MAX - len(handled), time.monotonic() + self.LINGER_SECONDS)
            try:
                send_scores(self._app, handled)
            except Exception as error:  # any broker failure: the row is safe and the sweeper re-sends it
                refused = handled = [*handled, *self._drain()]
                log.warning("broker refused the scoring task; left in the outbox",
                            extra={"comment_id": comment_id, "comments": len(refused),
                                   "error": f"{type(error).__name__}: {error}"[:300]})
                try:
                    self._on_refused(refused)
                except Exception as unmark_error:  # the sweeper finds them by age all the same
                    log.warning("could not clear the outbox mark",
                                extra={"comments": len(refused), "error": f"{type(unmark_error).__name__}"})
            finally:
                with self._done:
                    self._pending -= len(handled)
                    self._done.notify_all()

    def _drain(self, limit: int | None = None, deadline: float | None = None) -> list[int]:
        """Up to ``limit`` ids queued now (all of them behind a refused task: the broker is down), or, with a
        ``deadline``, arriving until then."""
        drained: list[int] = []
        while limit is None or len(drained) < limit:
            try:
                if deadline is None:
                    item = self._queue.get_nowait()
                else:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    item = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if item is not None:
                drained.append(item)
        return drained


def publisher(app: Celery, on_refused: Callable[[Sequence[int]], None]) -> Publisher:
    """The Celery app's one Publisher (created on first use)."""
    found = getattr(app, "moderation_publisher", None)
    if found is None:
        found = Publisher(app, on_refused)
        app.moderation_publisher = found  # type: ignore[attr-defined]
    return found
