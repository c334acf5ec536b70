"""The worker process on its own terms: it waits for a model instead of failing, and re-delivery is harmless."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.infra.broker import send_score
from service.infra.db import upgrade
from service.lifecycle.active_model import register_bundle
from service.web.app import create_app
from tests.integration.conftest import WorkerProcess, wait_for, worker_env

pytestmark = pytest.mark.integration


def test_comments_wait_for_a_model_then_get_scored(tmp_path: Path, integration_model: Path) -> None:
    config = {"MODERATION_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}",
              "BROKER_URL": "filesystem://", "MODERATION_MODELS_DIR": str(integration_model.parent)}
    upgrade(config["DATABASE_URL"])
    app = create_app(config)
    services = app.extensions["moderation"]
    client = app.test_client()
    worker = WorkerProcess(worker_env(config), tmp_path / "worker.log").start()
    try:
        posted = client.post("/api/v1/comments", json={
            "article_id": "a1", "author": {"id": "u1", "name": "Marta Nowak"}, "text": "A fair summary, thanks."})
        comment_id = posted.get_json()["id"]
        # The worker got the task, found no model, said why, and scheduled a retry instead of crashing.
        wait_for(lambda: "retrying in" in worker.log.read_text(errors="replace"), what="the worker to defer",
                 log=worker.log)
        assert worker.process.poll() is None
        assert client.get(f"/api/v1/comments/{comment_id}").get_json()["status"] == "pending"

        with services.sessions() as session:
            register_bundle(session, integration_model, activate=True)
            session.commit()
        wait_for(lambda: client.get(f"/api/v1/comments/{comment_id}").get_json()["status"] != "pending",
                 what="the retry to score the comment", log=worker.log)
        scored = client.get(f"/api/v1/comments/{comment_id}").get_json()
        assert scored["status"] == "published" and scored["model_version"] == integration_model.name

        # A second delivery of the same task (as after a crash with acks_late) changes nothing.
        send_score(services.celery, comment_id)
        wait_for(lambda: worker.log.read_text(errors="replace").count("already scored") >= 1,
                 what="the duplicate to be skipped", log=worker.log)
        assert client.get(f"/api/v1/comments/{comment_id}").get_json() == scored
    finally:
        worker.stop()
        services.dispose()
    assert worker.process.returncode == 0, "SIGTERM is a clean (warm) shutdown"
