"""`moderation moderators list|log|deactivate|reactivate|reset-token|set-password`, in-process on a SQLite file."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from service.cli import main
from service.config import load_settings
from service.infra.db import make_engine, make_sessions
from service.infra.models import Moderator, ModeratorEvent
from service.lifecycle.moderators import authenticate_token, verify_password


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Configure the command through the environment, as a user would; returns the var dir."""
    monkeypatch.setenv("MODERATION_VAR_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "BROKER_URL", "MODERATION_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)
    assert main(["db", "upgrade"]) == 0
    return tmp_path


def _session():
    return make_sessions(make_engine(load_settings().database_url))()


def _add(capsys, name: str, *extra: str) -> str:
    assert main(["moderators", "add", name, *extra]) == 0
    return capsys.readouterr().out.strip()


def _one_line_error(capsys, argv: list[str], words: str) -> None:
    assert main(argv) == 2, argv
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and words in captured.err, captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_list_shows_every_account_and_no_secret(env: Path, capsys) -> None:
    token = _add(capsys, "alice", "--admin")
    _add(capsys, "bob")
    assert main(["moderators", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:4] for line in lines] == [["alice", "admin", "active", "no"], ["bob", "moderator",
                                                                                       "active", "no"]]
    assert token not in "\n".join(lines)


def test_deactivate_stops_the_token_and_the_password_and_reactivate_restores_them(
        env: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(capsys, "root", "--admin")
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery staple\n"))
    token = _add(capsys, "bob", "--password")
    assert main(["moderators", "deactivate", "bob"]) == 0
    capsys.readouterr()
    with _session() as session:
        bob = session.scalars(select(Moderator).where(Moderator.name == "bob")).one()
        assert authenticate_token(session, token) is None and not verify_password(bob, "correct horse battery staple")
    _one_line_error(capsys, ["moderators", "deactivate", "bob"], "already deactivated")
    assert main(["moderators", "reactivate", "bob"]) == 0
    with _session() as session:
        assert authenticate_token(session, token).name == "bob"


def test_reset_token_prints_a_new_one_once_and_the_old_one_stops_working(env: Path, capsys) -> None:
    old = _add(capsys, "alice")
    assert main(["moderators", "reset-token", "alice"]) == 0
    captured = capsys.readouterr()
    new = captured.out.strip()
    assert new and new != old and "shown only this once" in captured.err
    with _session() as session:
        assert authenticate_token(session, old) is None and authenticate_token(session, new).name == "alice"


def test_set_password_from_stdin(env: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(capsys, "alice")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a new passphrase\n"))
    assert main(["moderators", "set-password", "alice"]) == 0
    capsys.readouterr()
    with _session() as session:
        assert verify_password(session.scalars(select(Moderator)).one(), "a new passphrase")
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    _one_line_error(capsys, ["moderators", "set-password", "alice"], "the password is empty")


def test_bad_input_is_one_line_and_status_2(env: Path, capsys) -> None:
    _add(capsys, "root", "--admin")
    for command in ("deactivate", "reactivate", "reset-token", "set-password"):
        _one_line_error(capsys, ["moderators", command, "nobody"], "no moderator named 'nobody'")
    _one_line_error(capsys, ["moderators", "reactivate", "root"], "already active")
    _one_line_error(capsys, ["moderators", "deactivate", "root"], "last active admin")
    _one_line_error(capsys, ["moderators", "log", "--limit", "0"], "--limit")


def test_every_change_is_in_the_accounts_log(env: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    _add(capsys, "root", "--admin")
    _add(capsys, "bob")
    assert main(["moderators", "deactivate", "bob"]) == 0
    assert main(["moderators", "reactivate", "bob"]) == 0
    assert main(["moderators", "reset-token", "bob"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("a new passphrase\n"))
    assert main(["moderators", "set-password", "bob"]) == 0
    capsys.readouterr()
    with _session() as session:
        events = [(e.moderator.name, e.action) for e in session.scalars(select(ModeratorEvent).order_by(
            ModeratorEvent.id))]
        assert events == [("root", "create"), ("bob", "create"), ("bob", "deactivate"), ("bob", "reactivate"),
                          ("bob", "reset_token"), ("bob", "set_password")]
        assert all(e.actor.startswith("cli") for e in session.scalars(select(ModeratorEvent)))
    assert main(["moderators", "log"]) == 0
    log = capsys.readouterr().out.splitlines()
    assert len(log) == 6 and "set_password" in log[0] and "bob" in log[0] and "by cli" in log[0]
