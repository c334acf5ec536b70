"""`moderation --help` and the registry's commands answer at once: they never load the model stack.

Each command runs in a fresh interpreter, as a user starts it. What it loaded is the robust check (a module in
sys.modules is there on any machine); the wall-clock bound is generous, because tests share loaded machines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.cli import main
from service.infra.integration_models import WEBHOOK_EVENTS
from tests.conftest import REPOSITORY

MODEL_STACK = {"numpy", "scipy", "sklearn", "skops", "torch", "onnxruntime", "tokenizers", "matplotlib", "tqdm"}
"""What the classifier's commands load to train and score."""
SERVERS = {"flask", "flask_limiter", "werkzeug", "gunicorn", "celery", "kombu"}
DATABASE = {"sqlalchemy", "alembic"}

BOUND_SECONDS = 3.0
"""Generous: on an idle machine `--help` takes about 0.2 s and `models list` 0.5 s (it imports SQLAlchemy)."""
TRIES = 3

PROBE = """\
import json, sys
from service.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as stop:
    status = stop.code
print(json.dumps({"status": status, "loaded": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def _clean_environment(monkeypatch: pytest.MonkeyPatch, var_dir: Path) -> None:
    """The embedded default under ``var_dir`` (the subprocesses inherit it)."""
    monkeypatch.setenv("MODERATION_VAR_DIR", str(var_dir))
    for name in ("DATABASE_URL", "BROKER_URL", "MODERATION_PRODUCTION", "MODERATION_MODELS_DIR"):
        monkeypatch.delenv(name, raising=False)


def _loaded(*argv: str) -> tuple[int, set[str], str]:
    """Run ``moderation ARGV`` in a fresh interpreter: its exit status, the top-level modules it loaded, stdout."""
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=120,
                            env=os.environ.copy(), cwd=REPOSITORY)
    assert result.returncode == 0, result.stderr
    *printed, report = result.stdout.rstrip("\n").split("\n")
    probe = json.loads(report)
    return probe["status"], set(probe["loaded"]), "\n".join(printed)


def _best_wall_seconds(*argv: str) -> float:
    """The fastest of up to TRIES runs of `python -m service.cli ARGV` (stops at the first one within the bound)."""
    best = float("inf")
    for _ in range(TRIES):
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "service.cli", *argv], capture_output=True, text=True,
                                timeout=120, cwd=REPOSITORY)
        best = min(best, time.perf_counter() - started)
        assert result.returncode == 0, result.stderr
        if best <= BOUND_SECONDS:
            break
    return best


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty var dir with the schema in place (the registry's commands read it)."""
    _clean_environment(monkeypatch, tmp_path)
    assert main(["db", "upgrade"]) == 0
    return tmp_path


@pytest.mark.parametrize("argv", [
    ("--help",), ("retrain", "--help"), ("models", "--help"), ("train", "--help"), ("score", "--help"),
    ("worker", "--help"), ("web", "--help"), ("run", "--help"), ("moderators", "add", "--help"),
])
def test_help_loads_neither_the_model_stack_nor_servers_nor_the_database(
        argv: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_environment(monkeypatch, tmp_path)
    status, loaded, printed = _loaded(*argv)
    assert status == 0
    assert "usage: moderation" in printed
    assert loaded & (MODEL_STACK | SERVERS | DATABASE) == set()


@pytest.mark.parametrize("argv", [("models", "list"), ("models", "log")])
def test_the_registry_commands_load_the_database_but_not_the_model_stack(argv: tuple[str, ...],
                                                                        var_dir: Path) -> None:
    status, loaded, _ = _loaded(*argv)
    assert status == 0
    assert "sqlalchemy" in loaded, "the probe should have reached the database"
    assert loaded & (MODEL_STACK | SERVERS | {"alembic"}) == set()


@pytest.mark.parametrize("argv", [("--help",), ("retrain", "--help"), ("models", "list")])
def test_commands_answer_within_the_bound(argv: tuple[str, ...], var_dir: Path) -> None:
    assert _best_wall_seconds(*argv) <= BOUND_SECONDS


def test_retrain_help_says_what_retraining_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("MODERATION_GATE_TOLERANCE", "0.02")
    _, _, printed = _loaded("retrain", "--help")
    text = " ".join(printed.split())  # argparse wraps the options' help; the description keeps its lines
    for said in ("base datasets plus moderators' decisions", "MODERATION_EVALUATION_SHARE, 20%",
                 "held back and never trained on", "evaluation gate", "MODERATION_GATE_TOLERANCE (0.02)",
                 "MODERATION_GATE_MIN_DECISIONS (30)", "--force activates it anyway", "progress bar",
                 "--inline", "--no-wait"):
        assert said in text, said
    for status, meaning in (("0", "the new version went live"), ("1", "the gate refused the new version"),
                            ("2", "bad usage"), ("130", "interrupted")):
        assert f"{status} {meaning}" in text, status


def test_webhooks_add_help_lists_every_event(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _clean_environment(monkeypatch, tmp_path)
    _, _, printed = _loaded("webhooks", "add", "--help")
    assert f"any of {','.join(WEBHOOK_EVENTS)}" in " ".join(printed.split())


def test_webhooks_add_without_events_registers_every_event(var_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["webhooks", "add", "https://example.org/all"]) == 0
    assert main(["webhooks", "add", "https://example.org/held", "--events", "held"]) == 0
    assert main(["webhooks", "add", "https://example.org/none", "--events", "deleted"]) == 2
    capsys.readouterr()
    assert main(["webhooks", "list"]) == 0
    listed = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [(row[1], row[-1]) for row in listed] == [(",".join(WEBHOOK_EVENTS), "https://example.org/all"),
                                                     ("held", "https://example.org/held")]


def test_the_bundle_file_named_by_models_list_is_the_classifiers() -> None:
    from classifier.bundle import METADATA_FILE
    from service.cli.models import BUNDLE_METADATA

    assert BUNDLE_METADATA == METADATA_FILE


@pytest.mark.parametrize("argv", [("models", "list"), ("models", "log"), ("moderators", "list")])
def test_a_database_never_migrated_is_one_line_not_a_traceback(
    argv: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    _clean_environment(monkeypatch, tmp_path)  # no `db upgrade`: the SQLite file has no tables
    assert main(list(argv)) == 2
    error = capsys.readouterr().err
    assert error.strip().splitlines() == [
        f"moderation {argv[0]}: the database has no tables yet: run `moderation db upgrade` first"]
