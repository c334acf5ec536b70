"""The service's `moderation` commands, run in-process against a SQLite file in tmp_path."""

from __future__ import annotations

import hashlib
import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from classifier.bundle import load_bundle
from service.cli import main
from service.cli.run import Child, stop_all
from service.config import load_settings
from service.infra.db import make_engine, make_sessions
from service.infra.models import ModelVersion, Moderator
from service.lifecycle.moderators import verify_password
from tests.conftest import copy_bundle


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, seed_trained: Path) -> Path:
    """A seed-trained bundle (the session's seed model) in a models folder of its own."""
    return copy_bundle(seed_trained, tmp_path_factory.mktemp("models"))


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundle: Path) -> Path:
    """Configure the command through the environment, as a user would; returns the var dir."""
    monkeypatch.setenv("MODERATION_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MODERATION_MODELS_DIR", str(bundle.parent))
    for name in ("DATABASE_URL", "BROKER_URL", "MODERATION_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)
    assert main(["db", "upgrade"]) == 0
    return tmp_path


def _rows(model: type) -> list:
    engine = make_engine(load_settings().database_url)
    try:
        with make_sessions(engine)() as session:
            return list(session.scalars(select(model)))
    finally:
        engine.dispose()


def test_db_upgrade_creates_the_schema(env: Path) -> None:
    engine = make_engine(load_settings().database_url)
    assert {"comments", "moderators", "decisions", "model_versions"} <= set(inspect(engine).get_table_names())
    engine.dispose()
    assert main(["db", "upgrade"]) == 0, "upgrading twice is harmless"


def test_moderators_add_prints_the_token_once_and_stores_its_hash(env: Path, capsys) -> None:
    assert main(["moderators", "add", "alice", "--role", "admin"]) == 0
    token = capsys.readouterr().out.strip()
    [alice] = _rows(Moderator)
    assert alice.role == "admin" and alice.password_hash is None
    assert alice.token_hash == hashlib.sha256(token.encode()).hexdigest() != token


def test_moderators_add_takes_a_password_from_stdin(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery staple\n"))
    assert main(["moderators", "add", "bob", "--password"]) == 0
    [bob] = _rows(Moderator)
    assert verify_password(bob, "correct horse battery staple") and bob.role == "moderator"


def test_a_taken_name_is_one_line_and_status_2(env: Path, capsys) -> None:
    assert main(["moderators", "add", "alice"]) == 0
    capsys.readouterr()
    assert main(["moderators", "add", "alice"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "already exists" in error


def test_models_list_activate_and_ensure(env: Path, bundle: Path, capsys) -> None:
    version = bundle.name
    assert main(["models", "list"]) == 0
    assert "not registered" in capsys.readouterr().out
    assert main(["models", "activate", version]) == 0
    [row] = _rows(ModelVersion)
    assert row.active and row.version == version and row.sha256 == load_bundle(bundle).metadata["sha256"]
    assert main(["models", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].split()[:2] == [version, "yes"]
    assert main(["models", "ensure"]) == 0, "already active: nothing to train"
    assert len(_rows(ModelVersion)) == 1


def test_models_ensure_registers_the_newest_bundle(env: Path, bundle: Path) -> None:
    assert main(["models", "ensure"]) == 0
    assert [(row.version, row.active) for row in _rows(ModelVersion)] == [(bundle.name, True)]


def test_activating_an_unknown_version_is_a_usage_error(env: Path, capsys) -> None:
    assert main(["models", "activate", "v19990101-000000"]) == 2
    assert "no model 'v19990101-000000'" in capsys.readouterr().err


def test_stop_all_kills_a_child_that_ignores_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    stubborn = Child("stubborn", [sys.executable, "-c",
                                  "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                  f"pathlib.Path({str(ready)!r}).touch(); time.sleep(60)"])
    stubborn.start()
    polite = Child("polite", [sys.executable, "-c", "import time; time.sleep(60)"])
    polite.start()
    # Wait until the stubborn child really ignores SIGTERM: before that, SIGTERM would kill it and the test
    # would fail only because the machine was slow. The generous deadline only bounds a broken child.
    deadline = time.monotonic() + 120
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ready.exists(), "the stubborn child never started"
    assert stubborn.process is not None and polite.process is not None
    stop_all([stubborn, polite], timeout=1.0)
    assert stubborn.process.returncode == -signal.SIGKILL
    assert polite.process.returncode == -signal.SIGTERM


def test_the_moderation_command_stays_light() -> None:
    probe = ("import sys; from service.cli import build_parser; build_parser()\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'celery', 'gunicorn', 'kombu'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
