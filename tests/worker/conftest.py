"""Fixtures for the worker's own code: a migrated SQLite file and a seed-trained model, no broker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.config import Settings, load_settings
from service.infra.broker import make_celery
from service.infra.db import upgrade
from tests.conftest import copy_bundle
from worker.context import WorkerContext


@pytest.fixture(scope="session")
def seed_model(tmp_path_factory: pytest.TempPathFactory, seed_trained: Path) -> Path:
    """A real bundle trained in seconds from data/seed (the session's seed model, in a folder of its own)."""
    return copy_bundle(seed_trained, tmp_path_factory.mktemp("worker-models"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded settings under tmp_path with the schema migrated."""
    found = load_settings({"MODERATION_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                           "BROKER_URL": "filesystem://"})
    upgrade(found.database_url)
    return found


@pytest.fixture
def context(settings: Settings) -> Iterator[WorkerContext]:
    """The worker's per-process context, closed after the test."""
    opened = WorkerContext(settings, make_celery(settings))
    yield opened
    opened.close()
