"""`moderation moderators …`: moderator accounts. Tokens are printed once and only their hashes are kept; every
change is audited (the accounts' log: `moderators log`), as the operator running the command ("cli:<user>")."""

from __future__ import annotations

import argparse
import getpass
import sys

from service.cli.common import UsageError, operator, refusals_as_usage_errors, sessions
from service.config import Settings


def register(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add `moderation moderators …` to the parser."""
    moderators = commands.add_parser("moderators", help="moderator accounts")
    moderator_commands = moderators.add_subparsers(dest="moderators_command", required=True)
    add = moderator_commands.add_parser("add", help="add a moderator and print their API token (once)")
    add.add_argument("name")
    add.add_argument("--role", choices=("moderator", "admin"), default="moderator",
                     help="admin: may also manage accounts and start retraining through the API")
    add.add_argument("--admin", dest="role", action="store_const", const="admin", help="the same as --role admin")
    add.add_argument("--password", action="store_true",
                     help="also set a password for the web page (prompted, or one line from stdin)")
    add.set_defaults(handler=lambda args: run_add(args, settings))

    listing = moderator_commands.add_parser("list", help="every account: role, active or not, password set")
    listing.set_defaults(handler=lambda args: run_list(settings))
    log = moderator_commands.add_parser("log", help="the accounts' audit log, newest first")
    log.add_argument("--limit", type=int, default=50)
    log.set_defaults(handler=lambda args: run_log(args, settings))
    for name, active, what in (("deactivate", False, "their token and password stop working"),
                               ("reactivate", True, "their token and password work again")):
        command = moderator_commands.add_parser(name, help=f"{name} an account: {what}")
        command.add_argument("name")
        command.set_defaults(handler=lambda args, active=active: run_set_active(args, settings, active))
    reset = moderator_commands.add_parser("reset-token", help="issue a new API token (printed once); the old one "
                                                              "stops working")
    reset.add_argument("name")
    reset.set_defaults(handler=lambda args: run_reset_token(args, settings))
    password = moderator_commands.add_parser("set-password", help="set the workbench password (prompted, or one "
                                                                  "line from stdin)")
    password.add_argument("name")
    password.set_defaults(handler=lambda args: run_set_password(args, settings))


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
        moderator, token = create_moderator(session, args.name, role=args.role, password=password, actor=operator())
    print(f"added {moderator.role} {moderator.name!r}; their API token (shown only this once):", file=sys.stderr)
    print(token)
    return 0


def run_list(settings: Settings) -> int:
    """`moderation moderators list`: one line per account (name, role, active, password, created)."""
    from service.infra.db import session_scope
    from service.lifecycle.moderators import list_moderators

    with session_scope(sessions(settings)) as session:
        rows = [(m.name, m.role, "active" if m.active else "deactivated",
                 "password" if m.password_hash else "no password", f"{m.created_at:%Y-%m-%d %H:%M}")
                for m in list_moderators(session)]
    if not rows:
        print("no moderators yet: moderation moderators add NAME", file=sys.stderr)
    width = max((len(row[0]) for row in rows), default=4)
    for name, role, state, password, created in rows:
        print(f"{name:<{width}}  {role:<9}  {state:<11}  {password:<11}  added {created}")
    return 0


def run_log(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation moderators log`: the accounts' audit log, newest first."""
    from service.infra.db import session_scope
    from service.lifecycle.moderators import account_events

    if args.limit < 1:
        raise UsageError("--limit must be a positive whole number")
    with session_scope(sessions(settings)) as session:
        for event in account_events(session, args.limit):
            detail = f"  ({event.detail})" if event.detail else ""
            print(f"{event.created_at:%Y-%m-%d %H:%M:%S}  {event.action:<12}  {event.moderator.name}  "
                  f"by {event.actor}{detail}")
    return 0


def run_set_active(args: argparse.Namespace, settings: Settings, active: bool) -> int:
    """`moderation moderators deactivate|reactivate NAME`."""
    from service.infra.db import session_scope
    from service.lifecycle.moderators import find_moderator, set_active

    with refusals_as_usage_errors(), session_scope(sessions(settings)) as session:
        set_active(session, find_moderator(session, args.name), active, operator())
    print(f"{'reactivated' if active else 'deactivated'} {args.name!r}", file=sys.stderr)
    return 0


def run_reset_token(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation moderators reset-token NAME`: print a new token once; the old one stops working."""
    from service.infra.db import session_scope
    from service.lifecycle.moderators import find_moderator, rotate_token

    with refusals_as_usage_errors(), session_scope(sessions(settings)) as session:
        token = rotate_token(session, find_moderator(session, args.name), operator())
    print(f"new API token of {args.name!r} (shown only this once; the old one no longer works):", file=sys.stderr)
    print(token)
    return 0


def run_set_password(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation moderators set-password NAME`: the workbench password, prompted or one line from stdin."""
    from service.infra.db import session_scope
    from service.lifecycle.moderators import find_moderator, set_password

    with refusals_as_usage_errors(), session_scope(sessions(settings)) as session:
        moderator = find_moderator(session, args.name)  # before the prompt: an unknown name asks for nothing
        set_password(session, moderator, _read_password(), operator())
    print(f"set the password of {args.name!r}", file=sys.stderr)
    return 0
