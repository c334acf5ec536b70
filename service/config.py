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


def _models(env: Mapping[str, str]) -> Path:
    return Path(env["MODERATION_MODELS_DIR"]) if env.get("MODERATION_MODELS_DIR") else _var(env) / "models"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build it with :func:`load_settings`."""

    var_dir: Path
    models_dir: Path
    encoder_cache_dir: Path
    datasets_dir: Path
    seed_path: Path
    hate_symbols_path: Path
    database_url: str
    broker_url: str
    hold_thresholds: Mapping[str, float]
    """Hold thresholds the operator set, by head (``MODERATION_HOLD_<HEAD>``); a head not in it: the model's."""
    hold_name: float
    reject_thresholds: Mapping[str, float]
    """Auto-reject thresholds by head (``MODERATION_REJECT_<HEAD>``); a head not in it is never auto-rejected."""
    reports_to_hold: int
    report_score_fraction: float
    max_text_length: int
    max_body_bytes: int
    page_size: int
    secret_key: str
    production: bool
    site_keys: tuple[str, ...]
    coral_secrets: tuple[str, ...]
    coral_budget_ms: int
    webhook_attempts: int
    webhook_retry_seconds: float
    webhook_sweep_seconds: float
    sweep_interval_seconds: float
    sweep_age_seconds: float
    gate_tolerance: float
    gate_min_decisions: int
    evaluation_share: float
    moderator_weight: float
    rate_limits: bool
    rate_limit_storage: str
    limit_comments_per_ip: str
    limit_comments_per_author: str
    limit_reports_per_ip: str
    limit_reports_per_reporter: str
    limit_signin_per_ip: str
    limit_signin_per_account: str
    limit_analyze_per_ip: str
    trusted_proxies: int
    cors_origins: tuple[str, ...]

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


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _seconds(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError("must be a positive number of seconds")
    return number


def _weight(value: str) -> float:
    number = float(value)
    if not 0 < number <= 1000:
        raise ValueError("must be a number over 0 and at most 1000")
    return number


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be a whole number, 0 or more")
    return number


def _rate(value: str) -> str:
    # Flask-Limiter's notation ("30/minute;300/hour"); "off" turns that one limit off. Checked here so a typo
    # is a ConfigError at start-up, not a limit that silently never applies.
    if value.strip().lower() == "off":
        return ""
    from limits import parse_many

    if not parse_many(value):
        raise ValueError("must be limits such as 30/minute;300/hour, or off")
    return value.strip()


_LIMIT_STORES = ("memory://", "redis://", "rediss://", "redis+sentinel://", "redis+cluster://", "redis+unix://")


def _store(value: str) -> str:
    if not value.startswith(_LIMIT_STORES):
        raise ValueError(f"must start with one of {', '.join(_LIMIT_STORES)}")
    return value


def _default_store(env: Mapping[str, str]) -> str:
    # The broker's Redis when there is one (every gunicorn worker and host then shares the counters).
    broker = env.get("BROKER_URL") or ""
    return broker if broker.startswith(("redis://", "rediss://")) else "memory://"


def _origins(value: str) -> tuple[str, ...]:
    origins = _list(value)
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if origin != "*" and (scheme not in {"http", "https"} or not rest or "/" in rest):
            raise ValueError(f"{origin!r} is not an origin: expected * or scheme://host[:port] without a path")
    return tuple(origin if origin == "*" else origin.lower() for origin in origins)


# variable -> (field, parser, default from the environment, meaning). None as default means "unset".
VARIABLES: dict[str, tuple[str, Callable[[str], object], Callable[[Mapping[str, str]], object], str]] = {
    "MODERATION_VAR_DIR": ("var_dir", _path, _var, "working directory for embedded state"),
    "MODERATION_MODELS_DIR": ("models_dir", _path, _models, "model bundles"),
    "MODERATION_ENCODER_CACHE": (
        "encoder_cache_dir", _path, lambda env: _models(env) / ".encoders",
        "the text encoder's int8 graph (built from the installed base model and a bundle's adapter) and the "
        "vectors of texts already seen, so retraining does not re-encode the datasets"),
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
    "MODERATION_HOLD_NAME": (
        "hold_name", _fraction, lambda env: 0.9,
        "hold when the author's display name scores at or over this (names are judged by the word lists: "
        "a hate symbol scores 0.99, a strong slur 0.95, two ambiguous codes such as 14 and 88 0.9)"),
    "MODERATION_REPORTS_TO_HOLD": (
        "reports_to_hold", _positive, lambda env: 3,
        "hold a published comment once this many distinct readers reported it (a moderator's report holds at once)"),
    "MODERATION_REPORT_SCORE_FRACTION": (
        "report_score_fraction", _fraction, lambda env: 0.5,
        "one report holds a comment with a score at or over this fraction of that head's hold threshold "
        "(0: every report holds; 1: only the count does, a comment at its threshold being held already)"),
    "MODERATION_MAX_TEXT": ("max_text_length", _positive, lambda env: 10_000, "longest comment, characters"),
    "MODERATION_MAX_BODY": ("max_body_bytes", _positive, lambda env: 1_000_000, "largest request body, bytes"),
    "MODERATION_PAGE_SIZE": ("page_size", _positive, lambda env: 50, "default page size of lists"),
    "SECRET_KEY": ("secret_key", str, lambda env: DEFAULT_SECRET_KEY, "signs sessions; set it in production"),
    "MODERATION_PRODUCTION": (
        "production", _flag, lambda env: False, "refuse unsafe defaults (e.g. the development secret key)"),
    "MODERATION_SITE_KEYS": (
        "site_keys", _list, lambda env: (),
        "comma-separated API keys a site must send (?key= or X-Site-Key) to post comments and use the "
        "Perspective-compatible endpoints; empty: open"),
    "MODERATION_CORAL_SECRETS": (
        "coral_secrets", _list, lambda env: (),
        "comma-separated signing secrets of Coral's external moderation phase; empty: the endpoint is off"),
    "MODERATION_CORAL_BUDGET_MS": (
        "coral_budget_ms", _positive, lambda env: 400,
        "answer Coral within this many milliseconds or not at all (204); keep it under the phase's timeout"),
    "MODERATION_WEBHOOK_ATTEMPTS": (
        "webhook_attempts", _positive, lambda env: 8, "delivery attempts per webhook event before giving up"),
    "MODERATION_WEBHOOK_RETRY_SECONDS": (
        "webhook_retry_seconds", _seconds, lambda env: 30.0, "wait before the first retry; doubles each time"),
    "MODERATION_WEBHOOK_SWEEP_SECONDS": (
        "webhook_sweep_seconds", _seconds, lambda env: 5.0,
        "how often the worker looks for webhook deliveries that are due"),
    "MODERATION_SWEEP_INTERVAL_SECONDS": (
        "sweep_interval_seconds", _seconds, lambda env: 30.0,
        "how often each worker looks for comments whose scoring task never reached the broker (or was lost)"),
    "MODERATION_SWEEP_AGE_SECONDS": (
        "sweep_age_seconds", _seconds, lambda env: 60.0,
        "re-send the scoring task of a comment still pending this long after it was posted or last sent"),
    "MODERATION_GATE_TOLERANCE": (
        "gate_tolerance", _fraction, lambda env: 0.01,
        "a retrained model may be at most this much worse (ROC-AUC, agreement) on any evaluation set"),
    "MODERATION_GATE_MIN_DECISIONS": (
        "gate_min_decisions", _count, lambda env: 30,
        "held-back moderators' decisions the gate needs to judge a retrained model on them; below it, on the "
        "evaluation datasets alone (docs/retraining.md)"),
    "MODERATION_EVALUATION_SHARE": (
        "evaluation_share", _fraction, lambda env: 0.2,
        "share of moderators' decisions held back from training to evaluate retrained models"),
    "MODERATION_MODERATOR_WEIGHT": (
        "moderator_weight", _weight, lambda env: 3.0,
        "how much more moderators' labels count than a public dataset of the same size (docs/retraining.md)"),
    "MODERATION_RATE_LIMITS": (
        "rate_limits", _flag, lambda env: True,
        "rate limits on posting, reporting and sign-in (turn off only for load benchmarks; docs/security.md)"),
    "MODERATION_RATE_LIMIT_STORAGE": (
        "rate_limit_storage", _store, _default_store,
        "where the limits' counters live: the broker's Redis when BROKER_URL is redis://…, else memory:// "
        "(each process counts on its own)"),
    "MODERATION_LIMIT_COMMENTS_PER_IP": (
        "limit_comments_per_ip", _rate, lambda env: "30/minute;300/hour",
        "comments per client IP (not applied to requests with a valid site key); off: no limit"),
    "MODERATION_LIMIT_COMMENTS_PER_AUTHOR": (
        "limit_comments_per_author", _rate, lambda env: "6/minute;60/hour", "comments per author.id; off: no limit"),
    "MODERATION_LIMIT_REPORTS_PER_IP": (
        "limit_reports_per_ip", _rate, lambda env: "30/minute;300/hour", "reader reports per client IP"),
    "MODERATION_LIMIT_REPORTS_PER_REPORTER": (
        "limit_reports_per_reporter", _rate, lambda env: "10/minute;100/hour", "reader reports per reporter_id"),
    "MODERATION_LIMIT_SIGNIN_PER_IP": (
        "limit_signin_per_ip", _rate, lambda env: "10/minute;50/hour",
        "failed workbench sign-ins per client IP; over it, sign-in from there is refused (429) until the window ends"),
    "MODERATION_LIMIT_SIGNIN_PER_ACCOUNT": (
        "limit_signin_per_account", _rate, lambda env: "5/15minutes;20/day",
        "failed workbench sign-ins per username, from any IP (password guessing)"),
    "MODERATION_LIMIT_ANALYZE_PER_IP": (
        "limit_analyze_per_ip", _rate, lambda env: "120/minute;3000/hour",
        "synchronous analyses (POST /api/v1/analyze, Perspective's analyze and suggestscore) per client IP (not "
        "applied to requests with a valid site key); off: no limit"),
    "MODERATION_TRUSTED_PROXIES": (
        "trusted_proxies", _count, lambda env: 0,
        "reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (0: none; the "
        "client IP is then the TCP peer)"),
    "MODERATION_CORS_ORIGINS": (
        "cors_origins", _origins, lambda env: (),
        "comma-separated origins (https://example.com, or *) browsers may call the public comment endpoints "
        "from; empty: CORS off"),
}


HEAD_VARIABLES: dict[str, tuple[str, str]] = {
    "MODERATION_HOLD_<HEAD>": (
        "hold_thresholds", "hold a comment at or over this score of head <HEAD> (e.g. MODERATION_HOLD_HOSTILITY, "
                           "MODERATION_HOLD_SLUR); default: the active model's threshold for that head"),
    "MODERATION_REJECT_<HEAD>": (
        "reject_thresholds", "auto-reject a comment at or over this score of head <HEAD> (e.g. "
                             "MODERATION_REJECT_HOSTILITY); default: off"),
}
"""One variable per head of the classifier, by pattern: <HEAD> is a head's name in capitals. The heads are the
classifier's to declare (classifier/heads.py), which this module may not import, so any name is read here and
the policy refuses one that names no head (service.lifecycle.policy.check_thresholds)."""


def _per_head(env: Mapping[str, str], pattern: str) -> dict[str, float]:
    """The values of every variable matching ``pattern`` (``…_<HEAD>``), by head name in lower case."""
    prefix = pattern.removesuffix("<HEAD>")
    found = {}
    for name, raw in env.items():
        if not name.startswith(prefix) or name in VARIABLES or raw is None or raw == "":
            continue  # MODERATION_HOLD_NAME is a variable of its own, not a head
        try:
            found[name.removeprefix(prefix).lower()] = _fraction(raw)
        except ValueError as error:
            raise ConfigError(f"{name}={raw!r}: {error}") from error
    return found


def head_variable(pattern: str, head: str) -> str:
    """The variable of ``pattern`` (a key of HEAD_VARIABLES) for ``head``: ``MODERATION_HOLD_SLUR``."""
    return pattern.replace("<HEAD>", head.upper())


def load_settings(overrides: Mapping[str, object] | None = None) -> Settings:
    """Settings from the process environment, with ``overrides`` (same variable names) taking priority."""
    env = {**os.environ, **{key: str(value) for key, value in (overrides or {}).items() if value is not None}}
    values: dict[str, object] = {field_name: _per_head(env, pattern)
                                 for pattern, (field_name, _) in HEAD_VARIABLES.items()}
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
