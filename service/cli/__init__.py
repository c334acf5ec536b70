"""The `moderation` command: one entry point for the classifier's and the service's commands.

One module per command group, each with ``register(commands, settings)``; what they share is in
``common``. Commands import their heavy dependencies where they run: building the parser needs only the
standard library and the configuration, so `--help` answers at once, `models list` loads SQLAlchemy but not
the model stack, and `moderation score` starts without Flask or Celery. Every usage error ends the same
way: one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from classifier import ClassifierDefaults, register
from classifier import UsageError as ClassifierUsageError
from service.cli import db, models, moderators, retrain, run, web, webhooks, worker
from service.cli.common import UsageError
from service.config import ConfigError, load_settings

GROUPS = (db, moderators, models, worker, web, run, webhooks, retrain)
"""The service's command groups, in the order `--help` lists them (after the classifier's)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (argparse prints the whole usage block by default)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The full command tree, with defaults from the configuration."""
    settings = load_settings()
    parser = _Parser(prog="moderation", description="Self-hosted comment moderation.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    register(
        commands,
        ClassifierDefaults(
            datasets_dir=settings.datasets_dir,
            models_dir=settings.models_dir,
            seed_path=settings.seed_path,
            hate_symbols_path=settings.hate_symbols_path,
            encoder_cache_dir=settings.encoder_cache_dir,
        ),
    )
    for group in GROUPS:
        group.register(commands, settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status."""
    try:
        parser = build_parser()
    except ConfigError as error:  # e.g. production without a SECRET_KEY: refuse to start, in one line
        print(f"moderation: {error}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (UsageError, ClassifierUsageError) as error:  # the classifier's commands have their own
        print(f"moderation {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if not _database_not_migrated(error):
            raise
        print(f"moderation {args.command}: the database has no tables yet: run `moderation db upgrade` first",
              file=sys.stderr)
        return 2


def _database_not_migrated(error: Exception) -> bool:
    """Whether ``error`` is SQLAlchemy saying a table is missing (a database never migrated).

    Told by the error's module and text, so that parsing arguments still imports no SQLAlchemy.
    """
    message = str(error).lower()
    return type(error).__module__.startswith("sqlalchemy") and (
        "no such table" in message or ("relation" in message and "does not exist" in message))
