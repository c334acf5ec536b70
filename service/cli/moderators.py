"""`moderation moderators add`: moderator accounts; the API token is printed once and only its hash is kept."""

from __future__ import annotations

import argparse
import getpass
import sys

from service.cli.common import UsageError, refusals_as_usage_errors, sessions
from service.config import Settings


def register(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add `moderation moderators …` to the parser."""
    moderators = commands.add_parser("moderators", help="moderator accounts")
    moderator_commands = moderators.add_subparsers(dest="moderators_command", required=True)
    add = moderator_commands.add_parser("add", help="add a moderator and print their API token (once)")
    add.add_argument("name")
    add.add_argument("--role", choices=("moderator", "admin"), default="moderator")
    add.add_argument("--password", action="store_true",
                     help="also set a password for the web page (prompted, or one line from stdin)")
    add.set_defaults(handler=lambda args: run_add(args, settings))


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if first != getpass.getpass("again: "):
            raise UsageError("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation moderators add`: create the account and print its token; only the hash is stored."""
    from service.infra.db import session_scope
    from service.lifecycle.moderators import create_moderator

    password = _read_password() if args.password else None
    if args.password and not password:
        raise UsageError("the password is empty")
    with refusals_as_usage_errors(), session_scope(sessions(settings)) as session:
        moderator, token = create_moderator(session, args.name, role=args.role, password=password)
    print(f"added {moderator.role} {moderator.name!r}; their API token (shown only this once):", file=sys.stderr)
    print(token)
    return 0
