"""Commands of the model registry and retraining: ``retrain``, ``rescore``, ``labels export``,
``models rollback`` and ``models log`` (``models list|activate|ensure`` live in service.cli.commands).

Handlers import their dependencies when they run. Bad input raises UsageError (one line, status 2).
"""

from __future__ import annotations

import argparse
import getpass
import sys
import threading
import time
from pathlib import Path

from classifier.cli import UsageError
from service.config import Settings

POLL_SECONDS = 0.5
NO_WORKER_HINT_SECONDS = 30.0


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register_retraining_commands(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add the retraining commands to the `moderation` parser (and rollback/log to `models`)."""
    retrain = commands.add_parser("retrain", help="retrain on the datasets plus moderators' decisions (worker task)")
    retrain.add_argument("--force", action="store_true",
                         help="activate the new version even if the evaluation gate refuses it (logged as forced)")
    retrain.add_argument("--inline", action="store_true", help="train in this process instead of on a worker")
    retrain.add_argument("--no-wait", action="store_true", help="queue the job, print its id and return")
    retrain.set_defaults(handler=lambda args: run_retrain(args, settings))

    rescore = commands.add_parser("rescore", help="rescore comments with the active model")
    rescore.add_argument("--held", action="store_true", required=True,
                         help="held comments (required: the only kind rescored); released ones are published")
    rescore.add_argument("--batch", type=_positive, default=200, help="comments per transaction")
    rescore.set_defaults(handler=lambda args: run_rescore(args, settings))

    labels = commands.add_parser("labels", help="moderators' decisions as labels")
    label_commands = labels.add_subparsers(dest="labels_command", required=True)
    export = label_commands.add_parser("export", help="write them as a labelled CSV (`moderation train --data`)")
    export.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    export.set_defaults(handler=lambda args: run_labels_export(args, settings))

    models = _subcommands(commands.choices["models"])
    models.choices["list"].set_defaults(handler=lambda args: run_models_list(settings))
    models.add_parser("rollback", help="re-activate the version that was active before the current one").set_defaults(
        handler=lambda args: run_models_rollback(settings))
    log = models.add_parser("log", help="the registry's audit log: activations, rejections, rollbacks")
    log.add_argument("--limit", type=_positive, default=20)
    log.set_defaults(handler=lambda args: run_models_log(args, settings))


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value} is not a positive whole number")
    return number


def _sessions(settings: Settings):
    from service.infra.db import make_engine, make_sessions

    return make_sessions(make_engine(settings.database_url))


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def run_retrain(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation retrain`: queue a job (or run it here with --inline) and follow it with a progress bar.

    Exit status 0 when the new version went live (activated or forced), 1 when the gate rejected it or
    the job failed.
    """
    from service.infra.broker import make_celery, send_retrain
    from service.lifecycle.errors import Conflict
    from service.lifecycle.retrain.jobs import run_job

    sessions = _sessions(settings)
    with sessions() as session:
        from service.lifecycle.retrain.jobs import create_job

        try:
            job = create_job(session, _operator(), force=args.force)
        except Conflict as error:
            raise UsageError(error.message) from error
        session.commit()
        job_id = job.id
    if args.inline:
        threading.Thread(target=run_job, args=(sessions, settings, job_id), daemon=True).start()
    else:
        send_retrain(make_celery(settings), job_id)
    print(f"retraining job {job_id} {'running here' if args.inline else 'queued'}", file=sys.stderr)
    if args.no_wait:
        print(job_id)
        return 0
    return _follow(sessions, job_id)


def _follow(sessions, job_id: int) -> int:
    from tqdm import tqdm

    from service.infra.models import RetrainJob
    from service.lifecycle.retrain.pipeline import STEPS

    bar = tqdm(total=STEPS, desc="retraining", unit="step", file=sys.stderr)
    started = time.monotonic()
    hinted = False
    try:
        while True:
            with sessions() as session:
                job = session.get(RetrainJob, job_id)
            bar.update(round(job.progress * STEPS) - bar.n)
            bar.set_postfix_str(job.stage)
            if job.status in ("succeeded", "failed"):
                break
            if job.status == "queued" and not hinted and time.monotonic() - started > NO_WORKER_HINT_SECONDS:
                bar.write("no worker has taken the job yet: is `moderation worker` running? (or use --inline)")
                hinted = True
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        bar.close()
        print(f"stopped following job {job_id}; it goes on (see /api/v1/moderation/models/retrain/{job_id})",
              file=sys.stderr)
        return 130
    bar.close()
    if job.status == "failed":
        print(f"retraining failed: {job.message}", file=sys.stderr)
        return 1
    if job.outcome == "forced":
        print(f"FORCED: {job.message} (recorded as forced in the registry's log)", file=sys.stderr)
    else:
        print(job.message, file=sys.stderr)
    print(job.version)
    return 0 if job.outcome in ("activated", "forced") else 1


def run_rescore(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation rescore --held`: rescore held comments in batches with a progress bar; resumable."""
    from tqdm import tqdm

    from service.lifecycle.active_model import ActiveModel, NoActiveModel
    from service.lifecycle.rescore import count_to_rescore, rescore_held_comments

    sessions = _sessions(settings)
    try:
        scorer = ActiveModel(sessions).scorer()
    except NoActiveModel as error:
        raise UsageError(str(error)) from error
    with sessions() as session:
        total = count_to_rescore(session, scorer.version)
    with tqdm(total=total, desc=f"rescoring with {scorer.version}", unit="comment", file=sys.stderr) as bar:
        counts = rescore_held_comments(sessions, settings, scorer, batch=args.batch, progress=bar.update)
    print(f"released {counts.released}, still held {counts.held}, decided meanwhile {counts.skipped}",
          file=sys.stderr)
    return 0


def run_labels_export(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation labels export`: every moderator-decided comment as text,hostility,slur (+ provenance)."""
    from service.lifecycle.retrain.labels import moderator_labels, write_csv

    with _sessions(settings)() as session:
        labels = moderator_labels(session)
    if args.out is None:
        count = write_csv(labels, sys.stdout)
    else:
        try:
            with args.out.open("w", encoding="utf-8", newline="") as stream:
                count = write_csv(labels, stream)
        except OSError as error:
            raise UsageError(f"cannot write {args.out}: {error.strerror}") from error
    print(f"exported {count} labels", file=sys.stderr)
    return 0


def run_models_rollback(settings: Settings) -> int:
    """`moderation models rollback`: the previously active version scores again (workers switch in seconds)."""
    from classifier.bundle import BundleError
    from service.infra.db import session_scope
    from service.lifecycle.errors import DomainError
    from service.lifecycle.registry import rollback

    try:
        with session_scope(_sessions(settings)) as session:
            target, replaced = rollback(session, _operator())
            names = target.version, replaced.version if replaced else None
    except DomainError as error:
        raise UsageError(error.message) from error
    except BundleError as error:
        raise UsageError(f"cannot roll back: {error}") from error
    print(f"model {names[0]} is active again (rolled back from {names[1]})", file=sys.stderr)
    return 0


def run_models_log(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation models log`: newest first."""
    from service.lifecycle.registry import events

    with _sessions(settings)() as session:
        for event in events(session, args.limit):
            print(f"{event.created_at:%Y-%m-%d %H:%M:%S}  {event.action:8} {event.version:20} {event.actor}: "
                  f"{event.detail}")
    return 0


def run_models_list(settings: Settings) -> int:
    """`moderation models list`: registered versions (newest first) with status and provenance."""
    from classifier.bundle import METADATA_FILE
    from service.lifecycle.registry import versions

    with _sessions(settings)() as session:
        rows = versions(session)
    print(f"{'version':20} {'active':6} {'status':9} {'created':16} {'labels':>6}  {'hostility AUC':>13} "
          f"{'slur AUC':>8}  created by / reason")
    for row in rows:
        metrics = row.metrics or {}
        aucs = [metrics.get(head, {}).get("roc_auc", "-") for head in ("hostility", "slur")]
        note = row.created_by + (f" — {row.status_reason}" if row.status_reason else "")
        print(f"{row.version:20} {'yes' if row.active else '':6} {row.status:9} {row.created_at:%Y-%m-%d %H:%M} "
              f"{row.moderator_labels:>6}  "
              f"{aucs[0]!s:>13} {aucs[1]!s:>8}  {note}")
    known = {row.version for row in rows}
    folder = settings.models_dir
    on_disk = sorted(c.name for c in folder.iterdir() if (c / METADATA_FILE).exists()) if folder.is_dir() else []
    for version in on_disk:
        if version not in known:
            print(f"{version:20} (not registered: `moderation models activate {version}`)")
    if not rows and not on_disk:
        print(f"no models yet: `moderation train` writes one to {folder}", file=sys.stderr)
    return 0
