"""The one place that reads the environment. Everything else receives a Settings (or a mapping in tests).

Every variable has a default that runs the whole system embedded on one machine; the table in
docs/configuration.md lists them and must stay in step with SETTINGS below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
"""The checkout this package runs from (editable install); seed data and word lists live under it."""


def _default_datasets_dir() -> Path:
    # Next to the checkout when the shared datasets are there (the development setup); otherwise where
    # `moderation data fetch` downloads them.
    shared = REPOSITORY.parent / "shared" / "datasets"
    return shared if shared.is_dir() else Path("var/datasets")


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build it with :func:`load_settings`."""

    var_dir: Path
    models_dir: Path
    datasets_dir: Path
    seed_path: Path
    hate_symbols_path: Path


# variable name -> (field, default factory, documentation)
SETTINGS = {
    "MODERATION_VAR_DIR": ("var_dir", lambda env: Path("var"), "working directory for embedded state"),
    "MODERATION_MODELS_DIR": (
        "models_dir", lambda env: Path(env.get("MODERATION_VAR_DIR", "var")) / "models", "model bundles"),
    "MODERATION_DATASETS_DIR": (
        "datasets_dir", lambda env: _default_datasets_dir(), "labelled datasets (see data/README.md)"),
    "MODERATION_SEED_PATH": (
        "seed_path", lambda env: REPOSITORY / "data" / "seed" / "seed.csv", "hand-written seed examples"),
    "MODERATION_HATE_SYMBOLS_PATH": (
        "hate_symbols_path", lambda env: REPOSITORY / "data" / "lexicons" / "hate_symbols.csv",
        "hate-symbol word list"),
}


def load_settings(overrides: Mapping[str, str] | None = None) -> Settings:
    """Settings from the process environment, with ``overrides`` (same variable names) taking priority."""
    env = {**os.environ, **(overrides or {})}
    values = {}
    for name, (field_name, default, _) in SETTINGS.items():
        values[field_name] = Path(env[name]) if env.get(name) else default(env)
    assert set(values) == {f.name for f in fields(Settings)}
    return Settings(**values)
