"""Input edges: a chunked body over the limit, Coral without a JSON content type, a key named twice, and
the one precision every score is answered with."""

from __future__ import annotations

import http.client
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from service.infra.models import Comment
from service.lifecycle.active_model import register_bundle
from service.lifecycle.assess import ScoreResult
from service.lifecycle.moderators import create_moderator
from service.lifecycle.policy import Policy
from service.lifecycle.precision import SCORE_DIGITS, score_value
from service.lifecycle.transitions import record_score
from service.lifecycle.webhooks.outbox import payload
from service.web.body import DuplicateKey, loads
from tests.platforms.test_coral import PHASE, SECRET, coral_request, signature
from tests.security.conftest import AppFactory

LIMIT = 2000
COMMENT = {"article_id": "a1", "author": {"id": "u1", "name": "Reader"}, "text": "A fair point."}


@pytest.fixture(scope="module")
def served(make_app: AppFactory, trained_bundle: Path) -> Iterator[tuple[Flask, int]]:
    """An app with a small body limit behind Werkzeug's real HTTP server (which terminates chunked bodies, as
    gunicorn does); the app and its port."""
    app = make_app(MODERATION_MAX_BODY=str(LIMIT), MODERATION_CORAL_SECRETS=SECRET, MODERATION_RATE_LIMITS="false")
    with app.extensions["moderation"].sessions() as session:
        register_bundle(session, trained_bundle, activate=True)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _chunked(port: int, path: str, body: bytes) -> tuple[int, dict]:
    """POST ``body`` with ``Transfer-Encoding: chunked`` and no Content-Length, in 500-byte chunks."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        chunks = (body[i:i + 500] for i in range(0, len(body), 500))
        connection.request("POST", path, body=chunks, headers={"Content-Type": "application/json"},
                           encode_chunked=True)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def _padded(size: int) -> bytes:
    body = json.dumps({**COMMENT, "text": "x"}).encode()
    return body.replace(b'"x"', b'"' + b"x" * (size - len(body) + 1) + b'"')


def test_a_chunked_body_over_the_limit_is_413_not_a_truncated_parse(served: tuple[Flask, int]) -> None:
    _, port = served
    status, body = _chunked(port, "/api/v1/comments", _padded(LIMIT + 1))
    assert status == 413 and body["error"]["code"] == "payload_too_large", body
    assert str(LIMIT) in body["error"]["message"]
    status, body = _chunked(port, "/v1alpha1/comments:analyze", json.dumps(
        {"comment": {"text": "y" * 3 * LIMIT}, "requestedAttributes": {"TOXICITY": {}}}).encode())
    assert status == 413 and body["error"]["status"] == "INVALID_ARGUMENT", "Perspective's shape"


def test_a_chunked_body_at_the_limit_is_read_whole(served: tuple[Flask, int]) -> None:
    _, port = served
    exact = _padded(LIMIT)
    assert len(exact) == LIMIT
    status, body = _chunked(port, "/api/v1/comments", exact)
    assert status == 202, body


def test_coral_without_a_json_content_type_is_told_so(served: tuple[Flask, int]) -> None:
    app, _ = served
    raw = coral_request("A fair point, well made.")
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"X-Coral-Signature": signature(raw, SECRET)} | ({"Content-Type": content_type}
                                                                  if content_type else {})
        response = app.test_client().post(PHASE, data=raw, headers=headers)
        assert response.status_code == 415, response.get_json()
        error = response.get_json()["error"]
        assert error["code"] == "unsupported_media_type" and "application/json" in error["message"]
    unsigned = app.test_client().post(PHASE, data=raw, headers={"Content-Type": "text/plain"})
    assert unsigned.status_code == 401, "the signature is checked first: nothing is said to a stranger"
    fine = app.test_client().post(PHASE, data=raw, headers={"X-Coral-Signature": signature(raw, SECRET),
                                                            "Content-Type": "application/json; charset=utf-8"})
    assert fine.status_code in (200, 204)


def test_the_strict_parser() -> None:
    assert loads('{"a": {"b": 1}, "c": [{"b": 2}, {"b": 3}]}') == {"a": {"b": 1}, "c": [{"b": 2}, {"b": 3}]}
    with pytest.raises(DuplicateKey) as twice:
        loads('{"a": {"b": 1, "b": 2}}')
    assert twice.value.key == "b"
    with pytest.raises(ValueError):
        loads('{"a": NaN}')


@pytest.mark.parametrize(("path", "raw", "key"), [
    ("/api/v1/comments", '{"article_id": "a1", "author": {"id": "u1", "name": "R"}, "text": "hi", "text": "bye"}',
     "text"),
    ("/api/v1/comments", '{"article_id": "a1", "author": {"id": "u1", "id": "u2", "name": "R"}, "text": "hi"}', "id"),
    ("/api/v1/analyze", '{"text": "hello", "text": "you idiot"}', "text"),
])
def test_a_key_named_twice_is_refused_by_name(served: tuple[Flask, int], path: str, raw: str, key: str) -> None:
    app, _ = served
    response = app.test_client().post(path, data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "duplicate_key" and error["field"] == key and repr(key) in error["message"]


def test_a_key_named_twice_in_perspective_and_coral(served: tuple[Flask, int]) -> None:
    app, _ = served
    raw = '{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "comment": {"text": "idiot"}}'
    response = app.test_client().post("/v1alpha1/comments:analyze", data=raw,
                                      headers={"Content-Type": "application/json"})
    error = response.get_json()["error"]
    assert response.status_code == 400 and error["status"] == "INVALID_ARGUMENT" and '"comment"' in error["message"]
    body = b'{"comment": {"body": "fine", "body": "You are a pathetic idiot."}}'
    response = app.test_client().post(PHASE, data=body, headers={"X-Coral-Signature": signature(body, SECRET),
                                                                 "Content-Type": "application/json"})
    assert response.status_code == 400 and response.get_json()["error"] == {
        "code": "duplicate_key", "message": "request body names 'body' twice", "field": "body"}


def test_every_score_is_answered_at_one_precision(served: tuple[Flask, int]) -> None:
    app, _ = served
    client = app.test_client()
    with app.extensions["moderation"].sessions() as session:
        _, token = create_moderator(session, f"precise-{uuid.uuid4().hex[:6]}")
        session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    with_model = app.extensions["moderation"].model.scorer().version
    posted = client.post("/api/v1/comments", json=COMMENT).get_json()["id"]
    exact = 0.123456789
    result = ScoreResult(scores={"hostility": exact, "slur": 0.98765432},
                         name_scores={"hostility": 0.00004999, "slur": 0.0},
                         spans=[{"label": "hostility", "begin": 0, "end": 4, "score": 0.0555555}],
                         model_version=with_model)
    with app.extensions["moderation"].sessions() as session:
        record_score(session, posted, result, Policy(hold={"hostility": 0.1, "slur": 0.5}))
        session.commit()
        stored = session.get(Comment, posted)
        assert stored.hostility == exact, "the database keeps the exact value"
        hook = payload("held", stored)["comment"]
    detail = client.get(f"/api/v1/comments/{posted}", headers=auth).get_json()
    assert detail["scores"] == {"hostility": 0.1235, "slur": 0.9877, "name_hostility": 0.0, "name_slur": 0.0}
    assert detail["spans"][0]["score"] == 0.0556
    queued = client.get("/api/v1/moderation/queue", headers=auth).get_json()["items"]
    assert next(item for item in queued if item["id"] == posted)["scores"] == detail["scores"]
    assert (hook["scores"]["hostility"], hook["scores"]["slur"]) == (0.1235, 0.9877), "webhooks too"
    decided = client.post(f"/api/v1/moderation/comments/{posted}/decision", headers=auth, json={"action": "approve"})
    assert (decided.get_json()["hostility"], decided.get_json()["slur"]) == (0.1235, 0.9877), "and the audit log"
    # The synchronous endpoints: /analyze and Perspective answer the same number for one text.
    text = "You are a pathetic idiot."
    analyzed = client.post("/api/v1/analyze", json={"text": text}).get_json()
    perspective = client.post("/v1alpha1/comments:analyze", json={
        "comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}}).get_json()
    assert perspective["attributeScores"]["TOXICITY"]["summaryScore"]["value"] == analyzed["hostility"]
    assert analyzed["hostility"] == round(analyzed["hostility"], SCORE_DIGITS)
    assert score_value(None) is None and score_value(0.12345678) == 0.1235 and SCORE_DIGITS == 4
