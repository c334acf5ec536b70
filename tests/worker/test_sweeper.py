"""The outbox sweeper on a real SQLite database and the real embedded broker (its folder), no worker process.

The end-to-end faults (Redis stopped, a worker SIGKILLed) are in tests/integration/test_faults.py.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from service.config import Settings
from service.infra.broker import SCORE_TASK, make_celery
from service.infra.db import make_engine, make_sessions
from service.infra.models import Comment, utcnow
from service.infra.outbox import claim_unsent
from service.lifecycle.store import submit_comment
from worker.sweeper import Sweeper
from worker.tasks import model_wait_cap


def _comments(settings: Settings, ages: dict[str, float], sent: frozenset[str] = frozenset()) -> dict[str, int]:
    """Pending comments created ``ages[name]`` seconds ago; those in ``sent`` marked as sent then."""
    engine = make_engine(settings.database_url)
    ids = {}
    with make_sessions(engine)() as session:
        for name, age in ages.items():
            comment = submit_comment(session, article_id="a1", author_id="u1", author_name="R", text=name)
            moment = utcnow() - timedelta(seconds=age)
            session.execute(update(Comment).where(Comment.id == comment.id).values(
                created_at=moment, task_sent_at=moment if name in sent else None))
            ids[name] = comment.id
        session.commit()
    engine.dispose()
    return ids


def _queued(settings: Settings) -> list[tuple[str, list]]:
    folder = settings.broker_folder / "queue"
    found = []
    for path in sorted(folder.glob("*.msg")):
        message = json.loads(path.read_text())
        found.append((message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0]))
    return found


def test_claims_old_unsent_and_lost_comments_once(settings: Settings) -> None:
    ids = _comments(settings, {"old-unsent": 120, "old-sent-long-ago": 120, "new-unsent": 1, "old-sent-just-now": 120},
                    sent={"old-sent-long-ago"})
    engine = make_engine(settings.database_url)
    sessions = make_sessions(engine)
    with sessions() as session:
        session.execute(update(Comment).where(Comment.id == ids["old-sent-just-now"]).values(task_sent_at=utcnow()))
        session.commit()
        claimed = claim_unsent(session, utcnow() - timedelta(seconds=60))
        session.commit()
        assert claimed == sorted([ids["old-unsent"], ids["old-sent-long-ago"]])
        # Marked as sent now: the next sweep leaves them alone for another age.
        assert claim_unsent(session, utcnow() - timedelta(seconds=60)) == []
        rows = {row.id: row for row in session.query(Comment)}
        assert all(rows[i].task_sent_at is not None for i in claimed)
        assert rows[ids["new-unsent"]].task_sent_at is None
    engine.dispose()


def test_a_sweep_sends_the_tasks_and_a_refusal_leaves_them_unsent(settings: Settings) -> None:
    settings = replace(settings, sweep_age_seconds=60.0)
    ids = _comments(settings, {"lost": 300, "recent": 5})
    sweeper = Sweeper(make_celery(settings), settings)
    assert sweeper.sweep() == 1
    assert _queued(settings) == [(SCORE_TASK, [ids["lost"]])]
    sweeper.stop()

    refused = replace(settings, broker_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    ids = _comments(refused, {"lost while the broker is down": 300})
    sweeper = Sweeper(make_celery(refused), refused)
    assert sweeper.sweep() == 0
    engine = make_engine(settings.database_url)
    with make_sessions(engine)() as session:
        assert session.get(Comment, ids["lost while the broker is down"]).task_sent_at is None
    engine.dispose()
    sweeper.stop()


def test_model_wait_retries_come_sooner_than_the_sweepers_age() -> None:
    assert model_wait_cap(60.0) == 30
    assert model_wait_cap(3.0) == 1
    assert model_wait_cap(10_000.0) == 300
