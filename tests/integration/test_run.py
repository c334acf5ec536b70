"""`moderation run` as a user starts it: migrate, model, worker and gunicorn; SIGTERM stops everything."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY
from tests.integration.conftest import wait_for, worker_env

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _processes_of(var_dir: Path) -> list[int]:
    """Pids of live processes whose environment names ``var_dir`` (the run and all its children)."""
    marker = f"MODERATION_VAR_DIR={var_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _request(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _start(tmp_path: Path, models: Path, port: int) -> subprocess.Popen:
    env = worker_env({"MODERATION_VAR_DIR": str(tmp_path), "MODERATION_MODELS_DIR": str(models)})
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "run", "--port", str(port), "--workers", "1"], cwd=REPOSITORY,
        env=env, stdout=subprocess.PIPE, stderr=(tmp_path / "run.log").open("wb"), text=True,
    )


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find the children")
def test_run_serves_scores_and_stops_on_sigterm(tmp_path: Path, integration_model: Path) -> None:
    port = _free_port()
    run = _start(tmp_path, integration_model.parent, port)
    try:
        first = run.stdout.readline()
        assert first.strip() == "moderation is running", (first, (tmp_path / "run.log").read_text())
        urls = [run.stdout.readline().split() for _ in range(4)]
        assert urls == [["API", f"http://127.0.0.1:{port}/api/v1"], ["workbench", f"http://127.0.0.1:{port}/moderate/"],
                        ["docs", f"http://127.0.0.1:{port}/api/docs"], ["health", f"http://127.0.0.1:{port}/healthz"]]
        base = f"http://127.0.0.1:{port}"
        assert _request(f"{base}/healthz") == {"status": "ok"}
        posted = _request(f"{base}/api/v1/comments", {
            "article_id": "a1", "author": {"id": "u1", "name": "Marta Nowak"}, "text": "Good piece, thank you 👍"})
        wait_for(lambda: _request(f"{base}/api/v1/comments/{posted['id']}")["status"] != "pending",
                 what="the comment to be scored", log=tmp_path / "run.log")
        assert len(_processes_of(tmp_path)) >= 4, "run, two workers, gunicorn master and worker"
        commands = {Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[-2] for pid in _processes_of(tmp_path)}
        assert {b"default", b"retrain"} <= commands, "a scoring worker and a retraining worker, each on its queue"
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=40) == 0
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    wait_for(lambda: not _processes_of(tmp_path), timeout=10, what="every child to exit")


def test_run_stops_the_worker_when_the_web_server_cannot_start(tmp_path: Path, integration_model: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = _start(tmp_path, integration_model.parent, port)
        try:
            status = run.wait(timeout=60)
        finally:
            if run.poll() is None:
                run.kill()
                run.wait()
    assert status != 0
    assert "web server exited" in (tmp_path / "run.log").read_text()
    if os.path.exists("/proc/self/environ"):
        wait_for(lambda: not _processes_of(tmp_path), timeout=10, what="the worker to be stopped")
