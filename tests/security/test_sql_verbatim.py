"""SQL metacharacters in every field a client controls are data, stored and returned verbatim, on SQLite and on
PostgreSQL (a real server, a database of its own): comment fields, report fields, decision reason, the article id
in a path, and the filters in query strings."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import select

from service.infra.db import upgrade
from service.infra.models import Comment, Decision, Report
from service.lifecycle.moderators import create_moderator
from service.web.app import create_app
from tests.security.conftest import AppFactory
from tests.service.conftest import score

PAYLOADS = [
    "'; DROP TABLE comments; --",
    "Robert'); DELETE FROM moderators WHERE ('1'='1",
    "\" OR \"1\"=\"1\" --",
    "' OR 1=1 UNION SELECT token_hash FROM moderators --",
    "%_\\% LIKE '%' ESCAPE '\\'",
    "\\'; SELECT pg_sleep(5); --",
    "$1 $$ $tag$ ::text ?; :name %(x)s %s {0}",
    "-- /* */ ; BEGIN; COMMIT; ROLLBACK; `x` [y] a//b",
    "E'\\x27' U&'\\0027' \u2019 \uff07 ʼ",
]


def _exercise(app: Flask) -> None:
    """Every field, through the API; then read back from the API and from the rows."""
    client = app.test_client()
    tokens = {}
    with app.extensions["moderation"].sessions() as session:
        for payload in PAYLOADS:  # one moderator named after each payload: the audit log's filter is the name
            tokens[payload] = create_moderator(session, payload)[1]
        session.commit()
    for payload in PAYLOADS:
        body = {"article_id": payload, "author": {"id": payload, "name": payload}, "text": payload}
        posted = client.post("/api/v1/comments", json=body)
        assert posted.status_code == 202, posted.get_json()
        comment_id = posted.get_json()["id"]
        auth = {"Authorization": f"Bearer {tokens[payload]}"}
        got = client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()
        assert (got["article_id"], got["author"], got["text"]) == (payload, {"id": payload, "name": payload}, payload)
        score(app, comment_id, hostility=0.0)  # published, so the article's list shows it
        listed = client.get(f"/api/v1/articles/{quote(payload, safe='')}/comments").get_json()
        assert [item["text"] for item in listed["items"]] == [payload]
        reported = client.post(f"/api/v1/comments/{comment_id}/reports",
                               json={"reason": payload, "reporter_id": payload}, headers=auth)
        assert reported.status_code == 201  # and, a moderator's report, it is back in the queue
        queue = client.get("/api/v1/moderation/queue", query_string={"article_id": payload}, headers=auth).get_json()
        assert [item["id"] for item in queue["items"]] == [comment_id]
        decided = client.post(f"/api/v1/moderation/comments/{comment_id}/decision",
                              json={"action": "approve", "reason": payload}, headers=auth)
        assert decided.status_code == 200, decided.get_json()
        log = client.get("/api/v1/moderation/actions", query_string={"moderator": payload}, headers=auth).get_json()
        assert [(item["actor"], item["reason"]) for item in log["items"]] == [(payload, payload)]
    with app.extensions["moderation"].sessions() as session:
        comments = session.scalars(select(Comment).order_by(Comment.id)).all()
        assert [(c.article_id, c.author_id, c.author_name, c.text) for c in comments] == [
            (p, p, p, p) for p in PAYLOADS]
        assert [(r.reason, r.reporter_id) for r in session.scalars(select(Report).order_by(Report.id))] == [
            (p, p) for p in PAYLOADS]
        assert [d.reason for d in session.scalars(select(Decision).where(Decision.moderator_id.is_not(None))
                                                  .order_by(Decision.id))] == PAYLOADS


def test_sqlite_stores_metacharacters_verbatim(make_app: AppFactory) -> None:
    _exercise(make_app(MODERATION_RATE_LIMITS="false"))


@pytest.fixture
def postgres_app(tmp_path) -> Iterator[Flask]:
    from tests.integration.conftest import postgres_database

    with postgres_database() as url:
        upgrade(url)
        # The embedded broker: nothing here needs a worker, and the database is the thing under test.
        app = create_app({"DATABASE_URL": url, "BROKER_URL": "filesystem://", "MODERATION_VAR_DIR": str(tmp_path),
                          "MODERATION_RATE_LIMITS": "false"})
        try:
            yield app
        finally:
            app.extensions["moderation"].dispose()


@pytest.mark.integration
def test_postgresql_stores_metacharacters_verbatim(postgres_app: Flask) -> None:
    _exercise(postgres_app)
