"""The web app's scoring queue: how a committed comment's scoring task gets to the broker.

The app factory builds one (:func:`scoring_queue`) and a view ends with ``submit(comment_id)``. Embedded, the
broker is a file write on this machine: the task is sent inline, with nothing to wait for. With Redis a
background thread publishes (:class:`Publisher`), so the answer does not wait for the broker. Either way a
refused send clears the comment's outbox mark (service.infra.outbox.send_scoring), and a comment whose task
never arrives is re-sent by the worker's sweeper: nothing here is needed for correctness, only for speed.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from service.config import Settings
from service.infra.broker import BATCH_MAX
from service.infra.outbox import send_scoring, unmarker


class ScoringQueue(Protocol):
    """Where a view hands a committed comment whose scoring task is still to be sent."""

    def submit(self, comment_id: int) -> None:
        """Send (or queue for sending) the scoring task of one committed, marked comment; never raises."""


class InlineQueue:
    """Sends each comment's scoring task at once, in the request (the embedded broker: a local file write)."""

    def __init__(self, app: Celery, on_refused: Callable[[Sequence[int]], None]) -> None:
        self._app = app
        self._on_refused = on_refused

    def submit(self, comment_id: int) -> None:
        """Send the task now; a refusal is logged and unmarked, and the POST still answers 202."""
        send_scoring(self._app, [comment_id], self._on_refused)


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
                # Refused: so would be everything queued behind it (the broker is down); all of it is handed back.
                handled = send_scoring(self._app, handled, self._on_refused, behind=self._drain) or handled
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


def scoring_queue(settings: Settings, app: Celery, sessions: sessionmaker[Session]) -> InlineQueue | Publisher:
    """The app's scoring queue for its broker: inline when embedded, a publishing thread with Redis."""
    on_refused = unmarker(sessions)
    return InlineQueue(app, on_refused) if settings.embedded else Publisher(app, on_refused)
