"""The moderator's workbench: sign-in, CSRF, the queue's escaping and highlighting, decisions, log, overview."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.domain import ScoreResult, record_score
from service.models import Comment, Decision, Status
from service.moderate.render import highlight
from service.moderate.security import safe_next
from service.moderators import create_moderator
from tests.service.conftest import HELD_POLICY, post_comment, services, stored

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)">x</a>\u202eevil'


@pytest.fixture
def moderator(app: Flask) -> str:
    """A moderator "carol" with a password."""
    with services(app).sessions() as session:
        create_moderator(session, "carol", password="s3cret-pass")
        create_moderator(session, "dave", password="other-pass")
        session.commit()
    return "carol"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _login(client: FlaskClient, name: str = "carol", password: str = "s3cret-pass", next_url: str = ""):
    token = _csrf(client.get("/moderate/login").get_data(as_text=True))
    return client.post("/moderate/login", data={"username": name, "password": password, "csrf_token": token,
                                                "next": next_url})


def _held(app: Flask, client: FlaskClient, text: str = "You utter clown, go away", author: str = "u1",
          spans: list | None = None) -> int:
    created = post_comment(client, text=text, author=author, name=f"Name {author}")
    result = ScoreResult(hostility=0.9, slur=0.1, name_hostility=0.0, name_slur=0.0, model_version="test",
                         spans=spans if spans is not None else [{"label": "hostility", "begin": 4, "end": 15,
                                                                  "score": 0.8}])
    with services(app).sessions() as session:
        record_score(session, created["id"], result, HELD_POLICY)
        session.commit()
    return created["id"]


@pytest.fixture
def signed_in(client: FlaskClient, moderator: str) -> FlaskClient:
    """The client, signed in as carol."""
    assert _login(client).status_code == 302
    return client


def _token(client: FlaskClient) -> str:
    return _csrf(client.get("/moderate/").get_data(as_text=True))


def _status(app: Flask, comment_id: int) -> str:
    with services(app).sessions() as session:
        return session.get(Comment, comment_id).status


@pytest.mark.parametrize("path", ["/moderate/", "/moderate/log", "/moderate/overview"])
def test_signed_out_pages_redirect_to_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/moderate/login?next=")


def test_login_and_logout(client: FlaskClient, moderator: str) -> None:
    response = _login(client, next_url="/moderate/log")
    assert response.status_code == 302 and response.headers["Location"] == "/moderate/log"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/moderate/")
    assert page.status_code == 200 and "carol" in page.get_data(as_text=True)
    response = client.post("/moderate/logout", data={"csrf_token": _csrf(page.get_data(as_text=True))})
    assert response.status_code == 302
    assert client.get("/moderate/").status_code == 302


def test_login_clears_the_previous_session(client: FlaskClient, moderator: str) -> None:
    client.get("/moderate/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    _login(client)
    with client.session_transaction() as session:
        assert "planted" not in session and session["moderator_id"]


def test_wrong_password_is_refused(client: FlaskClient, moderator: str) -> None:
    response = _login(client, password="wrong")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert _login(client, name="nobody").status_code == 401
    assert client.get("/moderate/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "/api/v1/comments", "http:/evil"])
def test_open_redirects_are_refused(client: FlaskClient, moderator: str, target: str) -> None:
    response = _login(client, next_url=target)
    assert response.headers["Location"] == "/moderate/"
    assert safe_next("/moderate/log?action=approve", "/x") == "/moderate/log?action=approve"


def test_posts_without_csrf_are_refused(app: Flask, client: FlaskClient, moderator: str) -> None:
    response = client.post("/moderate/login", data={"username": "carol", "password": "s3cret-pass"})
    assert response.status_code == 400
    _login(client)
    comment_id = _held(app, client)
    for data in ({}, {"csrf_token": "forged"}):
        response = client.post("/moderate/decide", data={"comment_id": comment_id, "action": "approve", **data})
        assert response.status_code == 400
    assert _status(app, comment_id) == Status.HELD
    # The header works as well as the form field (for fetch).
    response = client.post("/moderate/decide", data={"comment_id": comment_id, "action": "approve"},
                           headers={"X-CSRF-Token": _token(client)})
    assert response.status_code == 302 and _status(app, comment_id) == Status.APPROVED


def test_xss_payload_is_escaped_and_csp_is_set(app: Flask, signed_in: FlaskClient) -> None:
    _held(app, signed_in, text=XSS, spans=[{"label": "hostility", "begin": 0, "end": 8, "score": 0.9}])
    response = signed_in.get("/moderate/")
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and 'href="javascript:' not in html
    assert 'title="hostility 0.90">&lt;script&gt;</mark>alert(1)&lt;/script&gt;' in html
    assert "&lt;img src=x onerror=" in html
    assert "\u202e" not in html and "[U+202E]evil" in html
    assert "style=" not in html and "<script>" not in html.replace('<script src="/moderate/static/moderate.js"', "")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert signed_in.get("/moderate/login").headers["Content-Security-Policy"] == csp


def test_the_queue_highlights_spans_and_shows_context(app: Flask, signed_in: FlaskClient) -> None:
    parent = post_comment(signed_in, text="The parent comment", author="p1")["id"]
    created = post_comment(signed_in, text="You utter clown", author="u7", name="Mallory", parent_id=parent)
    with services(app).sessions() as session:
        record_score(session, created["id"], ScoreResult(0.9, 0.6, [{"label": "slur", "begin": 4, "end": 9,
                                                                      "score": 0.7}], 0.0, 0.0, "test"), HELD_POLICY)
        session.commit()
    html = signed_in.get("/moderate/").get_data(as_text=True)
    assert '<mark class="span span-slur" title="slur 0.70">utter</mark>' in html
    assert "The parent comment" in html and "Mallory" in html and "u7" in html
    assert "model:hostility" in html and "model:slur" in html
    assert html.count("<meter") >= 2
    assert "Nothing is held" in signed_in.get("/moderate/?category=report").get_data(as_text=True)
    assert "Mallory" in signed_in.get("/moderate/?category=slur&sort=oldest").get_data(as_text=True)


def test_highlight_slices_escapes_and_survives_bad_spans() -> None:
    text = "a <b> c"
    assert str(highlight(text, [{"label": "hostility", "begin": 2, "end": 5, "score": 0.5},
                                {"label": "x", "begin": 3, "end": 99, "score": 1},
                                {"begin": "bad"}])) == (
        'a <mark class="span span-hostility" title="hostility 0.50">&lt;b&gt;</mark>'
        '<mark class="span span-other" title="x 1.00"> c</mark>')


def test_approve_and_reject_write_audit_rows(app: Flask, signed_in: FlaskClient) -> None:
    first, second = _held(app, signed_in), _held(app, signed_in)
    token = _token(signed_in)
    signed_in.post("/moderate/decide", data={"csrf_token": token, "comment_id": first, "action": "approve"})
    signed_in.post("/moderate/decide", data={"csrf_token": token, "comment_id": second, "action": "reject",
                                             "reason": "insult", "labels": ["hostility"]})
    assert _status(app, first) == Status.APPROVED and _status(app, second) == Status.REJECTED
    rows = {d.comment_id: d for d in stored(app, Decision)}
    assert rows[first].action == "approve" and rows[first].actor == "carol"
    assert rows[second].labels == ["hostility"] and rows[second].reason == "insult"
    log = signed_in.get("/moderate/log?action=reject&moderator=carol").get_data(as_text=True)
    assert "insult" in log and "decision-approve" not in log


def test_bulk_and_reject_author(app: Flask, signed_in: FlaskClient) -> None:
    a, b = _held(app, signed_in, author="u1"), _held(app, signed_in, author="u1")
    c, d = _held(app, signed_in, author="u2"), _held(app, signed_in, author="u3")
    token = _token(signed_in)
    signed_in.post("/moderate/reject-author", data={"csrf_token": token, "author_id": "u1"})
    assert _status(app, a) == _status(app, b) == Status.REJECTED
    signed_in.post("/moderate/bulk", data={"csrf_token": token, "action": "approve", "ids": [c, d]})
    assert _status(app, c) == _status(app, d) == Status.APPROVED
    assert len(stored(app, Decision)) == 4


def test_a_decided_comment_shows_who_decided(app: Flask, client: FlaskClient, moderator: str) -> None:
    _login(client, name="dave", password="other-pass")
    comment_id = _held(app, client)
    client.post("/moderate/decide", data={"csrf_token": _token(client), "comment_id": comment_id,
                                          "action": "reject"})
    client.post("/moderate/logout", data={"csrf_token": _token(client)})
    _login(client)
    response = client.post("/moderate/decide", data={"csrf_token": _token(client), "comment_id": comment_id,
                                                     "action": "approve"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"comment {comment_id} is rejected by dave at" in html
    assert _status(app, comment_id) == Status.REJECTED


def test_overview_draws_svg_charts(app: Flask, signed_in: FlaskClient, with_model: str) -> None:
    comment_id = _held(app, signed_in)
    signed_in.post("/moderate/decide", data={"csrf_token": _token(signed_in), "comment_id": comment_id,
                                             "action": "approve"})
    html = signed_in.get("/moderate/overview").get_data(as_text=True)
    assert html.count("<svg") == 6 and 'class="bar bar-approved"' in html
    assert with_model in html


def test_static_files_are_served(client: FlaskClient) -> None:
    assert client.get("/moderate/static/moderate.css").status_code == 200
    assert b"keydown" in client.get("/moderate/static/moderate.js").data


def test_daily_counts_and_the_overturned_share(app: Flask, signed_in: FlaskClient) -> None:
    from service.moderate.stats import daily_counts

    kept, released = _held(app, signed_in), _held(app, signed_in)
    post_comment(signed_in, text="published later")
    token = _token(signed_in)
    signed_in.post("/moderate/decide", data={"csrf_token": token, "comment_id": kept, "action": "reject"})
    signed_in.post("/moderate/decide", data={"csrf_token": token, "comment_id": released, "action": "approve"})
    with services(app).sessions() as session:
        today = daily_counts(session, days=3)[-1]
    assert (today.received, today.held, today.approved, today.rejected) == (3, 2, 1, 1)
    assert today.overturned_pct == 50.0


def test_chart_labels_are_escaped() -> None:
    from service.moderate.charts import bar_chart

    svg = str(bar_chart(["<b>", "x"], [0, 3], "n<ame"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and 'aria-label="n&lt;ame"' in svg
    assert svg.count("<rect") == 2
