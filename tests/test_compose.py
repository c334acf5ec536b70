"""docker-compose.yml and the Dockerfile, checked without Docker: structure, settings and commands."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from service.cli import build_parser
from service.config import VARIABLES

REPOSITORY = Path(__file__).resolve().parents[1]
OURS = ("migrate", "model", "web", "worker", "retrain-worker")
"""Services built from our Dockerfile."""


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPOSITORY / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (REPOSITORY / "Dockerfile").read_text(encoding="utf-8")


def _accepts(argv: list[str]) -> bool:
    """Whether `moderation` parses ``argv`` (its first word being ``moderation``) without a usage error."""
    assert argv[0] == "moderation", argv
    try:
        build_parser().parse_args(argv[1:])
    except SystemExit:
        return False
    return True


def test_the_services_exist(compose: dict) -> None:
    assert {"web", "worker", "retrain-worker", "redis", "postgres", "migrate"} <= set(compose["services"])


def test_our_services_share_one_environment_block(compose: dict) -> None:
    services = compose["services"]
    shared = compose["x-environment"]
    for name in OURS:
        # The same object, not an equal copy: YAML aliases of one anchor, so they cannot drift apart.
        assert services[name]["environment"] is shared, name
    assert {"DATABASE_URL", "BROKER_URL", "SECRET_KEY", "MODERATION_PRODUCTION"} <= set(shared)


def test_every_variable_is_a_documented_one(compose: dict, dockerfile: str) -> None:
    used = set(compose["x-environment"])
    text = (REPOSITORY / "docker-compose.yml").read_text(encoding="utf-8")
    used |= {name for name in re.findall(r"\$\{([A-Z_]+)", text)}
    used |= set(re.findall(r"\b(MODERATION_[A-Z_]+)=", dockerfile))
    assert used - set(VARIABLES) == set()


def test_production_settings_are_on(compose: dict) -> None:
    env = compose["x-environment"]
    assert env["MODERATION_PRODUCTION"] == "true"
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["BROKER_URL"].startswith("redis://redis:")
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), "the secret must come from outside, never a default"


def test_ports_and_healthchecks(compose: dict) -> None:
    services = compose["services"]
    assert "8000:8000" in services["web"]["ports"]
    for name in ("postgres", "redis"):
        assert "ports" not in services[name], f"{name} should not be reachable from outside"
    for name in ("web", "worker", "retrain-worker", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_start_order_waits_for_health_and_migrations(compose: dict) -> None:
    services = compose["services"]
    for name in ("web", "worker", "retrain-worker"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["model"]["condition"] == "service_completed_successfully"
    assert services["model"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_commands_are_real_moderation_commands(compose: dict, dockerfile: str) -> None:
    services = compose["services"]
    commands = [services[name]["command"] for name in OURS]
    commands.extend(services[name]["healthcheck"]["test"][1:] for name in ("worker", "retrain-worker"))
    cmd = re.search(r"^CMD\s+(\[.*\])\s*$", dockerfile, re.MULTILINE)
    assert cmd, "the Dockerfile needs an exec-form CMD"
    commands.append(json.loads(cmd.group(1)))
    assert [services[name]["command"][:2] for name in ("web", "worker")] == [
        ["moderation", "web"], ["moderation", "worker"]]
    assert services["migrate"]["command"] == ["moderation", "db", "upgrade"]
    for argv in commands:
        assert _accepts(argv), argv
    listed = subprocess.run([sys.executable, "-m", "service.cli", "--help"], capture_output=True, text=True,
                            check=True).stdout
    for argv in commands:
        assert argv[1] in listed, argv


def test_accepts_rejects_what_is_not_a_command() -> None:
    assert not _accepts(["moderation", "serve"])
    assert not _accepts(["moderation", "web", "--no-such-option", "4"])


def test_dockerfile_installs_the_package_and_drops_root(dockerfile: str) -> None:
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert re.search(r"pip install /src\b", dockerfile)
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    for path in re.findall(r"^COPY\s+(?:--\S+\s+)*(\S+)", dockerfile, re.MULTILINE):
        assert (REPOSITORY / path).exists(), path


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = (REPOSITORY / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "var", ".git"} <= set(ignored)


def test_scoring_and_retraining_have_workers_of_their_own(compose: dict) -> None:
    # A retraining takes minutes of CPU; on the worker that scores it would make comments wait.
    services = compose["services"]
    parser = build_parser()
    scoring = parser.parse_args(services["worker"]["command"][1:])
    retraining = parser.parse_args(services["retrain-worker"]["command"][1:])
    assert scoring.queues == ("default",) and retraining.queues == ("retrain",)
    ping = parser.parse_args(services["retrain-worker"]["healthcheck"]["test"][2:])
    assert ping.ping and ping.queues == ("retrain",), "the healthcheck asks the retraining worker, not the other"
