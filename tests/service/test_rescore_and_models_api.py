"""Rescoring held comments with the active model, and the registry's HTTP API (roles, jobs, errors)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from classifier.bundle import load_bundle
from classifier.scoring import Scorer
from service.config import load_settings
from service.infra.broker import RETRAIN_TASK
from service.infra.models import Comment, Decision, RetrainJob
from service.lifecycle.moderators import create_moderator
from service.lifecycle.rescore import count_to_rescore, rescore_held_comments
from tests.service.conftest import broker_messages, post_comment, score, services, stored


def test_rescore_releases_what_the_model_now_finds_fine(app: Flask, client: FlaskClient, app_config: dict,
                                                        trained_bundle: Path, with_model: str) -> None:
    fine = [post_comment(client, text=f"Thanks for the clear summary of the vote, part {i}.", author=f"u{i}")["id"]
            for i in range(5)]
    reported = post_comment(client, text="Thanks for the clear summary, reported anyway.", author="u8")["id"]
    hostile = post_comment(client, text="You are a pathetic idiot and a liar, shut up.", author="u9")["id"]
    for comment_id in [*fine, reported, hostile]:
        score(app, comment_id, hostility=0.99)  # held by an older model that was wrong about them
    client.post(f"/api/v1/comments/{reported}/reports", json={"reason": "spam"})
    scorer = Scorer(load_bundle(trained_bundle))
    sessions = services(app).sessions
    settings = load_settings(app_config)
    with sessions() as session:
        assert count_to_rescore(session, scorer.version) == 7
    seen: list[int] = []
    counts = rescore_held_comments(sessions, settings, scorer, batch=3, progress=seen.append)
    assert seen == [3, 3, 1], "committed batches"
    assert (counts.released, counts.held) == (5, 2)
    statuses = {c.id: c.status for c in stored(app)}
    assert [statuses[i] for i in fine] == ["published"] * 5
    assert statuses[reported] == "held", "a reader's report keeps holding it until a moderator looks"
    assert statuses[hostile] == "held"
    releases = stored(app, Decision)
    assert {(d.actor, d.action, d.moderator_id) for d in releases} == {("model", "approve", None)}
    assert all(f"released by model {scorer.version}" in d.reason for d in releases)
    # Resumable: what was rescored by this version is not done again.
    again = rescore_held_comments(sessions, settings, scorer)
    assert (again.released, again.held) == (0, 0)
    with sessions() as session:
        assert session.scalars(select(Comment).where(Comment.id == hostile)).one().model_version == scorer.version


def _headers(app: Flask, name: str, role: str) -> dict[str, str]:
    with services(app).sessions() as session:
        _, token = create_moderator(session, name, role=role)
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_retrain_api_roles_jobs_and_errors(app: Flask, client: FlaskClient, auth: dict, with_model: str) -> None:
    admin = _headers(app, "root", "admin")
    assert client.post("/api/v1/moderation/models/retrain").status_code == 401
    refused = client.post("/api/v1/moderation/models/retrain", headers=auth)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    bad = client.post("/api/v1/moderation/models/retrain", headers=admin, json={"force": "yes"})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "force"
    unknown = client.post("/api/v1/moderation/models/retrain", headers=admin, json={"forse": True})
    assert unknown.status_code == 400 and unknown.get_json()["error"]["code"] == "unknown_field"
    assert stored(app, RetrainJob) == [], "a refused request writes nothing"

    started = client.post("/api/v1/moderation/models/retrain", headers=admin)
    assert started.status_code == 202
    job = started.get_json()
    assert (job["status"], job["requested_by"], job["force"], job["progress"]) == ("queued", "root", False, 0.0)
    assert broker_messages(app)[-1] == {"task": RETRAIN_TASK, "args": [job["id"]]}, "committed, then sent"
    again = client.post("/api/v1/moderation/models/retrain", headers=admin, json={"force": True})
    assert again.status_code == 409 and f"job {job['id']}" in again.get_json()["error"]["message"]

    status = client.get(f"/api/v1/moderation/models/retrain/{job['id']}", headers=auth)
    assert status.status_code == 200 and status.get_json()["status"] == "queued"
    missing = client.get("/api/v1/moderation/models/retrain/999", headers=auth)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"

    registry = client.get("/api/v1/moderation/models", headers=auth).get_json()
    [version] = registry["items"]
    assert version["version"] == with_model and version["status"] == "active" and version["active"]
    assert registry["events"][0]["action"] == "activate"


def test_the_overview_shows_the_latest_retraining(app: Flask, client: FlaskClient, with_model: str) -> None:
    import re

    with services(app).sessions() as session:
        create_moderator(session, "carol", password="s3cret-pass")
        session.add(RetrainJob(status="running", requested_by="root", stage="fitting on 1,234 rows", progress=0.375,
                               force=False, message=""))
        session.commit()
    page = client.get("/moderate/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/moderate/login", data={"username": "carol", "password": "s3cret-pass", "csrf_token": token})
    html = client.get("/moderate/overview").get_data(as_text=True)
    assert "Retraining" in html and "running, 38% — fitting on 1,234 rows" in html
