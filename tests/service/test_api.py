"""The site's side of the API through Flask's test client: submit, read, list, report, analyze, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.infra.models import Report, Status
from tests.service.conftest import broker_messages, post_comment, score, services, stored


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The response is the API's JSON error shape with this status, code and (if given) field."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) <= {"code", "message", "field"} and error["message"]
    assert error["code"] == code
    if field is not None:
        assert error.get("field") == field
    return error


# -- submit ----------------------------------------------------------------------------------------


def test_post_commits_the_row_then_queues_the_task(app: Flask, client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", json={
        "article_id": "politics/2024/budget", "author": {"id": "u1", "name": "Reader"}, "text": "Fair point — 👍"})
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "pending" and body["article_id"] == "politics/2024/budget"
    assert body["author"] == {"id": "u1", "name": "Reader"} and body["text"] == "Fair point — 👍"
    assert body["created_at"].endswith("Z") and isinstance(body["id"], int)
    assert response.headers["Location"] == f"/api/v1/comments/{body['id']}"
    [comment] = stored(app)
    assert comment.id == body["id"] and comment.status == Status.PENDING
    assert comment.task_sent_at is not None  # the outbox mark: the broker has it
    assert broker_messages(app) == [{"task": "moderation.score_comment", "args": [body["id"]]}]


def test_post_without_a_broker_still_answers_202_and_leaves_the_outbox_mark(
        app_config: dict[str, str], capsys: pytest.CaptureFixture) -> None:
    from service.web.app import create_app

    app = create_app({**app_config, "BROKER_URL": "redis://127.0.0.1:1/0"})  # nothing listens on port 1
    body = post_comment(app.test_client())
    # With Redis the task is published by a background thread after the answer; wait for its verdict.
    assert services(app).scoring.flush(timeout=30)
    [comment] = stored(app)
    assert comment.id == body["id"] and comment.task_sent_at is None
    logged = capsys.readouterr().err
    assert '"level": "warning"' in logged and "outbox" in logged and f'"comment_id": {body["id"]}' in logged
    services(app).dispose()


def test_a_reply_names_an_existing_parent_on_the_same_article(app: Flask, client: FlaskClient) -> None:
    parent = post_comment(client)
    reply = post_comment(client, text="I disagree.", parent_id=parent["id"])
    assert reply["parent_id"] == parent["id"]
    missing = client.post("/api/v1/comments", json={
        "article_id": "a1", "author": {"id": "u", "name": "n"}, "text": "x", "parent_id": 999})
    assert_error(missing, 404, "not_found", "parent_id")
    elsewhere = client.post("/api/v1/comments", json={
        "article_id": "a2", "author": {"id": "u", "name": "n"}, "text": "x", "parent_id": parent["id"]})
    assert_error(elsewhere, 400, "invalid", "parent_id")
    assert len(stored(app)) == 2


def test_json_without_a_json_content_type_is_accepted(client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", data='{"article_id": "a", "author": {"id": "u", "name": "n"}, '
                                                    '"text": "plain curl -d"}',
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 202


# -- read ------------------------------------------------------------------------------------------


def test_get_a_comment_with_scores_and_state(app: Flask, client: FlaskClient, auth: dict) -> None:
    created = post_comment(client)
    pending = client.get(f"/api/v1/comments/{created['id']}", headers=auth).get_json()
    assert pending["status"] == "pending" and pending["scored_at"] is None and pending["spans"] == []
    assert pending["scores"] == {"hostility": None, "slur": None, "name_hostility": None, "name_slur": None}
    score(app, created["id"], hostility=0.8, name=0.1)
    held = client.get(f"/api/v1/comments/{created['id']}", headers=auth).get_json()
    assert held["status"] == "held" and held["hold_reasons"] == ["model:hostility"]
    assert held["scores"]["hostility"] == 0.8 and held["scores"]["name_hostility"] == 0.1
    assert held["model_version"] == "test" and held["scored_at"].endswith("Z")
    assert held["report_count"] == 0 and held["decided_at"] is None and held["created_at"] == created["created_at"]


@pytest.mark.parametrize("path", ["/api/v1/comments/999", "/api/v1/comments/abc", "/api/v1/comments/0",
                                  "/api/v1/comments/99999999999999999999999", "/api/v1/comments/-1"])
def test_unknown_or_malformed_comment_ids_are_404(client: FlaskClient, path: str) -> None:
    assert_error(client.get(path), 404, "not_found")


def test_article_lists_only_visible_comments_oldest_first(app: Flask, client: FlaskClient) -> None:
    first, held, second = post_comment(client), post_comment(client), post_comment(client)
    post_comment(client, article="other")
    score(app, first["id"], 0.1)
    score(app, held["id"], 0.9)
    score(app, second["id"], 0.2)
    listing = client.get("/api/v1/articles/a1/comments").get_json()
    assert [item["id"] for item in listing["items"]] == [first["id"], second["id"]]
    assert listing["total"] == 2 and listing["page"] == 1 and listing["per_page"] == 50
    assert "scores" not in listing["items"][0]  # the public list carries no moderation detail
    page_two = client.get("/api/v1/articles/a1/comments?page=2&per_page=1").get_json()
    assert [item["id"] for item in page_two["items"]] == [second["id"]] and page_two["total"] == 2
    assert client.get("/api/v1/articles/a1/comments?per_page=5000").get_json()["per_page"] == 200
    assert client.get("/api/v1/articles/nothing-here/comments").get_json() == {
        "items": [], "page": 1, "per_page": 50, "total": 0}


def test_article_ids_may_contain_slashes(app: Flask, client: FlaskClient) -> None:
    created = post_comment(client, article="news/2024/05/story")
    score(app, created["id"], 0.1)
    listing = client.get("/api/v1/articles/news/2024/05/story/comments").get_json()
    assert [item["id"] for item in listing["items"]] == [created["id"]]


@pytest.mark.parametrize("article", ["/world/2026/budget", "//cdn//x/", "a/comments", "/"])
def test_an_article_id_may_start_with_a_slash_like_a_sites_url_path(app: Flask, client: FlaskClient,
                                                                   article: str) -> None:
    created = post_comment(client, article=article)
    other = post_comment(client, article=article.strip("/") + "-elsewhere")  # a different article
    score(app, created["id"], 0.1)
    score(app, other["id"], 0.1)
    listing = client.get(f"/api/v1/articles/{article}/comments").get_json()
    assert [item["article_id"] for item in listing["items"]] == [article]


@pytest.mark.parametrize("query,field", [("page=0", "page"), ("page=x", "page"), ("per_page=-3", "per_page"),
                                         ("page=1&page=2", "page"),
                                         ("per_page=1.5", "per_page"), ("page=%EF%BC%91", "page")])
def test_bad_paging_is_a_400_naming_the_parameter(client: FlaskClient, query: str, field: str) -> None:
    assert_error(client.get(f"/api/v1/articles/a1/comments?{query}"), 400, "invalid_value", field)


# -- report ----------------------------------------------------------------------------------------


def test_report_returns_201_and_holds_once_three_readers_reported(app: Flask, client: FlaskClient) -> None:
    created = post_comment(client)
    score(app, created["id"], 0.1)
    response = client.post(f"/api/v1/comments/{created['id']}/reports", json={"reason": "rude", "reporter_id": "r9"})
    assert response.status_code == 201
    assert response.get_json() == {"comment_id": created["id"], "status": "published", "report_count": 1}
    empty = client.post(f"/api/v1/comments/{created['id']}/reports")  # every field is optional
    assert empty.status_code == 201 and empty.get_json()["report_count"] == 2
    again = client.post(f"/api/v1/comments/{created['id']}/reports", json={"reporter_id": "r9"})
    assert again.get_json()["status"] == "published", "r9 again is still two reporters"
    third = client.post(f"/api/v1/comments/{created['id']}/reports", json={"reporter_id": "r10"})
    assert third.get_json() == {"comment_id": created["id"], "status": "held", "report_count": 4}
    reports = stored(app, Report)
    assert [(r.reason, r.reporter_id) for r in reports] == [("rude", "r9"), ("", None), ("", "r9"), ("", "r10")]
    assert [r.reporter_key.partition(":")[0] for r in reports] == ["reader", "address", "reader", "reader"]


def test_a_moderators_report_holds_at_once_and_a_bad_token_is_refused(app: Flask, client: FlaskClient,
                                                                      auth: dict) -> None:
    created = post_comment(client)
    score(app, created["id"], 0.1)
    assert_error(client.post(f"/api/v1/comments/{created['id']}/reports", json={},
                             headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    response = client.post(f"/api/v1/comments/{created['id']}/reports", json={"reason": "spam"}, headers=auth)
    assert response.status_code == 201 and response.get_json()["status"] == "held"
    assert [r.reporter_key.partition(":")[0] for r in stored(app, Report)] == ["moderator"]


def test_with_site_keys_only_a_keyed_request_names_its_readers(app_config: dict[str, str]) -> None:
    from service.web.app import create_app

    keyed = create_app({**app_config, "MODERATION_SITE_KEYS": "k1"})
    client = keyed.test_client()
    created = client.post("/api/v1/comments?key=k1", json={"article_id": "a1", "author": {"id": "u1", "name": "R"},
                                                              "text": "A fair point."}).get_json()
    score(keyed, created["id"], 0.1)
    for reader in ("r1", "r2", "r3"):  # one address claiming three readers: one reporter
        assert client.post(f"/api/v1/comments/{created['id']}/reports", json={"reporter_id": reader}).get_json()[
            "status"] == "published"
    assert_error(client.post(f"/api/v1/comments/{created['id']}/reports?key=wrong", json={}), 403, "forbidden", "key")
    for reader in ("r1", "r2"):  # the site, with its key, vouches for its readers: with the address, three
        response = client.post(f"/api/v1/comments/{created['id']}/reports?key=k1", json={"reporter_id": reader})
    assert response.get_json()["status"] == "held"
    assert [r.reporter_key.partition(":")[0] for r in stored(keyed, Report)] == ["address"] * 3 + ["reader"] * 2
    keyed.extensions["moderation"].dispose()


def test_report_refuses_bad_input_and_unknown_comments(app: Flask, client: FlaskClient) -> None:
    created = post_comment(client)
    assert_error(client.post("/api/v1/comments/999/reports", json={}), 404, "not_found")
    assert_error(client.post(f"/api/v1/comments/{created['id']}/reports", json={"reason": 5}), 400,
                 "invalid_type", "reason")
    assert_error(client.post(f"/api/v1/comments/{created['id']}/reports", json={"why": "x"}), 400,
                 "unknown_field", "why")
    assert_error(client.post(f"/api/v1/comments/{created['id']}/reports", json={"reporter_id": ""}), 400,
                 "empty", "reporter_id")
    assert_error(client.post(f"/api/v1/comments/{created['id']}/reports", json={"reason": "x" * 501}), 400,
                 "too_long", "reason")
    # Only no body at all stands for "no fields": whitespace, JSON's or not, is not a JSON document
    # (schemathesis found both).
    for blank in (b"\x0c", b" \t\r\n"):
        assert_error(client.post(f"/api/v1/comments/{created['id']}/reports", data=blank,
                                 content_type="application/json"), 400, "invalid_json")
    assert stored(app, Report) == []
    assert client.post(f"/api/v1/comments/{created['id']}/reports").status_code == 201


# -- analyze ---------------------------------------------------------------------------------------


def test_analyze_scores_with_the_active_model_and_stores_nothing(
        app: Flask, client: FlaskClient, with_model: str) -> None:
    response = client.post("/api/v1/analyze", json={"text": "you are a worthless idiot and I will hurt you"})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"hostility", "slur", "flagged", "spans", "model_version"}
    assert body["model_version"] == with_model and 0 <= body["slur"] <= 1
    assert body["hostility"] > 0.5 and body["flagged"] is True
    assert body["spans"] and set(body["spans"][0]) == {"label", "begin", "end", "score"}
    calm = client.post("/api/v1/analyze", json={"text": "Thanks for the thorough reporting on the budget."})
    assert calm.get_json()["flagged"] is False
    assert stored(app) == [] and broker_messages(app) == []


def test_analyze_follows_the_configured_hold_threshold(app_config: dict[str, str], with_model: str,
                                                       trained_bundle: Path) -> None:
    from service.lifecycle.active_model import register_bundle
    from service.web.app import create_app

    strict = create_app({**app_config, "MODERATION_HOLD_HOSTILITY": "0", "MODERATION_HOLD_SLUR": "0"})
    with services(strict).sessions() as session:
        register_bundle(session, trained_bundle, activate=True)
        session.commit()
    body = strict.test_client().post("/api/v1/analyze", json={"text": "Thanks for the reporting."}).get_json()
    assert body["flagged"] is True  # a hold threshold of 0 holds everything
    services(strict).dispose()


def test_analyze_without_a_model_is_503(client: FlaskClient) -> None:
    assert_error(client.post("/api/v1/analyze", json={"text": "hello"}), 503, "no_model")


def test_analyze_validates_like_submit(client: FlaskClient, with_model: str) -> None:
    assert_error(client.post("/api/v1/analyze", json={}), 400, "missing_field", "text")
    assert_error(client.post("/api/v1/analyze", json={"text": "x" * 10_001}), 400, "too_long", "text")
    assert_error(client.post("/api/v1/analyze", json={"text": "a\u0000b"}), 400, "invalid_characters", "text")


# -- errors outside the routes ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api", "/api/v1/nothing", "/api/v2/comments", "/static/app.js"])
def test_unknown_routes_are_json_404(client: FlaskClient, path: str) -> None:
    assert_error(client.get(path), 404, "not_found")


def test_wrong_method_is_json_405_with_allow(client: FlaskClient) -> None:
    response = client.delete("/api/v1/comments")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    get_only = client.put("/api/v1/comments/1")
    assert_error(get_only, 405, "method_not_allowed")
    assert set(get_only.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_oversized_body_is_json_413_and_stores_nothing(app: Flask, client: FlaskClient) -> None:
    big = "x" * 150_000  # MODERATION_MAX_BODY is 100,000 in the test configuration
    response = client.post("/api/v1/comments", json={"article_id": "a", "author": {"id": "u", "name": "n"},
                                                     "text": big})
    assert_error(response, 413, "payload_too_large")
    assert stored(app) == []


def test_unexpected_errors_are_json_500_without_a_trace(app: Flask, client: FlaskClient,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture) -> None:
    import service.web.api.comments as comments

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(comments.store, "get_comment", broken)
    response = client.get("/api/v1/comments/1")
    error = assert_error(response, 500, "internal")
    assert "secret" not in response.get_data(as_text=True) and "Traceback" not in error["message"]
    assert "secret internals" in capsys.readouterr().err  # the operator still sees it, in the log


def test_every_request_is_logged_as_one_json_line_without_the_token(
        client: FlaskClient, capsys: pytest.CaptureFixture) -> None:
    import json

    capsys.readouterr()
    client.get("/api/v1/moderation/queue?x=1", headers={"Authorization": "Bearer sekrit-token-value"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [entry] = [line for line in lines if line.get("message") == "request"]
    assert entry["method"] == "GET" and entry["path"] == "/api/v1/moderation/queue" and entry["status"] == 401
    assert isinstance(entry["duration_ms"], float)
    assert not any("sekrit" in json.dumps(line) for line in lines)

