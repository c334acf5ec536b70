"""What the `moderation` command's groups share: the usage error, argument types, a session factory, who runs it.

Every group module registers its commands with ``register(commands, settings)`` and imports Flask, Celery,
SQLAlchemy and gunicorn only inside its handlers, so `moderation score` and `--help` start without them.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from service.config import Settings

if TYPE_CHECKING:
    from celery import Celery
    from sqlalchemy.orm import Session, sessionmaker

DEFAULT_PORT = 8000
DEFAULT_WEB_WORKERS = 2


class UsageError(Exception):
    """Bad input on the command line: one line on stderr and exit status 2, never a traceback (service.cli.main)."""


def positive(value: str) -> int:
    """An argparse type: a whole number above zero."""
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return number


def add_bind_options(parser: argparse.ArgumentParser) -> None:
    """``--host`` and ``--port`` of a command that serves HTTP (`web`, `run`)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)


def sessions(settings: Settings) -> sessionmaker[Session]:
    """A session factory on the configured database, for one command; like the web app's and the worker's, its
    commits send the webhook events their transitions wrote (`rescore` releases comments)."""
    from service.infra.db import make_engine, make_sessions
    from service.lifecycle.webhooks.outbox import dispatch_on_commit

    return dispatch_on_commit(make_sessions(make_engine(settings.database_url)), _DeliverySender(settings))


class _DeliverySender:
    """Queues webhook deliveries on the configured broker, connecting on the first one: most commands send none."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app: Celery | None = None

    def __call__(self, delivery_id: int) -> None:
        from service.infra.broker import make_celery, send_delivery

        if self._app is None:
            self._app = make_celery(self._settings)
        send_delivery(self._app, delivery_id)


@contextmanager
def refusals_as_usage_errors() -> Iterator[None]:
    """What the lifecycle refuses (a taken name, an unknown webhook, nothing to roll back) is bad input here."""
    from service.lifecycle.errors import DomainError

    try:
        yield
    except DomainError as error:
        raise UsageError(error.message) from error


def operator() -> str:
    """Who runs this command, as the registry's audit log and retraining jobs record it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
