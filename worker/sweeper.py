"""The outbox sweeper: re-sends the scoring task of every comment still pending past a configured age.

A comment is committed before its task is sent, so it is never lost, but its task can be: the broker was
down when the web app tried (the row's ``task_sent_at`` is then empty), the web process died between its
commit and the send, or the broker lost its queue (a Redis restart without persistence, a worker killed
while holding unacknowledged messages). All of these leave a comment in ``pending``. Every worker runs
this sweeper in a thread of its main process (`moderation worker`, and so `moderation run`): on start,
then every MODERATION_SWEEP_INTERVAL_SECONDS, it claims pending comments older than
MODERATION_SWEEP_AGE_SECONDS whose task was not sent within that age, marks them sent, commits, and sends
their tasks. A comment that turns out to be sent twice is harmless: scoring is idempotent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Celery
from sqlalchemy import Engine
from sqlalchemy.pool import NullPool

from service.config import Settings
from service.infra.db import make_engine, make_sessions
from service.infra.models import utcnow
from service.infra.outbox import claim_unsent, send_scoring, unmarker
from worker.periodic import Periodic

log = logging.getLogger("moderation.worker.sweeper")

BATCH = 500
"""Comments claimed per query; a sweep repeats until none are left (a long outage leaves thousands)."""


class Sweeper:
    """Finds comments whose scoring task never arrived and sends it again."""

    def __init__(self, app: Celery, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._periodic = Periodic("outbox sweep", settings.sweep_interval_seconds, self.sweep, at_start=True)
        self._engine: Engine | None = None

    def _sessions(self):
        if self._engine is None:
            # Its own engine without a pool: the prefork pool forks children from this process, and a
            # connection held open here would be inherited by each of them.
            self._engine = make_engine(self.settings.database_url, poolclass=NullPool)
        return make_sessions(self._engine)

    def sweep(self) -> int:
        """One pass: claim, commit, send. Returns how many tasks were sent; raises on database errors."""
        sent = 0
        sessions = self._sessions()
        while not self._periodic.stopping:
            older_than = utcnow() - timedelta(seconds=self.settings.sweep_age_seconds)
            with sessions() as session:
                ids = claim_unsent(session, older_than, limit=BATCH)
                session.commit()  # the mark first, as on the web side: then the send
            # One message each, as the web app sends them at a low rate; a refusal unmarks whatever is left.
            refused = send_scoring(self.app, ids, unmarker(sessions), one_per_message=True)
            sent += len(ids) - len(refused)
            if refused:
                return sent  # the broker is down: the rest waits for the next sweep
            if len(ids) < BATCH:
                break
        if sent:
            log.warning("re-sent the scoring tasks of %d comments still pending after %.0f s", sent,
                        self.settings.sweep_age_seconds)
        return sent

    def start(self) -> None:
        """Sweep now and then every interval, in a daemon thread of this process."""
        self._periodic.start()

    def stop(self) -> None:
        """Stop after the current pass (waits up to a few seconds)."""
        self._periodic.stop()
        if self._engine is not None:
            self._engine.dispose()
