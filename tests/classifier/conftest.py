"""A small model trained on the seed set alone: enough to exercise scoring, spans, bundles and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.bundle import Bundle, load_bundle
from classifier.training import TrainingSources, train
from tests.conftest import ENCODER_CACHE, HATE_SYMBOLS, SEED


@pytest.fixture(scope="session")
def seed_bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo bundle trained in seconds from data/seed (no public datasets)."""
    models = tmp_path_factory.mktemp("models")
    return train(TrainingSources(None, SEED, HATE_SYMBOLS), models,
                 cache_dir=ENCODER_CACHE).path


@pytest.fixture(scope="session")
def seed_bundle(seed_bundle_path: Path) -> Bundle:
    """The demo bundle, loaded."""
    return load_bundle(seed_bundle_path)
