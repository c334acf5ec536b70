"""Coral Talk's external moderation phase: signature checking, decisions, and the time budget."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from service.lifecycle.active_model import register_bundle
from service.web.app import create_app
from service.web.coral import EXECUTOR, SCORING_THREADS, signed_by
from tests.service.conftest import services

PHASE = "/api/v1/coral/moderation-phase"
SECRET, ROTATED = "ssc_current-secret", "ssc_previous-secret"
HOSTILE = "You are a pathetic idiot and everyone hates you."
CLEAN = "Thanks, this was a clear and useful explainer."


def coral_request(text: str) -> bytes:
    """A request as Coral's external phase sends it (pretty-printed JSON, as JSON.stringify(data, null, 2))."""
    return json.dumps({
        "tenant": {"id": "t1", "domain": "comments.example.com"}, "action": "NEW",
        "comment": {"body": text, "parentID": None}, "author": {"id": "u1", "role": "COMMENTER"},
        "story": {"id": "s1", "url": "https://example.com/story"}, "site": {"id": "site1"},
    }, indent=2).encode()


def signature(body: bytes, *secrets: str) -> str:
    return ",".join(f"sha256={hmac.new(s.encode(), body, hashlib.sha256).hexdigest()}" for s in secrets)


def _app(app_config: dict[str, str], trained_bundle: Path, **extra: str) -> Flask:
    app = create_app({**app_config, "MODERATION_CORAL_SECRETS": f"{SECRET},{ROTATED}",
                      "MODERATION_CORAL_BUDGET_MS": "60000", **extra})
    with services(app).sessions() as session:
        register_bundle(session, trained_bundle, activate=True)
        session.commit()
    services(app).model.scorer()  # loaded before the budget starts counting
    return app


@pytest.fixture
def coral_app(app_config: dict[str, str], trained_bundle: Path) -> Iterator[Flask]:
    app = _app(app_config, trained_bundle)
    yield app
    services(app).dispose()


def _post(app: Flask, body: bytes, header: str | None):
    headers = {"Content-Type": "application/json"} | ({"X-Coral-Signature": header} if header is not None else {})
    return app.test_client().post(PHASE, data=body, headers=headers)


def test_unsigned_or_badly_signed_requests_are_refused(coral_app: Flask) -> None:
    body = coral_request(HOSTILE)
    for header in (None, "", "sha256=00", signature(body, "not-the-secret"), signature(body + b" ", SECRET),
                   "sha1=" + signature(body, SECRET).split("=", 1)[1]):
        response = _post(coral_app, body, header)
        assert response.status_code == 401, header
        assert response.get_json()["error"]["field"] == "X-Coral-Signature"


def test_signatures_from_either_secret_during_rotation(coral_app: Flask) -> None:
    body = coral_request(CLEAN)
    for header in (signature(body, SECRET), signature(body, ROTATED), signature(body, "old", ROTATED)):
        assert _post(coral_app, body, header).status_code in (200, 204)
    assert signed_by(body, signature(body, "other", SECRET), (SECRET,))
    assert not signed_by(body, signature(body, "other"), (SECRET,))


def test_decisions_follow_the_hold_policy(coral_app: Flask) -> None:
    verdicts = {text: coral_app.test_client().post("/api/v1/analyze", json={"text": text}).get_json()["flagged"]
                for text in (HOSTILE, CLEAN)}
    assert verdicts == {HOSTILE: True, CLEAN: False}, "the seed model should hold only the hostile example"
    for text, flagged in verdicts.items():
        body = coral_request(text)
        response = _post(coral_app, body, signature(body, SECRET))
        if not flagged:
            assert response.status_code == 204 and response.get_data() == b""
            continue
        assert response.status_code == 200
        decision = response.get_json()
        assert decision["status"] == "SYSTEM_WITHHELD"
        assert decision["actions"][0]["actionType"] == "FLAG"
        assert decision["actions"][0]["reason"] == "COMMENT_DETECTED_TOXIC"
        assert 0 <= decision["metadata"]["moderation"]["hostility"] <= 1


def test_auto_reject_threshold_rejects(app_config: dict[str, str], trained_bundle: Path) -> None:
    app = _app(app_config, trained_bundle, MODERATION_REJECT_HOSTILITY="0.0")
    body = coral_request(HOSTILE)
    assert _post(app, body, signature(body, SECRET)).get_json()["status"] == "REJECTED"
    services(app).dispose()


def test_no_decision_within_the_budget_is_204(app_config: dict[str, str], trained_bundle: Path) -> None:
    app = _app(app_config, trained_bundle, MODERATION_CORAL_BUDGET_MS="50")
    # Occupy every scoring thread so this request's scoring cannot start before its budget runs out.
    release = threading.Event()
    blockers = [app.extensions[EXECUTOR].submit(release.wait) for _ in range(SCORING_THREADS)]
    try:
        body = coral_request(HOSTILE)
        response = _post(app, body, signature(body, SECRET))
        assert response.status_code == 204 and response.get_data() == b""
    finally:
        release.set()
        for blocker in blockers:
            blocker.result(timeout=30)
        services(app).dispose()


def test_off_without_secrets_and_204_without_a_model(app: Flask, app_config: dict[str, str]) -> None:
    body = coral_request(HOSTILE)
    assert _post(app, body, signature(body, SECRET)).status_code == 404
    no_model = create_app({**app_config, "MODERATION_CORAL_SECRETS": SECRET})
    assert _post(no_model, body, signature(body, SECRET)).status_code == 204  # fail open: Coral carries on
    bad = b'{"comment": {"body": 5}}'
    assert _post(no_model, bad, signature(bad, SECRET)).status_code == 400
    services(no_model).dispose()
