"""`moderation webhooks add|list|remove|log`: register URLs told about comment transitions.

Bad input is a UsageError (one line on stderr, exit status 2). The secret is printed once, on stdout
(like a moderator's token); it is needed to check the signature of every delivery.
"""

from __future__ import annotations

import argparse
import sys

from service.cli.common import UsageError, refusals_as_usage_errors, sessions
from service.config import Settings


class _AllEvents:
    """``--events``' default: every webhook event, comma-separated.

    The names are declared with the tables (service.infra.integration_models), which import SQLAlchemy; this
    reads them only when they are needed (`webhooks add --help`, or `webhooks add` without --events), so
    building the parser stays light.
    """

    def __str__(self) -> str:
        from service.infra.integration_models import WEBHOOK_EVENTS

        return ",".join(WEBHOOK_EVENTS)


def register(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add `moderation webhooks …` to the parser."""
    webhooks = commands.add_parser("webhooks", help="URLs told when comments are held, published, decided")
    sub = webhooks.add_subparsers(dest="webhooks_command", required=True)
    add = sub.add_parser("add", help="register a URL and print its signing secret (once)")
    add.add_argument("url")
    add.add_argument("--events", default=_AllEvents(), help="comma-separated, any of %(default)s (default: all)")
    add.set_defaults(handler=lambda args: run_add(args, settings))
    sub.add_parser("list", help="registered webhooks").set_defaults(handler=lambda args: run_list(settings))
    remove = sub.add_parser("remove", help="delete a webhook and its pending deliveries")
    remove.add_argument("id", type=int)
    remove.set_defaults(handler=lambda args: run_remove(args, settings))
    log = sub.add_parser("log", help="recent deliveries: attempts, status codes, errors")
    log.add_argument("--webhook", type=int, default=None, help="only this webhook's")
    log.add_argument("--limit", type=int, default=50)
    log.set_defaults(handler=lambda args: run_log(args, settings))


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    """Register the webhook; print its id on stderr and its secret on stdout."""
    from service.infra.db import session_scope
    from service.lifecycle.webhooks.registry import add_webhook, parse_events

    with refusals_as_usage_errors():
        events = parse_events(str(args.events))
        with session_scope(sessions(settings)) as session:
            hook = add_webhook(session, args.url, events)
            hook_id, secret = hook.id, hook.secret
    print(f"added webhook {hook_id} for {','.join(events)}; its signing secret (shown only this once):",
          file=sys.stderr)
    print(secret)
    return 0


def run_list(settings: Settings) -> int:
    """One line per webhook: id, events, created, URL (never the secret)."""
    from service.lifecycle.webhooks.registry import list_webhooks

    with sessions(settings)() as session:
        hooks = list_webhooks(session)
    for hook in hooks:
        print(f"{hook.id:<5} {','.join(hook.events):36} {hook.created_at:%Y-%m-%d %H:%M:%S}  {hook.url}")
    if not hooks:
        print("no webhooks: `moderation webhooks add URL --events held,rejected`", file=sys.stderr)
    return 0


def run_remove(args: argparse.Namespace, settings: Settings) -> int:
    """Delete the webhook."""
    from service.infra.db import session_scope
    from service.lifecycle.webhooks.registry import remove_webhook

    with refusals_as_usage_errors(), session_scope(sessions(settings)) as session:
        remove_webhook(session, args.id)
    print(f"removed webhook {args.id}", file=sys.stderr)
    return 0


def run_log(args: argparse.Namespace, settings: Settings) -> int:
    """The delivery log, newest first."""
    from service.lifecycle.webhooks.registry import delivery_log

    if args.limit <= 0:
        raise UsageError("--limit must be a positive whole number")
    with sessions(settings)() as session:
        rows = delivery_log(session, args.webhook, args.limit)
    for row in rows:
        outcome = row.last_error or (str(row.last_status_code) if row.last_status_code else "")
        print(f"{row.id:<6} webhook {row.webhook_id:<4} {row.event:9} comment {row.comment_id:<7} {row.status:9} "
              f"attempts {row.attempts:<2} {row.created_at:%Y-%m-%d %H:%M:%S}  {outcome}")
    return 0
