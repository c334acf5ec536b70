"""Fixtures for the service: a migrated SQLite file per test, the embedded broker in tmp, a real seed model."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.infra.db import make_engine, make_sessions, upgrade
from service.infra.models import Comment
from service.lifecycle.active_model import register_bundle
from service.lifecycle.assess import ScoreResult
from service.lifecycle.moderators import create_moderator
from service.lifecycle.policy import Policy
from service.lifecycle.transitions import record_score
from service.web.app import create_app
from service.web.context import Services
from tests.conftest import copy_bundle

HELD_POLICY = Policy(hold={"hostility": 0.5, "slur": 0.5})
"""Fixed thresholds for tests that play the worker's part."""


@pytest.fixture(scope="session")
def trained_bundle(tmp_path_factory: pytest.TempPathFactory, seed_trained: Path) -> Path:
    """A real model trained in seconds from data/seed (the session's seed model, in a models folder of the
    service tests' own; shared by every test of the session)."""
    return copy_bundle(seed_trained, tmp_path_factory.mktemp("service-models"))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh SQLite file with every migration applied."""
    url = f"sqlite:///{tmp_path / 'moderation.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on the migrated database (for domain tests: no Flask)."""
    engine = make_engine(database_url)
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One session, closed after the test."""
    with sessions() as opened:
        yield opened


@pytest.fixture
def app_config(tmp_path: Path, database_url: str) -> dict[str, str]:
    """Configuration of an embedded app under tmp_path (filesystem broker, SQLite)."""
    return {
        "DATABASE_URL": database_url,
        "BROKER_URL": "filesystem://",
        "MODERATION_VAR_DIR": str(tmp_path / "var"),
        "MODERATION_MODELS_DIR": str(tmp_path / "var" / "models"),
        "MODERATION_MAX_BODY": "100000",
    }


@pytest.fixture
def app(app_config: dict[str, str]) -> Iterator[Flask]:
    """The app under test."""
    app = create_app(app_config)
    yield app
    services(app).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


def services(app: Flask) -> Services:
    """The app's services (engine, sessions, broker client, model)."""
    return app.extensions["moderation"]


@pytest.fixture
def with_model(app: Flask, trained_bundle: Path) -> str:
    """Register the seed model as the active version; returns its version."""
    with services(app).sessions() as opened:
        version = register_bundle(opened, trained_bundle, activate=True).version
        opened.commit()
    return version


@pytest.fixture
def token(app: Flask) -> str:
    """A moderator's bearer token (moderator "alice")."""
    with services(app).sessions() as opened:
        _, plaintext = create_moderator(opened, "alice")
        opened.commit()
    return plaintext


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    """Headers that authenticate as alice."""
    return {"Authorization": f"Bearer {token}"}


def broker_messages(app: Flask) -> list[dict]:
    """Messages waiting in the embedded broker's folder: ``{"task", "args"}`` each."""
    folder = Path(services(app).celery.conf.broker_transport_options["data_folder_in"])
    found = []
    for path in sorted(folder.glob("*.msg")):
        message = json.loads(path.read_text())
        body = json.loads(base64.b64decode(message["body"]))
        found.append({"task": message["headers"]["task"], "args": body[0]})
    return found


def stored(app: Flask, model: type = Comment) -> list:
    """Every row of ``model`` in the app's database."""
    with services(app).sessions() as opened:
        return list(opened.scalars(select(model)))


def post_comment(client: FlaskClient, text: str = "Interesting point about the budget.", article: str = "a1",
                 author: str = "u1", name: str = "Reader", **extra: object) -> dict:
    """Submit a comment through the API; returns the 202 body."""
    response = client.post("/api/v1/comments",
                           json={"article_id": article, "author": {"id": author, "name": name}, "text": text, **extra})
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def score(app: Flask, comment_id: int, hostility: float, slur: float = 0.0, name: float = 0.0,
          policy: Policy = HELD_POLICY) -> Comment | None:
    """Play the worker: record scores for a comment and commit."""
    result = ScoreResult(scores={"hostility": hostility, "slur": slur}, spans=[],
                         name_scores={"hostility": name, "slur": 0.0}, model_version="test")
    with services(app).sessions() as opened:
        comment = record_score(opened, comment_id, result, policy)
        opened.commit()
    return comment
