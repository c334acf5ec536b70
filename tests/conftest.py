"""Shared fixtures: paths to the repository's own data and to the shared datasets (when present), the
encoder cache every test shares, and one model trained on the seed set for the whole session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from classifier.bundle import ENCODER_CACHE as ENCODER_CACHE_NAME

REPOSITORY = Path(__file__).resolve().parents[1]
SEED = REPOSITORY / "data" / "seed"
HATE_SYMBOLS = REPOSITORY / "data" / "lexicons" / "hate_symbols.csv"
ENCODER_CACHE = Path(os.environ.get("MODERATION_ENCODER_CACHE")
                     or Path(tempfile.gettempdir()) / "moderation-tests-encoders")
"""One encoder cache for every test and test run on this machine: the int8 graph is built once (its name is
a hash of the base weights and the adapter, so a stale one is never used), and vectors of texts seen
before are reused. MODERATION_ENCODER_CACHE, where set, names another (an empty folder measures a cold run)."""
os.environ["MODERATION_ENCODER_CACHE"] = str(ENCODER_CACHE)  # apps, commands and worker processes share it


def shared_datasets() -> Path | None:
    """The shared datasets folder, or None on a machine without it."""
    configured = os.environ.get("MODERATION_DATASETS_DIR")
    folder = Path(configured) if configured else REPOSITORY.parent / "shared" / "datasets"
    return folder if folder.is_dir() else None


def models_folder(folder: Path) -> Path:
    """``folder`` made a models directory whose default encoder cache is the shared one.

    A bundle loaded without an explicit cache keeps its encoder graph in its models directory's
    ENCODER_CACHE_NAME folder; linked to ENCODER_CACHE, no test builds the graph a second time.
    """
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / ENCODER_CACHE_NAME
    if not link.exists():
        ENCODER_CACHE.mkdir(parents=True, exist_ok=True)
        link.symlink_to(ENCODER_CACHE, target_is_directory=True)
    return folder


def copy_bundle(bundle: Path, models: Path) -> Path:
    """A copy of ``bundle`` (same version, same sha256) in the models directory ``models``, for a test
    that adds versions next to it or alters its files."""
    return Path(shutil.copytree(bundle, models_folder(models) / bundle.name))


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The shared datasets; tests that need them are skipped where they are absent."""
    folder = shared_datasets()
    if folder is None:
        pytest.skip("shared datasets not present")
    return folder


@pytest.fixture(scope="session")
def seed_trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real model trained from data/seed alone (no public datasets), once per session; never altered:
    fixtures hand tests a copy of it in a models folder of their own (see `copy_bundle`)."""
    from classifier.training import TrainingSources, train

    models = models_folder(tmp_path_factory.mktemp("seed-models"))
    return train(TrainingSources(None, SEED, HATE_SYMBOLS), models, cache_dir=ENCODER_CACHE).path
