"""`moderation db upgrade`: bring the database schema to the latest migration."""

from __future__ import annotations

import argparse
import sys

from service.config import Settings


def register(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add `moderation db …` to the parser."""
    db_parser = commands.add_parser("db", help="database schema")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every migration").set_defaults(
        handler=lambda args: run_upgrade(settings))


def run_upgrade(settings: Settings) -> int:
    """`moderation db upgrade`: apply every migration not applied yet (a one-shot step in docker-compose.yml)."""
    from sqlalchemy.engine import make_url

    from service.infra.db import upgrade

    upgrade(settings.database_url)
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"database {shown} is at the latest schema", file=sys.stderr)
    return 0
