"""Secrets never reach the logs: passwords (right or wrong) at sign-in, bearer tokens and site keys in use, and
the token `moderation moderators add` prints for the operator. Every log record of every logger is captured,
at DEBUG, both as the record (message, arguments, extra fields) and as the JSON line the service writes."""

from __future__ import annotations

import io
import logging
import re

import pytest

from service.cli import main
from service.web.logs import JsonFormatter
from tests.security.conftest import AppFactory

PASSWORD = "Tr0ub4dor&3-unique-password"
WRONG = "a-wrong-guess-that-might-be-real"
SITE_KEY = "site-key-0123456789abcdef"


def _everything_logged(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> str:
    formatter = JsonFormatter()
    records = "\n".join(f"{formatter.format(record)} {record.args!r} {vars(record)!r}" for record in caplog.records)
    return records + "\n" + capsys.readouterr().err


def test_no_secret_in_the_logs_of_sign_in_token_use_and_site_keys(
        make_app: AppFactory, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> None:
    from service.lifecycle.moderators import create_moderator

    app = make_app(MODERATION_SITE_KEYS=SITE_KEY, MODERATION_LIMIT_SIGNIN_PER_ACCOUNT="2/hour")
    with app.extensions["moderation"].sessions() as session:
        _, token = create_moderator(session, "alice", password=PASSWORD)
        session.commit()
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    page = client.get("/moderate/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for password in (WRONG, WRONG, PASSWORD):  # two failures, then the limit refuses the right one (logged as 429)
        client.post("/moderate/login", data={"username": "alice", "password": password, "csrf_token": csrf})
    other = app.test_client()
    other.post("/moderate/login?password=" + PASSWORD, data={"username": "alice", "password": PASSWORD})  # no CSRF
    api = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/moderation/queue", headers=api).status_code == 200
    assert client.get("/api/v1/moderation/queue?token=" + token, headers={"Authorization": "Bearer x" + token}
                      ).status_code == 401
    body = {"article_id": "a1", "author": {"id": "u1", "name": "R"}, "text": "hello"}
    assert client.post(f"/api/v1/comments?key={SITE_KEY}", json=body).status_code == 202
    assert client.post("/api/v1/comments", json=body, headers={"X-Site-Key": SITE_KEY + "x"}).status_code == 403
    logged = _everything_logged(caplog, capsys)
    assert len(caplog.records) >= 8  # the requests were logged: there was something to search
    for secret in (PASSWORD, WRONG, token, SITE_KEY):
        assert secret not in logged


def test_moderators_add_shows_the_token_once_and_logs_nothing_of_it(
        tmp_path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("MODERATION_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'm.sqlite3'}")
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["moderators", "add", "carol", "--role", "admin", "--password"]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert len(token) >= 40 and "\n" not in token  # the token, alone on stdout, for the operator to copy
    formatter = JsonFormatter()
    logged = "\n".join(f"{formatter.format(r)} {r.args!r} {vars(r)!r}" for r in caplog.records) + out.err
    assert token not in logged and PASSWORD not in logged
