"""What a request can reach: the app's long-lived services and the request's one database session."""

from __future__ import annotations

from dataclasses import dataclass

from celery import Celery
from flask import current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from service.config import Settings
from service.infra.scoring_queue import ScoringQueue
from service.lifecycle.active_model import ActiveModel

EXTENSION = "moderation"


@dataclass(frozen=True)
class Services:
    """Built once by create_app and stored in ``app.extensions["moderation"]``."""

    settings: Settings
    engine: Engine
    autocommit: Engine
    """An engine of its own in autocommit mode, for requests that write one statement (a new comment)."""
    sessions: sessionmaker[Session]
    celery: Celery
    model: ActiveModel
    scoring: ScoringQueue
    """Where a view hands a committed comment for its scoring task (inline or a publishing thread)."""

    def dispose(self) -> None:
        """Close every pooled database connection (tests and shutdown; the pools reopen on next use)."""
        self.engine.dispose()
        self.autocommit.dispose()


def services() -> Services:
    """The current app's services (inside a request or an app context)."""
    return current_app.extensions[EXTENSION]


def db_session() -> Session:
    """The request's session, opened on first use (requests that need no database never open one)."""
    if "db_session" not in g:
        g.db_session = services().sessions()
    return g.db_session


def close_db_session(_error: BaseException | None = None) -> None:
    """Teardown: close the request's session; anything not committed is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
