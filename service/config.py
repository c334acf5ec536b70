"""The one place that reads the environment. Everything else receives a Settings (tests pass a mapping).

Every variable has a default that runs the whole system embedded on one machine (SQLite under var/,
a filesystem broker a real Celery worker consumes, models under var/models). The README's
configuration table lists the variables; keep it in step with VARIABLES below (tests/test_readme.py checks).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
"""The checkout this package runs from (editable install); seed data and word lists live under it."""

DEFAULT_SECRET_KEY = "dev-only-not-secret"


class ConfigError(ValueError):
    """A variable holds a value of the wrong kind; the message names it."""


def _default_datasets_dir(env: Mapping[str, str]) -> Path:
    # Next to the checkout when the shared datasets are there (the development setup); otherwise where
    # `moderation data fetch` downloads them.
    shared = REPOSITORY.parent / "shared" / "datasets"
    return shared if shared.is_dir() else Path(env.get("MODERATION_VAR_DIR") or "var") / "datasets"


def _var(env: Mapping[str, str]) -> Path:
    return Path(env.get("MODERATION_VAR_DIR") or "var")


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build it with :func:`load_settings`."""

    var_dir: Path
    models_dir: Path
    datasets_dir: Path
    seed_path: Path
    hate_symbols_path: Path
    database_url: str
    broker_url: str
    hold_hostility: float | None
    hold_slur: float | None
    hold_name: float
    reject_hostility: float | None
    reject_slur: float | None
    max_text_length: int
    max_body_bytes: int
    page_size: int
    secret_key: str
    production: bool

    @property
    def embedded(self) -> bool:
        """True when the broker is the embedded filesystem transport (no Redis)."""
        return self.broker_url.startswith("filesystem://")

    @property
    def broker_folder(self) -> Path:
        """Where the embedded broker keeps its messages."""
        return self.var_dir / "broker"


def _path(value: str) -> Path:
    return Path(value)


def _fraction(value: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValueError("must be between 0 and 1")
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be a positive whole number")
    return number


def _flag(value: str) -> bool:
    if value.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
        raise ValueError("must be true or false")
    return value.lower() in {"1", "true", "yes", "on"}


# variable -> (field, parser, default from the environment, meaning). None as default means "unset".
VARIABLES: dict[str, tuple[str, Callable[[str], object], Callable[[Mapping[str, str]], object], str]] = {
    "MODERATION_VAR_DIR": ("var_dir", _path, _var, "working directory for embedded state"),
    "MODERATION_MODELS_DIR": ("models_dir", _path, lambda env: _var(env) / "models", "model bundles"),
    "MODERATION_DATASETS_DIR": ("datasets_dir", _path, _default_datasets_dir, "labelled datasets"),
    "MODERATION_SEED_PATH": (
        "seed_path", _path, lambda env: REPOSITORY / "data" / "seed", "hand-written seed examples (CSV or folder)"),
    "MODERATION_HATE_SYMBOLS_PATH": (
        "hate_symbols_path", _path, lambda env: REPOSITORY / "data" / "lexicons" / "hate_symbols.csv",
        "hate-symbol word list"),
    "DATABASE_URL": (
        "database_url", str, lambda env: f"sqlite:///{(_var(env) / 'moderation.sqlite3').resolve()}",
        "SQLAlchemy URL; PostgreSQL in production (postgresql+psycopg://…)"),
    "BROKER_URL": ("broker_url", str, lambda env: "filesystem://", "Celery broker; redis://… in production"),
    "MODERATION_HOLD_HOSTILITY": (
        "hold_hostility", _fraction, lambda env: None, "hold at or over this hostility (default: model's)"),
    "MODERATION_HOLD_SLUR": ("hold_slur", _fraction, lambda env: None, "hold at or over this slur score"),
    "MODERATION_HOLD_NAME": (
        "hold_name", _fraction, lambda env: 0.9,
        "hold when the author's display name scores at or over this (names are judged by the word lists: "
        "a hate symbol scores 0.99, a strong slur 0.95, two ambiguous codes such as 14 and 88 0.9)"),
    "MODERATION_REJECT_HOSTILITY": (
        "reject_hostility", _fraction, lambda env: None, "auto-reject at or over this (default: off)"),
    "MODERATION_REJECT_SLUR": ("reject_slur", _fraction, lambda env: None, "auto-reject at or over this"),
    "MODERATION_MAX_TEXT": ("max_text_length", _positive, lambda env: 10_000, "longest comment, characters"),
    "MODERATION_MAX_BODY": ("max_body_bytes", _positive, lambda env: 1_000_000, "largest request body, bytes"),
    "MODERATION_PAGE_SIZE": ("page_size", _positive, lambda env: 50, "default page size of lists"),
    "SECRET_KEY": ("secret_key", str, lambda env: DEFAULT_SECRET_KEY, "signs sessions; set it in production"),
    "MODERATION_PRODUCTION": (
        "production", _flag, lambda env: False, "refuse unsafe defaults (e.g. the development secret key)"),
}


def load_settings(overrides: Mapping[str, object] | None = None) -> Settings:
    """Settings from the process environment, with ``overrides`` (same variable names) taking priority."""
    env = {**os.environ, **{key: str(value) for key, value in (overrides or {}).items() if value is not None}}
    values = {}
    for name, (field_name, parse, default, _) in VARIABLES.items():
        raw = env.get(name)
        if raw is None or raw == "":
            values[field_name] = default(env)
            continue
        try:
            values[field_name] = parse(raw)
        except ValueError as error:
            raise ConfigError(f"{name}={raw!r}: {error}") from error
    assert set(values) == {f.name for f in fields(Settings)}
    settings = Settings(**values)
    if settings.production and settings.secret_key == DEFAULT_SECRET_KEY:
        raise ConfigError("SECRET_KEY must be set in production (MODERATION_PRODUCTION=true)")
    return settings
