"""The real stack for integration tests: a model trained on the shared datasets, a database, a broker and a
Celery worker started as its own process with `moderation worker`.

Two stacks: the embedded default (SQLite file and filesystem broker in a tmp folder) and PostgreSQL +
Redis (a database created for the run and dropped after it; a Redis database number claimed for the run
and flushed before and after). The web side is the app from create_app, driven by Flask's test client.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from classifier.training import TrainingSources, train
from service.infra.db import upgrade
from service.lifecycle.active_model import register_bundle
from service.lifecycle.moderators import create_moderator
from service.web.app import create_app
from tests.conftest import ENCODER_CACHE, HATE_SYMBOLS, REPOSITORY, SEED, copy_bundle, models_folder, shared_datasets
from tests.integration.fault_tools import RedisServer, TcpProxy

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
REDIS_TEST_DATABASES = range(15, 7, -1)
"""Redis database numbers the tests may claim (one per run, so parallel runs do not flush each other)."""
SCORED_WITHIN_SECONDS = 60.0
INTEGRATION_ROWS_PER_SOURCE = 400
"""Rows of each dataset the integration model trains on: enough for a model that holds what it should (the
tests check verdicts, not its figures). With 400 the texts the tests post keep a wide margin (benign ones
score at most 0.25 for hostility against a threshold near 0.7, the hostile ones 0.99 or more), and a machine with
an empty encoder cache encodes half as many texts as with 800."""


@pytest.fixture(scope="session")
def integration_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle trained once per session from the real datasets (at most INTEGRATION_ROWS_PER_SOURCE rows of
    each, so the encoder reads a few thousand texts, not ~170k); skipped without them."""
    datasets = shared_datasets()
    if datasets is None:
        pytest.skip("the shared datasets are not present; integration tests need a real model")
    sources = TrainingSources(datasets, SEED, HATE_SYMBOLS, rows_per_source=INTEGRATION_ROWS_PER_SOURCE)
    return train(sources, models_folder(tmp_path_factory.mktemp("integration-models")),
                 cache_dir=ENCODER_CACHE).path


def wait_for(condition: Callable[[], object], timeout: float = SCORED_WITHIN_SECONDS, what: str = "condition",
             log: Path | None = None) -> object:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


@dataclass
class WorkerProcess:
    """A `moderation worker` subprocess; its output goes to a log file shown when a wait fails."""

    env: dict[str, str]
    log: Path
    args: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "worker", *self.args], cwd=REPOSITORY, env=self.env,
                stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self

    def stop(self) -> None:
        """SIGTERM (Celery's warm shutdown), then SIGKILL to the whole group if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def worker_env(config: dict[str, str]) -> dict[str, str]:
    """The test process's environment with the stack's settings on top (as an operator would export them)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MODERATION_", "DATABASE_URL",
                                                                                  "BROKER_URL"))}
    return {**env, "MODERATION_ENCODER_CACHE": str(ENCODER_CACHE), **config, "PYTHONUNBUFFERED": "1",
            "OMP_NUM_THREADS": "1"}


@dataclass
class Stack:
    """One running backend: its configuration, the app and its test client, and the worker process."""

    name: str
    config: dict[str, str]
    app: Flask
    client: FlaskClient
    worker: WorkerProcess
    viewer_token: str | None = None
    """A moderator's token :meth:`comment` reads with (the public sees only the status of a held comment)."""

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The app's session factory (for arranging rows the API cannot create, like moderators)."""
        return self.app.extensions["moderation"].sessions

    def moderator_token(self, name: str) -> str:
        """Create a moderator through service.lifecycle.moderators and return their bearer token."""
        with self.sessions() as session:
            _, token = create_moderator(session, name)
            session.commit()
        return token

    def post(self, text: str, article: str, name: str = "Reader", author: str = "u1") -> int:
        """Submit a comment through the API; returns its id."""
        response = self.client.post("/api/v1/comments",
                                    json={"article_id": article, "author": {"id": author, "name": name}, "text": text})
        assert response.status_code == 202, response.get_json()
        return response.get_json()["id"]

    def comment(self, comment_id: int) -> dict:
        """GET /api/v1/comments/<id> as a moderator: every field, whatever the status."""
        if self.viewer_token is None:
            self.viewer_token = self.moderator_token(f"viewer-{uuid.uuid4().hex[:8]}")
        response = self.client.get(f"/api/v1/comments/{comment_id}",
                                   headers={"Authorization": f"Bearer {self.viewer_token}"})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def wait_scored(self, *comment_ids: int) -> dict[int, dict]:
        """Wait until every comment has left pending; returns them by id."""
        found: dict[int, dict] = {}

        def all_scored() -> bool:
            for comment_id in comment_ids:
                if comment_id not in found:
                    body = self.comment(comment_id)
                    if body["status"] != "pending":
                        found[comment_id] = body
            return len(found) == len(comment_ids)

        wait_for(all_scored, what=f"comments {comment_ids} to be scored on {self.name}", log=self.worker.log)
        return found


class SubsetModels:
    """Models trained on a subset of the shared datasets, each trained once per session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.trained: dict[tuple[str, ...], tuple[Path, Path]] = {}

    def __call__(self, folder: Path, names: tuple[str, ...]) -> tuple[Path, Path, Path]:
        """A datasets folder of ``names`` (links to the shared ones) and a model trained on it, copied into
        ``folder``'s own models folder (a test may retrain and add versions there).

        Returns (datasets folder, models folder, the bundle); skips the test where the shared datasets are absent.
        """
        if names not in self.trained:
            shared = shared_datasets()
            if shared is None:
                pytest.skip("the shared datasets are not present")
            trained = self.root / f"subset-{len(self.trained)}"
            datasets = trained / "datasets"
            datasets.mkdir(parents=True)
            for name in names:
                (datasets / name).symlink_to(shared / name)
            models = models_folder(trained / "models")
            self.trained[names] = datasets, train(TrainingSources(datasets, SEED, HATE_SYMBOLS), models,
                                                  cache_dir=ENCODER_CACHE).path
        datasets, bundle = self.trained[names]
        models = folder / "models"
        return datasets, models, copy_bundle(bundle, models)


@pytest.fixture(scope="session")
def subset_model(tmp_path_factory: pytest.TempPathFactory) -> SubsetModels:
    """``subset_model(folder, names)``: (datasets folder, models folder, bundle) of a model trained on the
    shared datasets ``names``; the training happens once per session, each caller gets a copy."""
    return SubsetModels(tmp_path_factory.mktemp("subset-models"))


def app_with_active_model(config: dict[str, str], model: Path) -> Flask:
    """A migrated app on ``config`` with ``model`` registered and active (the worker processes read it)."""
    upgrade(config["DATABASE_URL"])
    app = create_app(config)
    with app.extensions["moderation"].sessions() as session:
        register_bundle(session, model, activate=True)
        session.commit()
    return app


def _start_stack(name: str, config: dict[str, str], model: Path, folder: Path) -> Iterator[Stack]:
    # The test client is one address posting for many readers, like a site's backend: the per-address rate
    # limits would refuse the tests' own bursts (the limits are tested in tests/security/test_limits.py).
    config = {**config, "MODERATION_RATE_LIMITS": "false"}
    app = app_with_active_model(config, model)
    services = app.extensions["moderation"]
    worker = WorkerProcess(worker_env(config), folder / "worker.log").start()
    try:
        yield Stack(name, config, app, app.test_client(), worker)
    finally:
        worker.stop()
        services.dispose()


@pytest.fixture(scope="package")
def embedded_stack(tmp_path_factory: pytest.TempPathFactory, integration_model: Path) -> Iterator[Stack]:
    """The default configuration: SQLite file and filesystem broker under a tmp folder (one for the integration
    tests: those that use it post under articles of their own and only read what they posted)."""
    folder = tmp_path_factory.mktemp("embedded")
    config = {"MODERATION_VAR_DIR": str(folder), "MODERATION_MODELS_DIR": str(integration_model.parent)}
    config["DATABASE_URL"] = f"sqlite:///{folder / 'moderation.sqlite3'}"
    config["BROKER_URL"] = "filesystem://"
    yield from _start_stack("embedded", config, integration_model, folder)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A database created for this run (dropped after it); its SQLAlchemy URL."""
    psycopg = pytest.importorskip("psycopg")
    name = f"moderation_it_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def redis_database() -> Iterator[str]:
    """A Redis database number claimed for this run, flushed before and after; its broker URL."""
    import redis

    lock = f"moderation-tests:{uuid.uuid4().hex}"
    for number in REDIS_TEST_DATABASES:
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number, socket_connect_timeout=3)
        try:
            claimed = client.set("moderation-tests:claim", lock, nx=True, ex=900)
        except redis.ConnectionError as error:
            pytest.skip(f"Redis is not reachable at {REDIS_HOST}:{REDIS_PORT}: {error}")
        if claimed:
            break
        client.close()
    else:
        pytest.fail("every Redis test database is claimed by another run")
    try:
        client.flushdb()
        client.set("moderation-tests:claim", lock, ex=900)  # flushdb dropped the claim; keep holding it
        yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="package")
def postgres_stack(tmp_path_factory: pytest.TempPathFactory, integration_model: Path) -> Iterator[Stack]:
    """PostgreSQL (a database of its own) and Redis (a database number of its own), prefork worker pool (one
    for the integration tests, like embedded_stack)."""
    folder = tmp_path_factory.mktemp("postgres")
    with postgres_database() as database_url, redis_database() as broker_url:
        config = {"MODERATION_VAR_DIR": str(folder), "MODERATION_MODELS_DIR": str(integration_model.parent),
                  "DATABASE_URL": database_url, "BROKER_URL": broker_url}
        yield from _start_stack("postgres", config, integration_model, folder)


@pytest.fixture(scope="module", params=["embedded", "postgres"])
def stack(request: pytest.FixtureRequest) -> Stack:
    """Each test that takes ``stack`` runs on both backends."""
    return request.getfixturevalue(f"{request.param}_stack")


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of the test's own (never the shared one): the test may stop and start it."""
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def database_proxy() -> Iterator[TcpProxy]:
    """A TCP proxy to the shared PostgreSQL; the test cuts it to take "the database" down."""
    proxy = TcpProxy(5432).start()
    try:
        yield proxy
    finally:
        proxy.cut()
