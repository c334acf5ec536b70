"""Fixtures for the abuse and bad-input tests: the service's own fixtures, plus apps built per module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from service.infra.db import upgrade
from service.web.app import create_app
from tests.service.conftest import trained_bundle  # noqa: F401  (a fixture, used by name)

AppFactory = Callable[..., Flask]


@pytest.fixture(scope="module")
def make_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppFactory]:
    """Build embedded apps (each on its own migrated SQLite file) with extra settings; disposed after the module."""
    built: list[Flask] = []

    def build(**settings: str) -> Flask:
        folder = tmp_path_factory.mktemp("security")
        url = f"sqlite:///{folder / 'moderation.sqlite3'}"
        upgrade(url)
        config = {"DATABASE_URL": url, "BROKER_URL": "filesystem://", "MODERATION_VAR_DIR": str(folder / "var"),
                  "MODERATION_MODELS_DIR": str(folder / "var" / "models"), **settings}
        made = create_app(config)
        built.append(made)
        return made

    yield build
    for made in built:
        made.extensions["moderation"].dispose()


def var_dir(app: Flask) -> Path:
    """Where an app built by make_app keeps its state."""
    return app.extensions["moderation"].settings.var_dir
