"""Retraining on the embedded default as `moderation run` starts it (SQLite, the filesystem broker, a scoring
worker and a retraining worker, real processes): comments posted while a retraining runs are scored before
it ends, and with six decisions the gate says it judged on the datasets only and prints the thresholds.

The retraining is a real one (two public datasets plus the seed set, as in test_retraining.py), so it takes
seconds of CPU; the comments are posted only once its row says it is running, and the test fails unless
they are scored before its row says it finished. With one worker for both queues (the embedded default
before the retraining queue) they would wait for the retraining and this test would fail.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.infra.models import Comment, RetrainJob
from service.lifecycle.moderators import create_moderator
from tests.integration.conftest import (
    Stack,
    SubsetModels,
    WorkerProcess,
    app_with_active_model,
    wait_for,
    worker_env,
)

pytestmark = pytest.mark.integration

SUBSET = ("ethos", "fox_news_comments_gao2017", "lexicon_ldnoobw_en", "lexicon_surge_profanity_en")
DECISIONS = (("The mayor is a total blorvak.", "reject"), ("The referee was a complete blorvak today.", "reject"),
             ("That coach is the biggest blorvak in town.", "reject"), ("The mayor is a total professional.",
                                                                         "approve"),
             ("The referee was a complete gentleman today.", "approve"), ("That coach is a veteran.", "approve"))
"""Six decisions, as on a new site: one or two of them held back, far below the gate's minimum."""


@pytest.fixture(scope="module")
def run_stack(tmp_path_factory: pytest.TempPathFactory,
              subset_model: SubsetModels) -> Iterator[tuple[Stack, WorkerProcess]]:
    """The embedded default with `moderation run`'s two workers; yields the stack and the retraining worker."""
    folder = tmp_path_factory.mktemp("small-site")
    datasets, models, base = subset_model(folder, SUBSET)
    config = {"MODERATION_VAR_DIR": str(folder), "MODERATION_MODELS_DIR": str(models),
              "MODERATION_DATASETS_DIR": str(datasets), "DATABASE_URL": f"sqlite:///{folder / 'moderation.sqlite3'}",
              "BROKER_URL": "filesystem://", "MODERATION_RATE_LIMITS": "false",
              # Hold every comment, so a moderator can decide each one whatever reports do to them.
              "MODERATION_HOLD_HOSTILITY": "0"}
    app = app_with_active_model(config, base)
    services = app.extensions["moderation"]
    # Exactly the two workers service/cli/run.py starts.
    scoring = WorkerProcess(worker_env(config), folder / "worker.log", ["--queues", "default"]).start()
    retraining = WorkerProcess(worker_env(config), folder / "retrain-worker.log", ["--queues", "retrain"]).start()
    try:
        yield Stack("embedded, two workers", config, app, app.test_client(), scoring), retraining
    finally:
        scoring.stop()
        retraining.stop()
        services.dispose()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_comments_are_scored_while_a_retraining_runs(run_stack: tuple[Stack, WorkerProcess]) -> None:
    stack, retraining = run_stack
    article = f"news/{uuid.uuid4().hex[:8]}"
    with stack.sessions() as session:
        _, moderator = create_moderator(session, "alice")
        _, admin = create_moderator(session, "root", role="admin")
        session.commit()
    moderator_headers, admin_headers = {"Authorization": f"Bearer {moderator}"}, {"Authorization": f"Bearer {admin}"}

    # Six decisions on held comments.
    for text, action in DECISIONS:
        comment_id = stack.post(text, article)
        assert stack.wait_scored(comment_id)[comment_id]["status"] == "held"
        decided = stack.client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=moderator_headers,
                                    json={"action": action, **({"labels": ["hostility"]} if action == "reject"
                                                               else {})})
        assert decided.status_code == 200, decided.get_json()

    started = stack.client.post("/api/v1/moderation/models/retrain", headers=admin_headers, json={})
    assert started.status_code == 202, started.get_json()
    job_id = started.get_json()["id"]

    def job() -> RetrainJob:
        with stack.sessions() as session:
            return session.get(RetrainJob, job_id)

    wait_for(lambda: job().status == "running", timeout=60, what="the retraining worker to take the job",
             log=retraining.log)
    # The retraining worker is busy training now; comments posted meanwhile go to the scoring worker.
    posted = [stack.post(f"A calm note on the transport plan, number {i}.", article) for i in range(3)]
    scored = stack.wait_scored(*posted)
    assert all(body["status"] in ("published", "held") for body in scored.values())
    finished = wait_for(lambda: (lambda row: row if row.status in ("succeeded", "failed") else None)(job()),
                        timeout=300, what="the retraining job", log=retraining.log)
    assert finished.status == "succeeded", finished.message
    with stack.sessions() as session:
        for comment_id in posted:
            comment = session.get(Comment, comment_id)
            assert _aware(finished.started_at) < _aware(comment.created_at), "posted while it ran"
            assert _aware(comment.scored_at) < _aware(finished.finished_at), (
                f"comment {comment_id} was scored only after the retraining ended: scoring waited for it")

    # The gate's minimum: six decisions hold back at most a few, so the verdict says what it judged on.
    lines = finished.message.splitlines()
    assert re.search(r"only \d held-back moderator decisions?, below the minimum 30: judged on the evaluation sets "
                     r"\((?=[^)]*ethos)(?=[^)]*seed)[^)]*\) only", lines[0]), finished.message
    assert finished.outcome == "activated", finished.message
    assert [line.split(" hold threshold ")[0] for line in lines[1:]] == ["hostility", "slur"], finished.message
    for line in lines[1:]:
        assert re.fullmatch(r"\w+ hold threshold (\d\.\d{3} → \d\.\d{3}|\d\.\d{3} \(unchanged\))", line), line
    shown = stack.client.get(f"/api/v1/moderation/models/retrain/{job_id}", headers=moderator_headers).get_json()
    assert shown["message"] == finished.message
    assert "hold threshold" in Path(retraining.log).read_text(errors="replace"), "the worker's log says it too"
