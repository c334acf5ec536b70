"""The scoring task's body (worker.tasks.score) against a real SQLite database and a real model."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from service.infra.broker import DELIVER_TASK
from service.infra.integration_models import WebhookDelivery
from service.infra.models import Comment, Status
from service.lifecycle.active_model import NoActiveModel, register_bundle
from service.lifecycle.store import submit_comment
from service.lifecycle.webhooks.registry import add_webhook
from worker.context import WorkerContext
from worker.tasks import MODEL_WAIT_MAX_SECONDS, retry_delay, score


def _comment(context: WorkerContext, text: str, name: str = "Reader") -> int:
    with context.sessions() as session:
        comment = submit_comment(session, article_id="a1", author_id="u1", author_name=name, text=text)
        session.commit()
        return comment.id


def _activate(context: WorkerContext, path: Path) -> None:
    with context.sessions() as session:
        register_bundle(session, path, activate=True)
        session.commit()


def _load(context: WorkerContext, comment_id: int) -> Comment:
    with context.sessions() as session:
        return session.get(Comment, comment_id)


def test_scores_text_and_name_and_stores_spans_as_dicts(context: WorkerContext, seed_model: Path) -> None:
    _activate(context, seed_model)
    comment_id = _comment(context, "You are a worthless idiot and everyone hates you", name="Reader")
    outcome = score(context, comment_id)
    comment = _load(context, comment_id)
    assert outcome == comment.status and comment.status in (Status.PUBLISHED, Status.HELD)
    assert 0.0 <= comment.hostility <= 1.0 and 0.0 <= comment.slur <= 1.0
    assert comment.name_hostility is not None and comment.name_slur is not None
    assert comment.model_version == seed_model.name and comment.scored_at is not None
    assert comment.spans and all(set(span) == {"label", "begin", "end", "score"} for span in comment.spans)
    assert comment.hostility >= 0.5, "the seed model should find this hostile"


def test_is_idempotent(context: WorkerContext, seed_model: Path) -> None:
    _activate(context, seed_model)
    comment_id = _comment(context, "Thanks for the thoughtful article.")
    first = score(context, comment_id)
    before = _load(context, comment_id)
    assert score(context, comment_id) == "already scored"
    after = _load(context, comment_id)
    assert first == after.status and after.revision == before.revision and after.scored_at == before.scored_at


def test_a_missing_comment_is_no_error(context: WorkerContext, seed_model: Path) -> None:
    _activate(context, seed_model)
    assert score(context, 12345) == "missing"


def test_without_a_model_the_comment_stays_pending(context: WorkerContext) -> None:
    comment_id = _comment(context, "Thanks for the thoughtful article.")
    with pytest.raises(NoActiveModel, match="no model version is active"):
        score(context, comment_id)
    assert _load(context, comment_id).status == Status.PENDING


def test_retry_delay_backs_off_and_is_capped() -> None:
    delays = [retry_delay(n) for n in range(12)]
    assert delays[:3] == [5, 10, 20]
    assert delays == sorted(delays) and max(delays) == MODEL_WAIT_MAX_SECONDS
    assert retry_delay(50, cap=60) == 60


def test_a_forked_process_gets_its_own_engine(context: WorkerContext) -> None:
    first = context.sessions
    assert context.sessions is first, "one engine per process"
    context._pid = -1  # as if this were a child forked after the parent built its engine
    assert context.sessions is not first


def test_the_commit_of_a_score_sends_its_webhook_event(context: WorkerContext, seed_model: Path) -> None:
    _activate(context, seed_model)
    with context.sessions() as session:
        hook_id = add_webhook(session, "https://site.example/hook", ["held", "published"]).id
        session.commit()
    comment_id = _comment(context, "Thanks for the thoughtful article.")
    score(context, comment_id)
    with context.sessions() as session:
        [delivery] = session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook_id))
    queued = [json.loads(path.read_text()) for path in (context.settings.broker_folder / "queue").glob("*.msg")]
    sent = [json.loads(base64.b64decode(message["body"]))[0] for message in queued
            if message["headers"]["task"] == DELIVER_TASK]
    assert sent == [[delivery.id]], "queued by the commit itself: no worker, no sweep here"
