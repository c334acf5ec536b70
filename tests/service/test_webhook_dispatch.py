"""Webhook events leave with the commit of their transition, whoever commits: the API, the workbench, a reader's
report, `moderation rescore`. No worker runs here, so nothing sweeps: a delivery task in the embedded broker's
folder can only have been sent by the commit itself (the worker's sweep attempts deliveries directly, it never
queues them). A rolled-back transition sends nothing."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.cli import main
from service.infra.broker import DELIVER_TASK
from service.infra.db import make_engine, make_sessions
from service.infra.integration_models import WebhookDelivery
from service.infra.models import Comment
from service.lifecycle.assess import ScoreResult
from service.lifecycle.moderators import create_moderator
from service.lifecycle.policy import Policy
from service.lifecycle.transitions import record_score, report_comment
from service.lifecycle.webhooks.registry import add_webhook
from tests.service.conftest import HELD_POLICY, broker_messages, post_comment, score, services, stored


@pytest.fixture
def webhook(app: Flask) -> int:
    """A webhook told about every transition; its id."""
    with services(app).sessions() as session:
        hook = add_webhook(session, "https://site.example/hook", ["held", "published", "approved", "rejected"])
        session.commit()
        return hook.id


def _sent(app: Flask) -> set[int]:
    """Ids of the deliveries whose task is waiting in the broker."""
    return {message["args"][0] for message in broker_messages(app) if message["task"] == DELIVER_TASK}


def _csrf(client: FlaskClient, page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).get_data(as_text=True))
    assert found, f"{page} carries a CSRF token"
    return found.group(1)


def _delivery(app: Flask, comment_id: int, event: str) -> int:
    [found] = [d.id for d in stored(app, WebhookDelivery) if d.comment_id == comment_id and d.event == event]
    return found


def test_a_readers_report_sends_the_held_event_at_once(app: Flask, client: FlaskClient, webhook: int) -> None:
    comment_id = post_comment(client)["id"]
    score(app, comment_id, hostility=0.1)  # published; the worker's part, committed through the app's sessions
    assert _delivery(app, comment_id, "published") in _sent(app)
    for reader in ("r1", "r2", "r3"):  # the third distinct reader holds it
        body = {"reason": "rude", "reporter_id": reader}
        assert client.post(f"/api/v1/comments/{comment_id}/reports", json=body).status_code == 201
    assert _delivery(app, comment_id, "held") in _sent(app)


def test_a_workbench_decision_sends_its_event_at_once(app: Flask, client: FlaskClient, webhook: int) -> None:
    comment_id = post_comment(client)["id"]
    score(app, comment_id, hostility=0.9)  # held
    with services(app).sessions() as session:
        create_moderator(session, "carol", password="s3cret-pass")
        session.commit()
    signed_in = client.post("/moderate/login", data={"username": "carol", "password": "s3cret-pass",
                                                     "csrf_token": _csrf(client, "/moderate/login")})
    assert signed_in.status_code == 302
    decided = client.post("/moderate/decide", data={"comment_id": comment_id, "action": "reject",
                                                    "csrf_token": _csrf(client, "/moderate/")})
    assert decided.status_code == 302
    assert _delivery(app, comment_id, "rejected") in _sent(app)


def test_an_api_decision_sends_its_event_at_once(app: Flask, client: FlaskClient, auth: dict, webhook: int) -> None:
    comment_id = post_comment(client)["id"]
    score(app, comment_id, hostility=0.9)
    decided = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "approve"},
                          headers=auth)
    assert decided.status_code == 200
    assert _delivery(app, comment_id, "approved") in _sent(app)


def test_a_rescore_sends_the_published_event_of_each_release_at_once(
        app: Flask, client: FlaskClient, app_config: dict[str, str], with_model: str, webhook: int,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    comment_id = post_comment(client, text="Thanks for the clear summary of the vote.")["id"]
    score(app, comment_id, hostility=0.99)  # held by an older model ("test") that was wrong about it
    for name, value in {**app_config, "MODERATION_HOLD_HOSTILITY": "1.0", "MODERATION_HOLD_SLUR": "1.0"}.items():
        monkeypatch.setenv(name, value)  # the operator's shell: the app's database and broker
    assert main(["rescore", "--held"]) == 0
    assert "released 1" in capsys.readouterr().err
    assert _delivery(app, comment_id, "published") in _sent(app)


def test_a_rolled_back_transition_sends_nothing(app: Flask, client: FlaskClient, webhook: int) -> None:
    comment_id = post_comment(client)["id"]
    score(app, comment_id, hostility=0.1)
    before = _sent(app)
    with services(app).sessions() as session:
        # One report that holds (the rule at one reporter) writes the held event's delivery (flushed).
        held = report_comment(session, session.get(Comment, comment_id), reason="rude",
                              policy=Policy(hold={}, reports_to_hold=1))
        assert held.status == "held"
        session.rollback()
        session.commit()  # a later commit of the same session has nothing of it left to send
    assert _sent(app) == before
    assert [d.event for d in stored(app, WebhookDelivery) if d.comment_id == comment_id] == ["published"]


def test_a_session_factory_without_the_hook_writes_the_event_and_sends_nothing(
        app: Flask, client: FlaskClient, webhook: int) -> None:
    # Sending is the choice of whoever builds the session factory (the app factory, the worker, the command line);
    # the domain tests' bare sessions (tests/service/conftest.py) only write the rows, and the sweep sends those.
    comment_id = post_comment(client)["id"]
    engine = make_engine(services(app).settings.database_url)
    with make_sessions(engine)() as session:
        record_score(session, comment_id, ScoreResult({"hostility": 0.1, "slur": 0.0}, [],
                                                      {"hostility": 0.0, "slur": 0.0}, "test"), HELD_POLICY)
        session.commit()
    engine.dispose()
    assert _delivery(app, comment_id, "published") not in _sent(app)


def test_an_api_revert_sends_the_reverted_event_to_subscribers_of_the_decision(
        app: Flask, client: FlaskClient, auth: dict) -> None:
    with services(app).sessions() as session:
        approvals = add_webhook(session, "https://site.example/approvals", ["approved"]).id
        reverts = add_webhook(session, "https://site.example/reverts", ["reverted"]).id
        add_webhook(session, "https://site.example/rejections", ["rejected"])
        session.commit()
    comment_id = post_comment(client)["id"]
    score(app, comment_id, hostility=0.9)
    client.post(f"/api/v1/moderation/comments/{comment_id}/decision", json={"action": "approve"}, headers=auth)
    reverted = client.post(f"/api/v1/moderation/comments/{comment_id}/revert", headers=auth)
    assert reverted.status_code == 200, reverted.get_json()
    events = [d for d in stored(app, WebhookDelivery) if d.event == "reverted"]
    assert sorted(d.webhook_id for d in events) == [approvals, reverts]  # not the hook told only of rejections
    assert {d.id for d in events} <= _sent(app)
    body = events[0].payload
    assert body["comment"]["status"] == "held"
    assert body["reverted_decision"]["action"] == "approve" and body["reverted_decision"]["reverted_by"]
