"""The moderators' API: bearer-token auth, the queue, decisions (their conflicts and reverts), the audit log."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.infra.models import Comment, Decision, Moderator
from service.lifecycle.moderators import authenticate_token, create_moderator, hash_token, rotate_token, verify_password
from tests.service.conftest import post_comment, score, services, stored
from tests.service.test_api import assert_error

ROUTES = [("get", "/api/v1/moderation/queue"), ("post", "/api/v1/moderation/comments/1/decision"),
          ("post", "/api/v1/moderation/comments/1/revert"), ("get", "/api/v1/moderation/actions")]


def _held(app: Flask, client: FlaskClient, hostility: float = 0.9, slur: float = 0.0, **extra: object) -> int:
    created = post_comment(client, **extra)
    score(app, created["id"], hostility, slur)
    return created["id"]


@pytest.mark.parametrize("method,path", ROUTES)
@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer not-a-real-token"])
def test_every_moderation_route_needs_a_valid_token(client: FlaskClient, token: str, method: str, path: str,
                                                    header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = getattr(client, method)(path, headers=headers, json={"action": "approve"})
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith('Bearer realm="moderation"')


def test_an_inactive_moderator_is_refused(app: Flask, client: FlaskClient, token: str, auth: dict) -> None:
    with services(app).sessions() as session:
        session.get(Moderator, 1).active = False
        session.commit()
    response = client.get("/api/v1/moderation/queue", headers=auth)
    assert_error(response, 401, "unauthorized")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_tokens_and_passwords_are_stored_only_as_hashes(app: Flask) -> None:
    with services(app).sessions() as session:
        moderator, token = create_moderator(session, "bob", role="admin", password="correct horse")
        session.commit()
        assert moderator.token_hash == hash_token(token) and token not in moderator.token_hash
        assert moderator.password_hash.startswith("scrypt:") and "correct horse" not in moderator.password_hash
        assert verify_password(moderator, "correct horse") and not verify_password(moderator, "wrong")
        assert authenticate_token(session, token) is moderator
        assert authenticate_token(session, "") is None and authenticate_token(session, token + "x") is None
        new = rotate_token(session, moderator)
        session.commit()
        assert authenticate_token(session, token) is None and authenticate_token(session, new) is moderator


def test_create_moderator_refuses_duplicates_and_unknown_roles(app: Flask) -> None:
    from service.lifecycle.errors import Conflict, DomainError

    with services(app).sessions() as session:
        create_moderator(session, "carol")
        with pytest.raises(Conflict):
            create_moderator(session, "carol")
        with pytest.raises(DomainError):
            create_moderator(session, "dave", role="owner")
        with pytest.raises(DomainError):
            create_moderator(session, "  ")


def test_queue_lists_held_comments_with_filters(app: Flask, client: FlaskClient, auth: dict) -> None:
    mild = _held(app, client, 0.6)
    severe = _held(app, client, 0.2, slur=0.95, article="a2")
    published = post_comment(client)
    score(app, published["id"], 0.1)
    client.post(f"/api/v1/comments/{published['id']}/reports", json={"reason": "rude"}, headers=auth)  # holds at once

    def ids(query: str = "") -> list[int]:
        response = client.get(f"/api/v1/moderation/queue{query}", headers=auth)
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert ids() == [severe, mild, published["id"]]
    assert ids("?sort=oldest") == [mild, severe, published["id"]]
    assert ids("?category=slur") == [severe]
    assert ids("?reason=report") == [published["id"]]
    assert ids("?article_id=a2") == [severe]
    assert ids("?per_page=1&page=2") == [mild]
    item = client.get("/api/v1/moderation/queue", headers=auth).get_json()["items"][0]
    assert item["scores"]["slur"] == 0.95 and item["hold_reasons"] == ["model:slur"] and item["text"]


@pytest.mark.parametrize("query,field", [("category=spam", "category"), ("sort=newest", "sort"),
                                         ("reason=x", "reason"), ("page=0", "page"), ("article_id=%00", "article_id")])
def test_queue_refuses_bad_filters(client: FlaskClient, auth: dict, query: str, field: str) -> None:
    response = client.get(f"/api/v1/moderation/queue?{query}", headers=auth)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == field


def test_decide_approves_and_the_comment_becomes_visible(app: Flask, client: FlaskClient, auth: dict) -> None:
    comment_id = _held(app, client)
    response = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=auth,
                           json={"action": "approve", "reason": "satire"})
    assert response.status_code == 200
    decision = response.get_json()
    assert decision["status"] == "approved" and decision["action"] == "approve" and decision["labels"] == []
    assert decision["actor"] == "alice" and decision["comment_id"] == comment_id and decision["reason"] == "satire"
    assert decision["hostility"] == 0.9 and decision["created_at"].endswith("Z")
    listing = client.get("/api/v1/articles/a1/comments").get_json()
    assert [item["id"] for item in listing["items"]] == [comment_id]
    assert client.get(f"/api/v1/comments/{comment_id}").get_json()["decided_at"] is not None


def test_reject_labels_default_to_the_thresholds_the_model_was_registered_with(
        app: Flask, client: FlaskClient, auth: dict, with_model: str) -> None:
    thresholds = services(app).model.scorer().thresholds
    comment_id = _held(app, client, hostility=0.99, slur=thresholds["slur"] / 2)
    decision = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=auth,
                           json={"action": "reject"}).get_json()
    assert decision["status"] == "rejected" and decision["labels"] == ["hostility"]
    explicit = _held(app, client)
    labelled = client.post(f"/api/v1/moderation/comments/{explicit}/decision", headers=auth,
                           json={"action": "reject", "labels": ["slur"]}).get_json()
    assert labelled["labels"] == ["slur"]


def test_deciding_twice_is_409_naming_who_decided(app: Flask, client: FlaskClient, auth: dict) -> None:
    comment_id = _held(app, client)
    path = f"/api/v1/moderation/comments/{comment_id}/decision"
    assert client.post(path, headers=auth, json={"action": "approve"}).status_code == 200
    error = assert_error(client.post(path, headers=auth, json={"action": "reject"}), 409, "conflict")
    assert "alice" in error["message"] and "approved" in error["message"]
    assert len(stored(app, Decision)) == 1


def test_deciding_a_comment_that_is_not_held_is_409(app: Flask, client: FlaskClient, auth: dict) -> None:
    pending = post_comment(client)
    assert_error(client.post(f"/api/v1/moderation/comments/{pending['id']}/decision", headers=auth,
                             json={"action": "approve"}), 409, "conflict")
    assert_error(client.post("/api/v1/moderation/comments/999/decision", headers=auth, json={"action": "approve"}),
                 404, "not_found")


@pytest.mark.parametrize("body,code,field", [
    ({}, "missing_field", "action"),
    ({"action": "delete"}, "invalid_value", "action"),
    ({"action": 1}, "invalid_type", "action"),
    ({"action": "reject", "labels": "slur"}, "invalid_type", "labels"),
    ({"action": "reject", "labels": ["spam"]}, "invalid_value", "labels"),
    ({"action": "reject", "labels": [3]}, "invalid_type", "labels[0]"),
    ({"action": "approve", "labels": ["slur"]}, "invalid_value", "labels"),
    ({"action": "approve", "reason": False}, "invalid_type", "reason"),
    ({"action": "approve", "note": "x"}, "unknown_field", "note"),
])
def test_decision_bodies_are_validated(app: Flask, client: FlaskClient, auth: dict, body: dict, code: str,
                                       field: str) -> None:
    comment_id = _held(app, client)
    response = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=auth, json=body)
    assert_error(response, 400, code, field)
    assert stored(app, Decision) == []


def test_audit_log_lists_decisions_newest_first(app: Flask, client: FlaskClient, auth: dict) -> None:
    first, second = _held(app, client), _held(app, client)
    client.post(f"/api/v1/moderation/comments/{first}/decision", headers=auth, json={"action": "approve"})
    client.post(f"/api/v1/moderation/comments/{second}/decision", headers=auth, json={"action": "reject"})
    log = client.get("/api/v1/moderation/actions", headers=auth).get_json()
    assert [row["comment_id"] for row in log["items"]] == [second, first] and log["total"] == 2
    rejects = client.get("/api/v1/moderation/actions?action=reject", headers=auth).get_json()
    assert [row["comment_id"] for row in rejects["items"]] == [second]
    assert client.get("/api/v1/moderation/actions?moderator=bob", headers=auth).get_json()["total"] == 0
    assert_error(client.get("/api/v1/moderation/actions?action=delete", headers=auth), 400, "invalid_value", "action")
    # A filter given twice is refused rather than one of its values silently picked (schemathesis found it).
    assert_error(client.get("/api/v1/moderation/actions?moderator=bob&moderator=alice", headers=auth), 400,
                 "invalid_value", "moderator")


def _race(app: Flask, comment_id: int, contenders: list[tuple[dict, str]]) -> list[int]:
    """Send the decisions at the same moment from separate threads; their status codes."""
    import threading

    barrier = threading.Barrier(len(contenders))
    statuses: list[int] = []

    def decide(headers: dict, action: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=headers,
                               json={"action": action})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=decide, args=contender) for contender in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_concurrent_decisions_through_the_api_one_wins_one_conflicts(app: Flask, client: FlaskClient,
                                                                     auth: dict) -> None:
    with services(app).sessions() as session:
        _, bob_token = create_moderator(session, "bob")
        session.commit()
    bob = {"Authorization": f"Bearer {bob_token}"}
    for _ in range(5):
        statuses = _race(app, _held(app, client), [(auth, "approve"), (bob, "reject")])
        assert sorted(statuses) == [200, 409]
    assert len(stored(app, Decision)) == 5


def test_a_revert_holds_the_comment_again_and_the_log_shows_it(app: Flask, client: FlaskClient, auth: dict) -> None:
    comment_id = _held(app, client)
    decided = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=auth,
                          json={"action": "reject", "labels": ["hostility"]}).get_json()
    path = f"/api/v1/moderation/comments/{comment_id}/revert"
    response = client.post(path, headers=auth, json={"reason": "misread it", "decision_id": decided["id"]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "held" and body["action"] == "revert" and body["actor"] == "alice"
    assert body["reason"] == f"reverts decision {decided['id']} (reject by alice): misread it"
    queue = client.get("/api/v1/moderation/queue", headers=auth).get_json()
    assert [item["id"] for item in queue["items"]] == [comment_id]
    log = client.get("/api/v1/moderation/actions?action=revert", headers=auth).get_json()
    assert [(d["action"], d["comment_id"]) for d in log["items"]] == [("revert", comment_id)]
    # Reverted, it is held: nothing is left to revert.
    error = assert_error(client.post(path, headers=auth), 409, "conflict", "id")
    assert "no decision to revert" in error["message"]


def test_revert_answers_409_404_and_400_as_it_should(app: Flask, client: FlaskClient, auth: dict) -> None:
    held = _held(app, client)
    published = post_comment(client)["id"]
    score(app, published, 0.1)
    for comment_id in (held, published):
        assert_error(client.post(f"/api/v1/moderation/comments/{comment_id}/revert", headers=auth), 409, "conflict")
    assert_error(client.post("/api/v1/moderation/comments/999/revert", headers=auth), 404, "not_found")
    path = f"/api/v1/moderation/comments/{held}/revert"
    first = client.post(f"/api/v1/moderation/comments/{held}/decision", headers=auth, json={"action": "approve"})
    for body, code, field in (({"decision_id": "1"}, "invalid_type", "decision_id"),
                              ({"decision_id": True}, "invalid_type", "decision_id"),
                              ({"decision_id": 0}, "invalid_value", "decision_id"),
                              ({"reason": 5}, "invalid_type", "reason")):
        assert_error(client.post(path, headers=auth, json=body), 400, code, field)
    assert_error(client.post(path, headers=auth, json={"labels": []}), 400, "unknown_field", "labels")
    # Naming a decision that is no longer the latest is a conflict on that field (an undo came too late).
    assert_error(client.post(path, headers=auth, json={"decision_id": first.get_json()["id"] + 100}), 409,
                 "conflict", "decision_id")
    assert {c.id: c.status for c in stored(app, Comment)}[held] == "approved"
