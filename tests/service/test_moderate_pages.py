"""The moderator's workbench: sign-in, CSRF, the queue's escaping and highlighting, decisions, log, overview."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from service.infra.models import Comment, Decision, Report, Status
from service.lifecycle.assess import ScoreResult
from service.lifecycle.moderators import create_moderator
from service.lifecycle.policy import Policy
from service.lifecycle.transitions import record_score
from service.web.moderate.render import highlight
from service.web.moderate.security import safe_next
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
    result = ScoreResult(scores={"hostility": 0.9, "slur": 0.1},
                         name_scores={"hostility": 0.0, "slur": 0.0}, model_version="test",
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
        record_score(session, created["id"], ScoreResult({"hostility": 0.9, "slur": 0.6},
                                                         [{"label": "slur", "begin": 4, "end": 9, "score": 0.7}],
                                                         {"hostility": 0.0, "slur": 0.0}, "test"), HELD_POLICY)
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
    from service.web.moderate.stats import daily_counts

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
    from service.web.moderate.charts import bar_chart

    svg = str(bar_chart(["<b>", "x"], [0, 3], "n<ame"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and 'aria-label="n&lt;ame"' in svg
    assert svg.count("<rect") == 2


# -- paging, filters in SQL (on SQLite and PostgreSQL), CSRF pages, cookies ------------------------------


def _seed_queue(app: Flask) -> dict[str, list[int]]:
    """Held comments of every kind through the domain: 12 hostile on a1 (1-3 March), 3 slurs on a2,
    2 for the author's name, 2 reported; the ids of each kind, oldest first."""
    from datetime import UTC, datetime

    from service.lifecycle.store import submit_comment
    from service.lifecycle.transitions import report_comment

    kinds: dict[str, list[int]] = {"hostility": [], "slur": [], "name": [], "report": []}
    plan = ([("hostility", "a1", 0.6 + i / 100, 0.0, 0.0) for i in range(12)]
            + [("slur", "a2", 0.1, 0.9, 0.0)] * 3 + [("name", "a1", 0.1, 0.1, 0.95)] * 2
            + [("report", "a3", 0.1, 0.1, 0.0)] * 2)
    with services(app).sessions() as session:
        for index, (kind, article, hostility, slur, name) in enumerate(plan):
            comment = submit_comment(session, article_id=article, author_id=f"u{index}", author_name="N",
                                     text=f"{kind} {index}")
            # Four a day from 1 March on (the hostile ones on 1-3 March), so the date filter has something to cut.
            session.execute(update(Comment).where(Comment.id == comment.id)
                            .values(created_at=datetime(2026, 3, 1 + index // 4, 12, index, tzinfo=UTC)))
            record_score(session, comment.id, ScoreResult({"hostility": hostility, "slur": slur}, [],
                                                          {"hostility": name, "slur": 0.0}, "test"), HELD_POLICY)
            if kind == "report":
                report_comment(session, comment, "rude", policy=Policy(hold={}, reports_to_hold=1))
            kinds[kind].append(comment.id)
        session.commit()
    return kinds


def _ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<li class="item" id="comment-(\d+)"', html)]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database_app(request: pytest.FixtureRequest, app_config: dict[str, str]) -> Iterator[Flask]:
    """The app on SQLite, then on a PostgreSQL database of its own (skipped where PostgreSQL is absent)."""
    from service.infra.db import upgrade
    from service.web.app import create_app
    from tests.integration.conftest import postgres_database

    if request.param == "sqlite":
        yield request.getfixturevalue("app")
        return
    with postgres_database() as url:
        upgrade(url)
        app = create_app({**app_config, "DATABASE_URL": url})
        try:
            yield app
        finally:
            services(app).dispose()


def test_queue_filters_run_in_sql_and_page_on_both_databases(any_database_app: Flask) -> None:
    from service.lifecycle import queries

    app = any_database_app
    kinds = _seed_queue(app)
    with services(app).sessions() as session:
        def queue(**filters: object) -> list[int]:
            page = queries.moderation_queue(session, sort="oldest", per_page=100, **filters)
            assert page.total == len(page.items)
            return [c.id for c in page.items]

        assert queue(category="slur") == kinds["slur"]
        assert queue(category="hostility") == kinds["hostility"]
        assert queue(reason="name") == kinds["name"] and queue(reason="report") == kinds["report"]
        assert queue(reason="model") == sorted(kinds["hostility"] + kinds["slur"])
        assert queue(category="hostility", article_id="a2") == []
        from datetime import UTC, datetime
        march_2 = queue(category="hostility", created_from=datetime(2026, 3, 2, tzinfo=UTC),
                        created_before=datetime(2026, 3, 3, tzinfo=UTC))
        assert march_2 == kinds["hostility"][4:8]
        second = queries.moderation_queue(session, category="hostility", sort="oldest", page=2, per_page=5)
        assert second.total == 12 and [c.id for c in second.items] == kinds["hostility"][5:10]

    client = app.test_client()
    with services(app).sessions() as session:
        create_moderator(session, "carol", password="s3cret-pass")
        session.commit()
    _login(client)
    html = client.get("/moderate/?category=hostility&sort=oldest&since=2026-03-01&until=2026-03-02"
                      "&per_page=3&page=2").get_data(as_text=True)
    assert _ids(html) == kinds["hostility"][3:6]
    assert "Page 2 of 3" in html and "(8 held, 3 on this page)" in html
    # Every page link keeps the filters and the order.
    links = set(re.findall(r'href="(/moderate/\?[^"]+)"', html))
    assert links and all("category=hostility" in link and "sort=oldest" in link and "since=2026-03-01" in link
                         and "until=2026-03-02" in link and "per_page=3" in link for link in links)
    assert any("page=3" in link for link in links) and any("page=1" in link for link in links)


def test_paging_past_the_end_shows_the_last_page_and_the_log_pages(app: Flask, signed_in: FlaskClient) -> None:
    kinds = _seed_queue(app)
    html = signed_in.get("/moderate/?category=hostility&sort=oldest&per_page=10&page=9").get_data(as_text=True)
    assert _ids(html) == kinds["hostility"][10:] and "Page 2 of 2" in html
    for nonsense in ("page=-1", "page=x", "per_page=0&page=1", "per_page=99999"):
        assert signed_in.get(f"/moderate/?{nonsense}").status_code == 200
    signed_in.post("/moderate/bulk", data={"csrf_token": _token(signed_in), "action": "approve",
                                           "ids": kinds["hostility"]})
    log = signed_in.get("/moderate/log?action=approve&per_page=10&page=2").get_data(as_text=True)
    assert "12 decision(s)" in log and "Page 2 of 2" in log and log.count('<tr class="decision-approve"') == 2


def test_every_post_form_carries_the_csrf_token(app: Flask, signed_in: FlaskClient) -> None:
    _held(app, signed_in)
    for path in ("/moderate/", "/moderate/log", "/moderate/overview"):
        html = signed_in.get(path).get_data(as_text=True)
        forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
        assert forms, path
        assert all('name="csrf_token" value="' in form for form in forms), path


def test_a_browser_form_without_csrf_gets_an_html_page_and_fetch_gets_json(app: Flask, signed_in: FlaskClient
                                                                         ) -> None:
    comment_id = _held(app, signed_in)
    response = signed_in.post("/moderate/decide", data={"comment_id": comment_id, "action": "approve"},
                              headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                                       "Referer": "http://localhost/moderate/?sort=oldest"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "That form could not be sent" in html and 'href="/moderate/?sort=oldest"' in html
    assert "Content-Security-Policy" in response.headers and "Traceback" not in html
    for headers in ({"Accept": "application/json"}, {"X-CSRF-Token": "forged"}, {}):
        response = signed_in.post("/moderate/decide", data={"comment_id": comment_id, "action": "reject"},
                                  headers=headers)
        assert response.status_code == 400
        assert response.get_json() == {"error": {"code": "bad_request", "message": "missing or wrong CSRF token",
                                                 "field": "csrf_token"}}
    assert _status(app, comment_id) == Status.HELD


def test_signed_out_posts_change_nothing(app: Flask, client: FlaskClient, moderator: str) -> None:
    _login(client, name="dave", password="other-pass")
    comment_id = _held(app, client)
    client.post("/moderate/logout", data={"csrf_token": _token(client)})
    token = _csrf(client.get("/moderate/login").get_data(as_text=True))  # a valid token, but no moderator
    for path, data in (("/moderate/decide", {"comment_id": comment_id, "action": "approve"}),
                       ("/moderate/bulk", {"ids": comment_id, "action": "approve"}),
                       ("/moderate/reject-author", {"author_id": "u1"})):
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code == 302 and "/moderate/login" in response.headers["Location"]
    assert _status(app, comment_id) == Status.HELD and stored(app, Decision) == []


def test_the_session_cookie_is_secure_over_https_only(app: Flask, moderator: str) -> None:
    for scheme, secure in (("http", False), ("https", True)):
        client = app.test_client()
        token = _csrf(client.get("/moderate/login", base_url=f"{scheme}://localhost").get_data(as_text=True))
        response = client.post("/moderate/login", base_url=f"{scheme}://localhost",
                               data={"username": "carol", "password": "s3cret-pass", "csrf_token": token})
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("; Secure" in cookie) is secure, cookie


def _score(app: Flask, comment_id: int, result: ScoreResult) -> None:
    with services(app).sessions() as session:
        record_score(session, comment_id, result, HELD_POLICY)
        session.commit()


def _reasons(html: str, comment_id: int) -> list[str]:
    item = html.split(f'id="comment-{comment_id}"', 1)[1].split("</li>", 1)[0]
    return [re.sub(r"\s+", " ", found) for found in re.findall(r'class="reason(?: [^"]*)?"[^>]*>([^<]*)<', item)]


def test_the_queue_says_why_each_comment_is_held_in_words(app: Flask, signed_in: FlaskClient) -> None:
    from service.infra.models import ModelVersion

    with services(app).sessions() as session:
        # The thresholds of the model that scored the comment, not HELD_POLICY's: the registry's are what the
        # worker held it by, and what a decision reads.
        session.add(ModelVersion(version="scored-by", path="/none", sha256="0" * 64, thresholds={
            "hostility": 0.61, "slur": 0.42}))
        session.commit()
    slur = post_comment(signed_in, text="a slur here", author="u1", name="Someone")["id"]
    _score(app, slur, ScoreResult({"hostility": 0.7, "slur": 0.56}, [], {"hostility": 0.0, "slur": 0.0}, "scored-by"))
    named = post_comment(signed_in, text="ordinary words", author="u2", name="WhiteBoy1488")["id"]
    _score(app, named, ScoreResult({"hostility": 0.1, "slur": 0.0}, [], {"hostility": 0.99, "slur": 0.99}, "scored-by",
                                   {"part": "1488", "why": "hate symbol"}))
    reported = post_comment(signed_in, text="fine words", author="u3")["id"]
    _score(app, reported, ScoreResult({"hostility": 0.1, "slur": 0.0}, [],
                                      {"hostility": 0.0, "slur": 0.0}, "scored-by"))
    with services(app).sessions() as session:
        # Held on its reports, written as the report rule leaves it (what is tested is how the queue words them).
        comment = session.get(Comment, reported)
        session.add_all([Report(comment_id=reported, reason=reason, reporter_id=f"r{i}")
                         for i, reason in enumerate(("spam", "harassment", "spam", ""))])
        comment.status, comment.hold_reasons, comment.report_count = Status.HELD, ["report"], 4
        session.commit()
    html = signed_in.get("/moderate/").get_data(as_text=True)
    # HELD_POLICY (0.5) held both heads; against the scoring model's thresholds hostility 0.70 ≥ 0.61 too.
    assert _reasons(html, slur) == ["hostility 0.70 ≥ hold 0.61", "slur 0.56 ≥ hold 0.42"]
    assert _reasons(html, named) == ["name: &#39;1488&#39; (hate symbol) 0.99 ≥ hold 0.90"]
    assert _reasons(html, reported) == ["4 reports: spam ×2, harassment, no reason given"]
    assert 'id="legend"' in html and "span-hostility" in html.split('id="legend"')[1].split("</p>")[0]


def test_a_decision_offers_undo_once_and_undo_puts_it_back(app: Flask, signed_in: FlaskClient) -> None:
    comment_id = _held(app, signed_in)
    token = _token(signed_in)
    page = signed_in.post("/moderate/decide", data={"csrf_token": token, "comment_id": comment_id,
                                                    "action": "reject"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    [decision] = [d for d in stored(app, Decision) if d.comment_id == comment_id]
    assert 'id="undo"' in html and f'name="decision" value="{comment_id}:{decision.id}"' in html
    assert 'id="undo"' not in signed_in.get("/moderate/").get_data(as_text=True), "offered once, on the next page"
    undone = signed_in.post("/moderate/revert", data={"csrf_token": token, "decision": f"{comment_id}:{decision.id}"},
                            follow_redirects=True)
    assert f"#{comment_id} is back in the queue" in undone.get_data(as_text=True)
    assert _status(app, comment_id) == Status.HELD
    assert [d.action for d in stored(app, Decision)] == ["reject", "revert"]
    # The same undo again: nothing left to revert, said in words, nothing changed.
    again = signed_in.post("/moderate/revert", data={"csrf_token": token, "decision": f"{comment_id}:{decision.id}"},
                           follow_redirects=True)
    assert "no decision to revert" in again.get_data(as_text=True)
    assert len(stored(app, Decision)) == 2
    log = signed_in.get("/moderate/log?action=revert").get_data(as_text=True)
    assert f"reverts decision {decision.id} (reject by carol): undone in the workbench" in log


def test_the_overview_does_not_count_a_reverted_decision(app: Flask, signed_in: FlaskClient) -> None:
    from service.web.moderate.stats import daily_counts

    comment_id = _held(app, signed_in)
    token = _token(signed_in)
    signed_in.post("/moderate/decide", data={"csrf_token": token, "comment_id": comment_id, "action": "reject"})
    [decision] = stored(app, Decision)
    signed_in.post("/moderate/revert", data={"csrf_token": token, "decision": f"{comment_id}:{decision.id}"})
    signed_in.post("/moderate/decide", data={"csrf_token": token, "comment_id": comment_id, "action": "approve"})
    with services(app).sessions() as session:
        today = daily_counts(session, days=1)[-1]
    assert (today.approved, today.rejected) == (1, 0)


@pytest.mark.parametrize("path", ["/moderate/nothing-here", "/moderate/queue/7", "/moderate/static/nope.css"])
def test_unknown_workbench_pages_are_html_for_a_browser_and_json_otherwise(client: FlaskClient, path: str) -> None:
    browser = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 404 and browser.mimetype == "text/html"
    assert "No such page" in browser.get_data(as_text=True)
    assert "script-src 'self'" in browser.headers["Content-Security-Policy"]
    script = client.get(path, headers={"Accept": "application/json"})
    assert script.status_code == 404 and script.get_json()["error"]["code"] == "not_found"
    api = client.get("/api/v1/nothing-here", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


def test_a_get_of_a_form_address_is_an_html_405_for_a_browser(signed_in: FlaskClient) -> None:
    response = signed_in.get("/moderate/decide", headers={"Accept": "text/html"})
    assert response.status_code == 405 and response.mimetype == "text/html" and "POST" in response.headers["Allow"]
    assert 'href="/moderate/log"' in response.get_data(as_text=True), "signed in: the page has the navigation"


def test_the_favicon_is_served(client: FlaskClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<svg") and b"<script" not in response.data
    assert 'rel="icon" href="/favicon.ico"' in client.get("/moderate/login").get_data(as_text=True)


def test_charts_keep_their_text_size_and_fit_fourteen_days() -> None:
    from service.web.moderate.charts import bar_chart, short

    svg = str(bar_chart([f"11-{day:02d}" for day in range(18, 32)], [3, 1250, *range(12)], "received"))
    assert "viewBox" not in svg, "a viewBox would scale the text down with the chart"
    assert svg.count('class="label"') == 14 and ">18</text>" in svg and "<title>11-19: 1250</title>" in svg
    assert ">1.2k</text>" in svg
    assert (short(16.7), short(100), short(2000)) == ("17", "100", "2k")
