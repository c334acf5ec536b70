"""A small model trained on the seed set alone: enough to exercise scoring, spans, bundles and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.bundle import Bundle, load_bundle
from tests.conftest import ENCODER_CACHE, copy_bundle


@pytest.fixture(scope="session")
def seed_bundle_path(tmp_path_factory: pytest.TempPathFactory, seed_trained: Path) -> Path:
    """A demo bundle trained in seconds from data/seed (no public datasets): the session's seed model, in a
    models folder of the classifier tests' own."""
    return copy_bundle(seed_trained, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def seed_bundle(seed_bundle_path: Path) -> Bundle:
    """The demo bundle, loaded (its encoder graph from the shared cache)."""
    return load_bundle(seed_bundle_path, cache_dir=ENCODER_CACHE)
