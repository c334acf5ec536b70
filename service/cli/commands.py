"""The service's commands: ``db``, ``moderators``, ``models``, ``worker``, ``web`` and ``run``.

Handlers import Flask, Celery and gunicorn only when they run, so `moderation score` and `--help` start
without them. Bad input raises UsageError: one line on stderr, exit status 2 (see service.cli).
"""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
from pathlib import Path

from classifier.cli import UsageError
from service.cli.model_commands import register_retraining_commands
from service.cli.web import DEFAULT_THREADS
from service.cli.webhooks import register_webhook_commands
from service.config import Settings

DEFAULT_PORT = 8000
DEFAULT_WEB_WORKERS = 2


def register_service_commands(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add the service's commands to the `moderation` parser; handlers get ``settings``."""
    db_parser = commands.add_parser("db", help="database schema")
    db_commands = db_parser.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every migration").set_defaults(
        handler=lambda args: run_db_upgrade(settings))

    moderators = commands.add_parser("moderators", help="moderator accounts")
    moderator_commands = moderators.add_subparsers(dest="moderators_command", required=True)
    add = moderator_commands.add_parser("add", help="add a moderator and print their API token (once)")
    add.add_argument("name")
    add.add_argument("--role", choices=("moderator", "admin"), default="moderator")
    add.add_argument("--password", action="store_true",
                     help="also set a password for the web page (prompted, or one line from stdin)")
    add.set_defaults(handler=lambda args: run_moderators_add(args, settings))

    models = commands.add_parser("models", help="model versions known to the service")
    model_commands = models.add_subparsers(dest="models_command", required=True)
    model_commands.add_parser("list", help="registered versions and bundles on disk").set_defaults(
        handler=lambda args: run_models_list(settings))
    activate = model_commands.add_parser("activate", help="make a version the one that scores comments")
    activate.add_argument("version")
    activate.set_defaults(handler=lambda args: run_models_activate(args, settings))
    model_commands.add_parser(
        "ensure", help="if no version is active: activate the newest bundle, or train one (as `run` does)",
    ).set_defaults(handler=lambda args: run_models_ensure(settings))

    worker = commands.add_parser("worker", help="start a Celery worker for the configured broker")
    worker.add_argument("--concurrency", type=_positive, default=None,
                        help="worker processes (default: 1 on the embedded broker, else the number of CPUs)")
    worker.add_argument("--loglevel", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    worker.add_argument("--ping", action="store_true",
                        help="ask this host's worker whether it answers, exit 0 if it does (a healthcheck)")
    worker.set_defaults(handler=lambda args: run_worker(args, settings))

    web = commands.add_parser("web", help="serve the API with gunicorn (production)")
    _add_bind_options(web)
    web.add_argument("--workers", type=_positive, default=DEFAULT_WEB_WORKERS, help="gunicorn worker processes")
    web.add_argument("--threads", type=_positive, default=DEFAULT_THREADS, help="threads per worker process")
    web.add_argument("--access-log", action="store_true", help="log every request on stdout (gunicorn's format)")
    web.set_defaults(handler=lambda args: run_web(args))

    run = commands.add_parser("run", help="everything on one machine: migrate, train if needed, worker and web")
    _add_bind_options(run)
    run.add_argument("--workers", type=_positive, default=DEFAULT_WEB_WORKERS, help="gunicorn worker processes")
    run.set_defaults(handler=lambda args: run_everything(args, settings))
    register_webhook_commands(commands, settings)
    register_retraining_commands(commands, settings)


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return number


def _add_bind_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)


def _sessions(settings: Settings):
    from service.infra.db import make_engine, make_sessions

    return make_sessions(make_engine(settings.database_url))


def run_db_upgrade(settings: Settings) -> int:
    """`moderation db upgrade`: bring the schema to the latest migration."""
    from sqlalchemy.engine import make_url

    from service.infra.db import upgrade

    upgrade(settings.database_url)
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"database {shown} is at the latest schema", file=sys.stderr)
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if first != getpass.getpass("again: "):
            raise UsageError("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def run_moderators_add(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation moderators add`: create the account and print its token; only the hash is stored."""
    from service.infra.db import session_scope
    from service.lifecycle.errors import DomainError
    from service.lifecycle.moderators import create_moderator

    password = _read_password() if args.password else None
    if args.password and not password:
        raise UsageError("the password is empty")
    try:
        with session_scope(_sessions(settings)) as session:
            moderator, token = create_moderator(session, args.name, role=args.role, password=password)
    except DomainError as error:
        raise UsageError(error.message) from error
    print(f"added {moderator.role} {moderator.name!r}; their API token (shown only this once):", file=sys.stderr)
    print(token)
    return 0


def run_models_list(settings: Settings) -> int:
    """`moderation models list`: registered versions (active first) and bundles not registered yet."""
    from sqlalchemy import select

    from classifier.bundle import METADATA_FILE
    from service.infra.models import ModelVersion

    with _sessions(settings)() as session:
        rows = list(session.scalars(select(ModelVersion).order_by(ModelVersion.version.desc())))
    print(f"{'version':20} {'active':6} {'created':20} hostility ROC-AUC / PR-AUC   slur ROC-AUC / PR-AUC")
    for row in rows:
        metrics = row.metrics or {}
        figures = "   ".join(
            f"{metrics.get(head, {}).get('roc_auc', '-')!s:>7} / {metrics.get(head, {}).get('pr_auc', '-')!s:<7}"
            for head in ("hostility", "slur"))
        print(f"{row.version:20} {'yes' if row.active else '':6} {row.created_at:%Y-%m-%d %H:%M:%S}  {figures}")
    known = {row.version for row in rows}
    on_disk = sorted(
        child.name for child in settings.models_dir.iterdir() if (child / METADATA_FILE).exists()
    ) if settings.models_dir.is_dir() else []
    for version in on_disk:
        if version not in known:
            print(f"{version:20} {'':6} {'(not registered: `moderation models activate ' + version + '`)'}")
    if not rows and not on_disk:
        print(f"no models yet: `moderation train` writes one to {settings.models_dir}", file=sys.stderr)
    return 0


def run_models_activate(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation models activate VERSION`: registered, or a bundle folder under the models directory.

    The bundle is loaded (and its sha256 checked) before the registry changes; running workers and web
    processes switch to it within seconds.
    """
    from classifier.bundle import BundleError
    from service.infra.db import session_scope
    from service.infra.models import ModelVersion
    from service.lifecycle.active_model import register_bundle

    with session_scope(_sessions(settings)) as session:
        registered = session.get(ModelVersion, args.version)
        path = Path(registered.path) if registered else settings.models_dir / args.version
        if not path.is_dir():
            raise UsageError(f"no model {args.version!r}: not registered and not in {settings.models_dir}")
        try:
            register_bundle(session, path, activate=True)
        except BundleError as error:
            raise UsageError(f"refused {args.version}: {error}") from error
    print(f"model {args.version} is active", file=sys.stderr)
    return 0


def run_models_ensure(settings: Settings) -> int:
    """`moderation models ensure`: make sure some model is active (a one-shot step in docker-compose.yml)."""
    from service.cli.run import ensure_model

    print(f"model {ensure_model(settings)} is active", file=sys.stderr)
    return 0


def worker_node() -> str:
    """This host's worker node name (Celery's default, ``celery@<hostname>``)."""
    return f"celery@{socket.gethostname()}"


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation worker`: a Celery worker consuming the configured broker until SIGTERM/SIGINT."""
    from worker.app import create_worker

    app = create_worker(settings)
    if args.ping:
        replies = app.control.ping(destination=[worker_node()], timeout=5.0)
        print(replies or f"no answer from {worker_node()}")
        return 0 if replies else 1
    # The embedded broker and SQLite serialise everything anyway; one process in one pool is all they use.
    concurrency = args.concurrency or (1 if settings.embedded else os.cpu_count() or 1)
    app.conf.worker_pool = "solo" if concurrency == 1 else "prefork"
    app.worker_main([
        "worker", f"--loglevel={args.loglevel}", f"--concurrency={concurrency}", f"--pool={app.conf.worker_pool}",
        # Gossip and mingle exchange state between worker nodes; the tasks need none, and mingle
        # alone adds a second to every start.
        "--without-gossip", "--without-mingle",
    ])
    return 0


def run_web(args: argparse.Namespace) -> int:
    """`moderation web`: gunicorn in this process (see service.cli.web)."""
    from service.cli.web import serve

    serve(args.host, args.port, args.workers, access_log=args.access_log, threads=args.threads)
    return 0


def run_everything(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation run`: see service.cli.run."""
    from service.cli.run import run

    return run(settings, args.host, args.port, args.workers)
