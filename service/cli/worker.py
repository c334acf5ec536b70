"""`moderation worker`: a Celery worker for the configured broker (scoring, webhook delivery, retraining, sweeps).

``--queues`` picks what it consumes: the default queue (scoring, webhook deliveries), the retraining queue,
or both (the default, so one worker still does everything). See service.infra.broker.RETRAIN_QUEUE."""

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
    worker.add_argument("--queues", type=queue_names, default=("default", "retrain"), metavar="NAMES",
                        help="comma-separated queues to consume: default (scoring, webhooks) and retrain "
                             "(default: both; `moderation run` starts one worker for each, so scoring never "
                             "waits for a retraining)")
    worker.add_argument("--ping", action="store_true",
                        help="ask this host's worker (of these --queues) whether it answers, exit 0 if it does "
                             "(a healthcheck)")
    worker.set_defaults(handler=lambda args: run_worker(args, settings))


def queue_names(value: str) -> tuple[str, ...]:
    """``--queues``: names of QUEUES, comma-separated, at least one."""
    from service.infra.broker import QUEUES

    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in QUEUES]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"queues are {', '.join(QUEUES)} (comma-separated), not {value!r}")
    return names


def worker_node(queues: tuple[str, ...] = ("default", "retrain")) -> str:
    """This host's node name for a worker of ``queues``: ``celery@<hostname>`` (Celery's default), or
    ``retrain@<hostname>`` for one that only retrains, so two workers on one host keep distinct names."""
    prefix = "retrain" if queues == ("retrain",) else "celery"
    return f"{prefix}@{socket.gethostname()}"


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation worker`: a Celery worker consuming the configured broker until SIGTERM/SIGINT."""
    from service.infra.broker import QUEUES
    from worker.app import create_worker

    retrain_only = args.queues == ("retrain",)
    app = create_worker(settings, retrain_only=retrain_only)
    node = worker_node(args.queues)
    if args.ping:
        replies = app.control.ping(destination=[node], timeout=5.0)
        print(replies or f"no answer from {node}")
        return 0 if replies else 1
    # The embedded broker and SQLite serialise everything anyway; one process in one pool is all they use.
    # A retraining runs one at a time, so a worker of that queue alone needs no more than one process either.
    concurrency = args.concurrency or (1 if settings.embedded or retrain_only else os.cpu_count() or 1)
    app.conf.worker_pool = "solo" if concurrency == 1 else "prefork"
    app.worker_main([
        "worker", f"--loglevel={args.loglevel}", f"--concurrency={concurrency}", f"--pool={app.conf.worker_pool}",
        f"--queues={','.join(QUEUES[name] for name in args.queues)}", f"--hostname={node}",
        # Gossip and mingle exchange state between worker nodes; the tasks need none, and mingle
        # alone adds a second to every start.
        "--without-gossip", "--without-mingle",
    ])
    return 0
