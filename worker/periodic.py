"""A job run every so many seconds in a daemon thread of the worker's main process (the outbox sweeper,
the webhook sweep). A failing run is logged and the next one tries again: a database hiccup must never
end the thread or the worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("moderation.worker")


class Periodic:
    """Calls ``job`` every ``interval`` seconds (first at start when ``at_start``) until :meth:`stop`."""

    def __init__(self, name: str, interval: float, job: Callable[[], object], *, at_start: bool) -> None:
        self.name = name
        self.interval = interval
        self.job = job
        self.at_start = at_start
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once; later calls do nothing)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current run (waits up to ``timeout`` seconds for it)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called: a long run checks it between steps."""
        return self._stop.is_set()

    def _run(self) -> None:
        if self.at_start:
            self._once()
        while not self._stop.wait(self.interval):
            self._once()

    def _once(self) -> None:
        try:
            self.job()
        except Exception as error:  # e.g. the database is down: the next period tries again
            log.warning("%s failed: %s", self.name, f"{type(error).__name__}: {error}".splitlines()[0][:300])
