"""`moderation worker`: a Celery worker for the configured broker (scoring, webhook delivery, retraining, sweeps)."""

from __future__ import annotations

import argparse
import os
import socket

from service.cli.common import positive
from service.config import Settings


def register(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add `moderation worker` to the parser."""
    worker = commands.add_parser("worker", help="start a Celery worker for the configured broker")
    worker.add_argument("--concurrency", type=positive, default=None,
                        help="worker processes (default: 1 on the embedded broker, else the number of CPUs)")
    worker.add_argument("--loglevel", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    worker.add_argument("--ping", action="store_true",
                        help="ask this host's worker whether it answers, exit 0 if it does (a healthcheck)")
    worker.set_defaults(handler=lambda args: run_worker(args, settings))


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
