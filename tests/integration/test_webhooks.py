"""Webhooks end to end: a real worker process delivers signed events to a real receiver on localhost,
retries a failing one with backoff, and a receiver that is down changes nothing for the comments; every
transition's event leaves with its commit, without waiting for the worker's sweep."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select, update

from service.infra.integration_models import WebhookDelivery
from service.infra.models import Comment
from service.lifecycle.moderators import create_moderator
from service.lifecycle.webhooks.delivery import SIGNATURE_HEADER, verify
from service.lifecycle.webhooks.registry import add_webhook
from tests.conftest import REPOSITORY
from tests.integration.conftest import Stack, _start_stack, postgres_database, redis_database, wait_for, worker_env
from tests.integration.fault_tools import free_port

pytestmark = pytest.mark.integration
PORTS = range(18750, 18800)


class Receiver:
    """A site's endpoint: records every POST; a /flaky… path answers 500 to its first request, then 200."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    first = not any(path == self.path for path, _, _ in receiver.received)
                    receiver.received.append((self.path, dict(self.headers), body))
                self.send_response(500 if self.path.startswith("/flaky") and first else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port(PORTS)), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def events(self, path: str) -> list[tuple[dict[str, str], dict, bytes]]:
        with self.lock:
            return [(headers, json.loads(body), body) for p, headers, body in self.received if p == path]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.thread.join(timeout=10)


@pytest.fixture(scope="module")
def webhook_stack(tmp_path_factory: pytest.TempPathFactory, integration_model: Path) -> Iterator[Stack]:
    """PostgreSQL + Redis and a worker with quick retries and sweeps (so the test needs no long waits)."""
    folder = tmp_path_factory.mktemp("webhooks")
    with postgres_database() as database_url, redis_database() as broker_url:
        config = {"MODERATION_VAR_DIR": str(folder), "MODERATION_MODELS_DIR": str(integration_model.parent),
                  "DATABASE_URL": database_url, "BROKER_URL": broker_url, "MODERATION_WEBHOOK_RETRY_SECONDS": "0.3",
                  "MODERATION_WEBHOOK_SWEEP_SECONDS": "0.3", "MODERATION_WEBHOOK_ATTEMPTS": "3"}
        yield from _start_stack("webhooks", config, integration_model, folder)


def _deliveries(stack: Stack, webhook_id: int) -> list[WebhookDelivery]:
    with stack.sessions() as session:
        return list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)))


def test_events_are_delivered_signed_retried_and_never_block_comments(webhook_stack: Stack,
                                                                      receiver: Receiver) -> None:
    stack = webhook_stack
    down_url = f"http://127.0.0.1:{free_port(PORTS)}/nobody-listens"
    with stack.sessions() as session:
        ok = add_webhook(session, receiver.url("/ok"), ["held", "published", "approved", "rejected"])
        flaky = add_webhook(session, receiver.url("/flaky"), ["held"])
        down = add_webhook(session, down_url, ["held", "published"])
        session.commit()
        secrets = {ok.id: ok.secret, flaky.id: flaky.secret}
        ok_id, flaky_id, down_id = ok.id, flaky.id, down.id

    clean = stack.post("Thanks, a clear and useful explainer on the budget.", "wh-1", author="w1")
    hostile = stack.post("You are a pathetic worthless idiot, go die.", "wh-1", author="w2")
    scored = stack.wait_scored(clean, hostile)
    # A receiver that is down does not hold anything up: both comments reached their status.
    assert scored[clean]["status"] == "published" and scored[hostile]["status"] == "held"

    def ok_event(event: str, comment_id: int):
        return next(((headers, body, raw) for headers, body, raw in receiver.events("/ok")
                     if body["event"] == event and body["comment"]["id"] == comment_id), None)

    for event, comment_id in (("published", clean), ("held", hostile)):
        headers, body, raw = wait_for(lambda e=event, c=comment_id: ok_event(e, c), what=f"{event} of {comment_id}",
                                      log=stack.worker.log)
        assert verify(secrets[ok_id], raw, headers[SIGNATURE_HEADER])
        assert not verify("whsec_wrong", raw, headers[SIGNATURE_HEADER])
        assert headers["X-Moderation-Event"] == event and body["comment"]["status"] == event

    # The flaky receiver failed once and got the event on the retry, after the backoff.
    delivered = wait_for(lambda: [d for d in _deliveries(stack, flaky_id) if d.status == "delivered"],
                         what="the retried delivery", log=stack.worker.log)
    assert delivered[0].attempts == 2 and delivered[0].last_status_code == 200
    assert [body["event"] for _, body, _ in receiver.events("/flaky")] == ["held", "held"]

    # The receiver that is down: attempts logged with their error, then given up after three.
    failed = wait_for(lambda: [d for d in _deliveries(stack, down_id) if d.status == "failed"] or None,
                      what="the undeliverable events to fail", log=stack.worker.log)
    assert failed[0].attempts == 3 and failed[0].last_error and failed[0].last_status_code is None

    # A moderator's decision through the API is sent right after its commit.
    token = stack.moderator_token("webhook-mod")
    decided = stack.client.post(f"/api/v1/moderation/comments/{hostile}/decision", json={"action": "approve"},
                                headers={"Authorization": f"Bearer {token}"})
    assert decided.status_code == 200
    wait_for(lambda: ok_event("approved", hostile), what="the approved event", log=stack.worker.log)

    # Readers' reports: the third distinct reader's holds it, and its event is sent when the report commits.
    for reader in ("r1", "r2", "r3"):
        body = {"reason": "rude", "reporter_id": reader}
        assert stack.client.post(f"/api/v1/comments/{clean}/reports", json=body).status_code == 201
    wait_for(lambda: ok_event("held", clean), what="the held event of a reported comment", log=stack.worker.log)
    assert stack.comment(clean)["status"] == "held"


@pytest.fixture(scope="module")
def embedded_webhook_stack(tmp_path_factory: pytest.TempPathFactory, integration_model: Path) -> Iterator[Stack]:
    """The embedded default (SQLite file, filesystem broker, the worker `moderation run` starts), quick retries."""
    folder = tmp_path_factory.mktemp("webhooks-embedded")
    config = {"MODERATION_VAR_DIR": str(folder), "MODERATION_MODELS_DIR": str(integration_model.parent),
              "DATABASE_URL": f"sqlite:///{folder / 'moderation.sqlite3'}", "BROKER_URL": "filesystem://",
              "MODERATION_WEBHOOK_RETRY_SECONDS": "0.3", "MODERATION_WEBHOOK_SWEEP_SECONDS": "0.3",
              "MODERATION_WEBHOOK_ATTEMPTS": "3"}
    yield from _start_stack("webhooks-embedded", config, integration_model, folder)


def test_the_embedded_default_delivers_and_retries_webhooks_too(embedded_webhook_stack: Stack,
                                                                receiver: Receiver) -> None:
    stack = embedded_webhook_stack
    with stack.sessions() as session:
        ok = add_webhook(session, receiver.url("/embedded-ok"), ["held", "published", "approved"])
        flaky = add_webhook(session, receiver.url("/flaky-embedded"), ["held"])
        session.commit()
        secret, flaky_id = ok.secret, flaky.id

    clean = stack.post("A calm, well sourced piece; thank you.", "wh-e", author="e1")
    hostile = stack.post("You are a pathetic worthless idiot, go die.", "wh-e", author="e2")
    scored = stack.wait_scored(clean, hostile)
    assert scored[clean]["status"] == "published" and scored[hostile]["status"] == "held"

    def event(kind: str, comment_id: int):
        return next(((headers, raw) for headers, body, raw in receiver.events("/embedded-ok")
                     if body["event"] == kind and body["comment"]["id"] == comment_id), None)

    for kind, comment_id in (("published", clean), ("held", hostile)):
        headers, raw = wait_for(lambda k=kind, c=comment_id: event(k, c), what=f"{kind} of {comment_id}",
                                log=stack.worker.log)
        assert verify(secret, raw, headers[SIGNATURE_HEADER])
    # A retry goes through the filesystem broker with its countdown, like any other delayed task.
    delivered = wait_for(lambda: [d for d in _deliveries(stack, flaky_id) if d.status == "delivered"],
                         what="the retried delivery", log=stack.worker.log)
    assert delivered[0].attempts == 2
    token = stack.moderator_token("embedded-mod")
    assert stack.client.post(f"/api/v1/moderation/comments/{hostile}/decision", json={"action": "approve"},
                             headers={"Authorization": f"Bearer {token}"}).status_code == 200
    wait_for(lambda: event("approved", hostile), what="the approved event", log=stack.worker.log)


@pytest.fixture(scope="module")
def unswept_stack(tmp_path_factory: pytest.TempPathFactory, integration_model: Path) -> Iterator[Stack]:
    """PostgreSQL + Redis and a worker whose webhook sweep first runs an hour after it starts: never, here."""
    folder = tmp_path_factory.mktemp("webhooks-unswept")
    with postgres_database() as database_url, redis_database() as broker_url:
        config = {"MODERATION_VAR_DIR": str(folder), "MODERATION_MODELS_DIR": str(integration_model.parent),
                  "DATABASE_URL": database_url, "BROKER_URL": broker_url, "MODERATION_WEBHOOK_SWEEP_SECONDS": "3600"}
        yield from _start_stack("webhooks-unswept", config, integration_model, folder)


def _csrf(stack: Stack, page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', stack.client.get(page).get_data(as_text=True))
    assert found, page
    return found.group(1)


def test_reports_workbench_decisions_and_rescoring_send_their_events_at_once(unswept_stack: Stack,
                                                                              receiver: Receiver) -> None:
    stack = unswept_stack
    with stack.sessions() as session:
        secret = add_webhook(session, receiver.url("/at-once"), ["held", "published", "approved", "rejected"]).secret
        create_moderator(session, "bench-mod", password="s3cret-pass")
        session.commit()

    def event(kind: str, comment_id: int):
        return next((raw for headers, body, raw in receiver.events("/at-once")
                     if body["event"] == kind and body["comment"]["id"] == comment_id
                     and verify(secret, raw, headers[SIGNATURE_HEADER])), None)

    clean = stack.post("Thanks, a clear and useful explainer on the budget.", "now-1", author="n1")
    assert stack.wait_scored(clean)[clean]["status"] == "published"
    wait_for(lambda: event("published", clean), what="the published event", log=stack.worker.log)

    # Readers' reports, from the web app: held at the third distinct reader.
    for reader in ("r1", "r2", "r3"):
        body = {"reason": "rude", "reporter_id": reader}
        assert stack.client.post(f"/api/v1/comments/{clean}/reports", json=body).status_code == 201
    wait_for(lambda: event("held", clean), what="the held event of a report", log=stack.worker.log)

    # A decision in the workbench: approved.
    signed_in = stack.client.post("/moderate/login", data={
        "username": "bench-mod", "password": "s3cret-pass", "csrf_token": _csrf(stack, "/moderate/login")})
    assert signed_in.status_code == 302
    decided = stack.client.post("/moderate/decide", data={"comment_id": clean, "action": "approve",
                                                          "csrf_token": _csrf(stack, "/moderate/")})
    assert decided.status_code == 302 and stack.comment(clean)["status"] == "approved"
    wait_for(lambda: event("approved", clean), what="the approved event of a workbench decision",
             log=stack.worker.log)

    # `moderation rescore --held` releases a comment an older model held: published.
    hostile = stack.post("You are a pathetic worthless idiot, go die.", "now-1", author="n2")
    assert stack.wait_scored(hostile)[hostile]["status"] == "held"
    with stack.sessions() as session:
        session.execute(update(Comment).where(Comment.id == hostile).values(model_version="an-older-model"))
        session.commit()
    env = {**worker_env(stack.config), "MODERATION_HOLD_HOSTILITY": "1.0", "MODERATION_HOLD_SLUR": "1.0"}
    rescored = subprocess.run([sys.executable, "-m", "service.cli", "rescore", "--held"], cwd=REPOSITORY, env=env,
                              capture_output=True, text=True, timeout=120)
    assert rescored.returncode == 0 and "released 1" in rescored.stderr, rescored.stderr
    wait_for(lambda: event("published", hostile), what="the published event of a release by rescoring",
             log=stack.worker.log)
    with stack.sessions() as session:
        assert {d.status for d in session.scalars(select(WebhookDelivery))} == {"delivered"}
