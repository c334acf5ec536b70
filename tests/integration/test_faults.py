"""Faults, for real: the broker stops, a worker is SIGKILLed, the database goes away, the model file is
missing or tampered with, `moderation run` restarts. Every accepted comment is scored, and exactly once.

"Exactly once" is checked twice over: a comment's ``revision`` counts its transitions (pending → a
verdict is one; no reports or decisions happen here), and the workers' logs hold one committed verdict
per comment. The sweeper runs with a short period (MODERATION_SWEEP_*), so the tests wait seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.infra.db import make_engine, make_sessions, upgrade
from service.infra.models import Comment, Status
from service.lifecycle import registry
from service.lifecycle.active_model import CHECK_INTERVAL_SECONDS, register_bundle
from service.web.app import create_app
from tests.conftest import REPOSITORY
from tests.integration.conftest import WorkerProcess, postgres_database, wait_for, worker_env
from tests.integration.fault_tools import RedisServer, TcpProxy, free_port, scoring_outcomes

pytestmark = pytest.mark.integration

SWEEP = {"MODERATION_SWEEP_INTERVAL_SECONDS": "1", "MODERATION_SWEEP_AGE_SECONDS": "3",
         # The tests post hundreds of comments from one address; the limits are tested elsewhere.
         "MODERATION_RATE_LIMITS": "false"}


OUTAGE_AGE_SECONDS = 20


def _body(number: int) -> dict:
    return {"article_id": f"faults/{number % 7}", "author": {"id": f"reader-{number % 31}", "name": "Ana Kovač"},
            "text": f"Comment {number}: the second chart contradicts the first one, doesn't it?"}


class App:
    """The app under test (Flask's test client) on one database and broker, with helpers to read rows."""

    def __init__(self, config: dict[str, str], model: Path) -> None:
        upgrade(config["DATABASE_URL"])
        self.config = config
        self.app = create_app(config)
        self.services = self.app.extensions["moderation"]
        self.client = self.app.test_client()
        with self.services.sessions() as session:
            register_bundle(session, model, activate=True)
            session.commit()

    def post(self, number: int) -> int:
        response = self.client.post("/api/v1/comments", json=_body(number))
        assert response.status_code == 202, response.get_json()
        return response.get_json()["id"]

    def rows(self, ids: list[int]) -> dict[int, Comment]:
        with self.services.sessions() as session:
            return {row.id: row for row in session.scalars(select(Comment).where(Comment.id.in_(ids)))}

    def scored(self, ids: list[int]) -> bool:
        return all(row.status != Status.PENDING for row in self.rows(ids).values())

    def assert_scored_exactly_once(self, ids: list[int], *logs: Path) -> None:
        rows = self.rows(ids)
        assert len(rows) == len(ids)
        assert {row.status for row in rows.values()} <= {Status.PUBLISHED, Status.HELD}
        assert {row.revision for row in rows.values()} == {2}, "one transition each: pending → verdict"
        counts = scoring_outcomes(*logs)
        assert max(counts[comment_id] for comment_id in ids) == 1, "a verdict committed twice"

    def close(self) -> None:
        self.services.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def test_broker_down_posts_are_kept_and_the_sweeper_sends_them_once(
        tmp_path: Path, integration_model: Path, own_redis: RedisServer, postgres_url: str) -> None:
    # A longer age here: the rows are checked for their outbox mark before the sweeper may claim them.
    config = {"MODERATION_VAR_DIR": str(tmp_path), "MODERATION_MODELS_DIR": str(integration_model.parent),
              "DATABASE_URL": postgres_url, "BROKER_URL": own_redis.url, **SWEEP,
              "MODERATION_SWEEP_AGE_SECONDS": str(OUTAGE_AGE_SECONDS)}
    app = App(config, integration_model)
    worker = WorkerProcess(worker_env(config), tmp_path / "worker.log", ["--concurrency", "2"]).start()
    try:
        first = app.post(0)
        wait_for(lambda: app.scored([first]), what="the worker to be up", log=worker.log)

        own_redis.stop()
        outage = time.monotonic()
        ids = [app.post(number) for number in range(1, 201)]  # every one answered 202
        assert app.services.scoring.flush(timeout=60)
        rows = app.rows(ids)
        assert time.monotonic() - outage < OUTAGE_AGE_SECONDS, "too slow to see the marks before the sweeper"
        assert all(row.status == Status.PENDING and row.task_sent_at is None for row in rows.values()), \
            "each row records that its task is not sent yet"

        own_redis.start()  # empty: nothing was queued while it was down
        wait_for(lambda: app.scored(ids), timeout=90, what="all 200 to be scored", log=worker.log)
        app.assert_scored_exactly_once(ids, worker.log)
        assert "re-sent the scoring tasks" in worker.log.read_text()
        assert worker.process.poll() is None
    finally:
        worker.stop()
        app.close()


def test_worker_killed_mid_burst_every_comment_is_scored_exactly_once(
        tmp_path: Path, integration_model: Path, own_redis: RedisServer, postgres_url: str) -> None:
    config = {"MODERATION_VAR_DIR": str(tmp_path), "MODERATION_MODELS_DIR": str(integration_model.parent),
              "DATABASE_URL": postgres_url, "BROKER_URL": own_redis.url, **SWEEP}
    app = App(config, integration_model)
    first = WorkerProcess(worker_env(config), tmp_path / "worker-1.log", ["--concurrency", "2"]).start()
    second = WorkerProcess(worker_env(config), tmp_path / "worker-2.log", ["--concurrency", "2"])
    try:
        ids = [app.post(number) for number in range(300)]
        assert app.services.scoring.flush(timeout=60)

        def some_scored() -> bool:
            return sum(row.status != Status.PENDING for row in app.rows(ids).values()) >= 20

        wait_for(some_scored, what="the burst to be under way", log=first.log)
        os.killpg(first.process.pid, signal.SIGKILL)  # main process and pool children, mid-task
        first.process.wait()
        pending = sum(row.status == Status.PENDING for row in app.rows(ids).values())
        assert pending > 0, "the kill came too late to test anything"

        second.start()
        wait_for(lambda: app.scored(ids), timeout=90, what="every comment to be scored", log=second.log)
        app.assert_scored_exactly_once(ids, first.log, second.log)
    finally:
        second.stop()
        app.close()


def test_database_down_answers_503_and_recovers_by_itself(
        tmp_path: Path, integration_model: Path, own_redis: RedisServer, postgres_url: str,
        database_proxy: TcpProxy) -> None:
    proxied = postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{database_proxy.port}")
    config = {"MODERATION_VAR_DIR": str(tmp_path), "MODERATION_MODELS_DIR": str(integration_model.parent),
              "DATABASE_URL": proxied, "BROKER_URL": own_redis.url, **SWEEP}
    app = App(config, integration_model)
    try:
        accepted = [app.post(0)]
        assert app.client.get("/readyz").status_code == 200

        database_proxy.cut()
        for number in range(1, 4):
            response = app.client.post("/api/v1/comments", json=_body(number))
            assert response.status_code == 503, response.get_data(as_text=True)
            assert response.headers["Retry-After"].isdigit()
            error = response.get_json()["error"]
            assert error["code"] == "unavailable" and "database" in error["message"]
            assert "Traceback" not in response.get_data(as_text=True)
        response = app.client.get(f"/api/v1/comments/{accepted[0]}")
        assert response.status_code == 503 and response.get_json()["error"]["code"] == "unavailable"
        ready = app.client.get("/readyz")
        assert ready.status_code == 503
        assert ready.get_json()["database"]["ok"] is False and ready.get_json()["broker"]["ok"] is True

        database_proxy.start()
        wait_for(lambda: app.client.get("/readyz").status_code == 200, timeout=30, what="readiness to return")
        accepted.append(app.post(10))
        # Nothing half-written: the refused posts left no row, the accepted ones are there.
        with app.services.sessions() as session:
            assert sorted(session.scalars(select(Comment.id))) == sorted(accepted)
    finally:
        app.close()


def _copy_bundle(source: Path, models: Path, version: str) -> Path:
    """The bundle under another version name (same model file, so its sha256 still matches)."""
    target = models / version
    shutil.copytree(source, target)
    metadata = json.loads((target / "metadata.json").read_text())
    metadata["version"] = version
    (target / "metadata.json").write_text(json.dumps(metadata))
    return target


def test_a_missing_or_tampered_model_is_refused_and_never_scores(tmp_path: Path, integration_model: Path) -> None:
    models = tmp_path / "models"
    good = _copy_bundle(integration_model, models, "v-good")
    config = {"MODERATION_VAR_DIR": str(tmp_path), "MODERATION_MODELS_DIR": str(models),
              "DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}", "BROKER_URL": "filesystem://", **SWEEP}
    app = App(config, good)
    log = tmp_path / "worker.log"
    worker = WorkerProcess(worker_env(config), log).start()
    try:
        first = app.post(0)
        wait_for(lambda: app.scored([first]), what="the first comment", log=log)

        # A new version is registered, its file is altered, then it is activated: the running worker keeps
        # the last good model. (Altered before activation: otherwise the worker may load it intact first.)
        bad = _copy_bundle(integration_model, models, "v-bad")
        with app.services.sessions() as session:
            register_bundle(session, bad)
            session.commit()
        model_file = bad / "model.skops"
        original = model_file.read_bytes()
        model_file.write_bytes(original + b"tampered")
        with app.services.sessions() as session:
            registry.activate(session, registry.get_version(session, "v-bad"), "operator")
            session.commit()
        # The worker asks the registry at most every CHECK_INTERVAL_SECONDS, when a comment comes: let the
        # interval pass so the next comment makes it look (waiting longer never makes the test fail).
        time.sleep(CHECK_INTERVAL_SECONDS + 0.5)
        second = app.post(1)
        wait_for(lambda: app.scored([second]), what="the second comment", log=log)
        assert app.rows([second])[second].model_version == "v-good"
        wait_for(lambda: "refused model v-bad" in log.read_text(), what="the refusal in the log", log=log)

        # A fresh worker has no last good model: comments wait, with the reason logged, and it does not die.
        worker.stop()
        worker = WorkerProcess(worker_env(config), log).start()
        third = app.post(2)
        wait_for(lambda: log.read_text().count(f"comment {third} not scored: refused model v-bad") >= 2,
                 what="the worker to refuse the tampered file and retry", log=log)
        model_file.unlink()
        wait_for(lambda: f"comment {third} not scored: refused model v-bad: model file missing" in log.read_text(),
                 what="the worker to refuse the missing file", log=log)
        assert app.rows([third])[third].status == Status.PENDING
        assert worker.process.poll() is None, "refusing a model must not kill the worker"

        model_file.write_bytes(original)  # the operator restores the file
        wait_for(lambda: app.scored([third]), what="the third comment once the file is back", log=log)
        assert app.rows([third])[third].model_version == "v-bad"
    finally:
        worker.stop()
        app.close()


def _http(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _answers(url: str) -> bool:
    try:
        _http(url)
        return True
    except (urllib.error.URLError, OSError):
        return False


def test_restarting_moderation_run_loses_nothing_accepted(tmp_path: Path, integration_model: Path) -> None:
    port = free_port()
    env = worker_env({"MODERATION_VAR_DIR": str(tmp_path), "MODERATION_MODELS_DIR": str(integration_model.parent),
                      **SWEEP})
    log = tmp_path / "run.log"
    base = f"http://127.0.0.1:{port}"

    def start() -> subprocess.Popen:
        with log.open("ab") as sink:
            return subprocess.Popen([sys.executable, "-m", "service.cli", "run", "--port", str(port), "--workers", "1"],
                                    cwd=REPOSITORY, env=env, stdout=sink, stderr=subprocess.STDOUT)

    def stop(process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0

    run = start()
    accepted: list[int] = []

    def post_until_refused() -> None:
        number = 0
        while True:
            try:
                accepted.append(_http(f"{base}/api/v1/comments", _body(number))["id"])
            except (urllib.error.URLError, OSError):
                return
            number += 1

    try:
        wait_for(lambda: _answers(f"{base}/healthz"), what="moderation run to answer", log=log)
        poster = threading.Thread(target=post_until_refused)
        poster.start()
        wait_for(lambda: len(accepted) >= 100, what="100 comments accepted", log=log)
        stop(run)  # in the middle of the stream: the last comments accepted are still queued
        poster.join(timeout=30)
        engine = make_engine(f"sqlite:///{tmp_path / 'moderation.sqlite3'}")
        with make_sessions(engine)() as session:
            pending = session.scalar(select(func.count()).where(Comment.status == Status.PENDING))
        engine.dispose()
        assert pending > 0, "the stop came after everything was scored: nothing was tested"

        run = start()
        wait_for(lambda: _answers(f"{base}/healthz"), what="moderation run to answer again", log=log)

        def all_scored() -> bool:
            return all(_http(f"{base}/api/v1/comments/{i}")["status"] != "pending" for i in accepted)

        wait_for(all_scored, timeout=90, what="every accepted comment to be scored after the restart", log=log)
        counts = scoring_outcomes(log)
        assert max(counts[comment_id] for comment_id in accepted) == 1
    finally:
        if run.poll() is None:
            stop(run)
