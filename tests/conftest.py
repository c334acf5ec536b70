"""Shared fixtures: paths to the repository's own data and to the shared datasets (when present)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
SEED = REPOSITORY / "data" / "seed"
HATE_SYMBOLS = REPOSITORY / "data" / "lexicons" / "hate_symbols.csv"
ENCODER_CACHE = Path(tempfile.gettempdir()) / "moderation-tests-encoders"
"""One encoder cache for every test and test run on this machine: the int8 graph is built once (its name is
a hash of the base weights and the adapter, so a stale one is never used), and vectors of texts seen
before are reused."""
os.environ.setdefault("MODERATION_ENCODER_CACHE", str(ENCODER_CACHE))  # apps and commands run in-process


def shared_datasets() -> Path | None:
    """The shared datasets folder, or None on a machine without it."""
    configured = os.environ.get("MODERATION_DATASETS_DIR")
    folder = Path(configured) if configured else REPOSITORY.parent / "shared" / "datasets"
    return folder if folder.is_dir() else None


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The shared datasets; tests that need them are skipped where they are absent."""
    folder = shared_datasets()
    if folder is None:
        pytest.skip("shared datasets not present")
    return folder
