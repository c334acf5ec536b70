"""What a worker process needs to run tasks: settings, an engine, a session factory and the active model.

Built lazily and per process. The prefork pool forks children from the main process; a database
connection or SQLite handle inherited across fork is shared by two processes and corrupts both, so
everything is (re)created on first use in the process that uses it, keyed by its pid.
"""

from __future__ import annotations

import os
import threading
from functools import partial

from celery import Celery
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.config import Settings
from service.infra.broker import send_delivery
from service.infra.db import make_engine, make_sessions
from service.lifecycle.active_model import ActiveModel
from service.lifecycle.webhooks.outbox import dispatch_on_commit


class WorkerContext:
    """Per-process resources of the worker, created on first use."""

    def __init__(self, settings: Settings, app: Celery) -> None:
        self.settings = settings
        self.app = app  # the worker's Celery app: commits send their webhook events through it
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._active_model: ActiveModel | None = None

    def _ensure(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            if self._engine is not None:
                # Inherited from the parent: drop its pooled connections without closing them,
                # since closing would end the parent's connections too.
                self._engine.dispose(close=False)
            self._engine = make_engine(self.settings.database_url)
            self._sessions = dispatch_on_commit(make_sessions(self._engine), partial(send_delivery, self.app))
            self._active_model = ActiveModel(self._sessions, self.settings.encoder_cache_dir)
            self._pid = os.getpid()

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory of this process."""
        self._ensure()
        assert self._sessions is not None
        return self._sessions

    @property
    def active_model(self) -> ActiveModel:
        """The active-model holder of this process (loads the bundle on first use)."""
        self._ensure()
        assert self._active_model is not None
        return self._active_model

    def close(self) -> None:
        """Release the database connections of this process."""
        with self._lock:
            if self._engine is not None and self._pid == os.getpid():
                self._engine.dispose()
            self._engine = self._sessions = self._active_model = None
            self._pid = None
