"""`moderation retrain`, `rescore --held` and `labels export`: learning from moderators' decisions.

A retraining runs on a worker (or here, with ``--inline``) and is followed through its job row; rescoring
runs here, in committed batches; the export writes the labels a retraining would read. See docs/retraining.md.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from service.cli.common import UsageError, operator, positive, refusals_as_usage_errors, sessions
from service.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

POLL_SECONDS = 0.5
NO_WORKER_HINT_SECONDS = 30.0


RETRAIN_DESCRIPTION = """\
Train a new model version on the base datasets plus moderators' decisions, judge it against the active
model, and make it the one that scores comments only if it passes.

Training data: each base dataset's training split, the seed set, and every comment a moderator decided
(approved: not hostile; rejected: hostile, and a slur if they said so). A share of those decisions
(MODERATION_EVALUATION_SHARE, {share:.0%} by a stable hash of the comment id) is held back and never trained
on; moderators' labels weigh MODERATION_MODERATOR_WEIGHT ({weight:g}) times a dataset row of the same size.

The evaluation gate: the candidate and the active model are scored side by side on every evaluation set
(each base dataset's test split, and the held-back decisions). The candidate goes live only if it is not
worse than the active model by more than MODERATION_GATE_TOLERANCE ({tolerance:g}) on any of them and, once
at least MODERATION_GATE_MIN_DECISIONS ({min_decisions}) decisions are held back, better at agreeing with
the moderators. With no active model it goes live. A refused candidate is kept as `rejected`, with the
reason, in `moderation models list`; --force activates it anyway (logged as forced).

The job runs on a worker (`moderation worker`, or the retraining worker of `moderation run`), or in this
process with --inline. This command follows it with a progress bar on stderr that names the stage
(reading the decisions, loading the datasets, fitting, testing, evaluating side by side, recording the
verdict), then prints the verdict and the hold thresholds it changed on stderr and the new version on
stdout. Ctrl-C stops following: a job on a worker goes on, one run with --inline stops with this process.
"""

RETRAIN_EPILOG = """\
exit status:
  0    the new version went live (activated, or forced), or with --no-wait: the job was queued
  1    the gate refused the new version, or the job failed
  2    bad usage, or another retraining is already queued or running
  130  interrupted (Ctrl-C) while following

See docs/retraining.md.
"""


def register(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add `moderation retrain`, `moderation rescore` and `moderation labels …` to the parser."""
    retrain = commands.add_parser(
        "retrain", help="retrain on the datasets plus moderators' decisions; goes live if it passes the gate",
        description=RETRAIN_DESCRIPTION.format(
            share=settings.evaluation_share, weight=settings.moderator_weight, tolerance=settings.gate_tolerance,
            min_decisions=settings.gate_min_decisions),
        epilog=RETRAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    retrain.add_argument("--force", action="store_true",
                         help="activate the new version even if the evaluation gate refuses it (logged as forced)")
    retrain.add_argument("--inline", action="store_true", help="train in this process instead of on a worker")
    retrain.add_argument("--no-wait", action="store_true", help="queue the job, print its id and return")
    retrain.set_defaults(handler=lambda args: run_retrain(args, settings))

    rescore = commands.add_parser("rescore", help="rescore comments with the active model")
    rescore.add_argument("--held", action="store_true", required=True,
                         help="held comments (required: the only kind rescored); released ones are published")
    rescore.add_argument("--batch", type=positive, default=200, help="comments per transaction")
    rescore.set_defaults(handler=lambda args: run_rescore(args, settings))

    labels = commands.add_parser("labels", help="moderators' decisions as labels")
    label_commands = labels.add_subparsers(dest="labels_command", required=True)
    export = label_commands.add_parser("export", help="write them as a labelled CSV (`moderation train --data`)")
    export.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    export.set_defaults(handler=lambda args: run_labels_export(args, settings))


def run_retrain(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation retrain`: queue a job (or run it here with --inline) and follow it with a progress bar.

    Exit status 0 when the new version went live (activated or forced), 1 when the gate rejected it or
    the job failed.
    """
    from service.infra.broker import make_celery, send_retrain
    from service.lifecycle.retrain.jobs import create_job, run_job

    factory = sessions(settings)
    with refusals_as_usage_errors(), factory() as session:  # Conflict: another job is queued or running
        job = create_job(session, operator(), force=args.force)
        session.commit()
        job_id = job.id
    if args.inline:
        threading.Thread(target=run_job, args=(factory, settings, job_id), daemon=True).start()
    else:
        send_retrain(make_celery(settings), job_id)
    print(f"retraining job {job_id} {'running here' if args.inline else 'queued'}", file=sys.stderr)
    if args.no_wait:
        print(job_id)
        return 0
    return _follow(factory, job_id)


def _follow(factory: sessionmaker[Session], job_id: int) -> int:
    from tqdm import tqdm

    from service.infra.models import RetrainJob
    from service.lifecycle.retrain.pipeline import STEPS

    bar = tqdm(total=STEPS, desc="retraining", unit="step", file=sys.stderr)
    started = time.monotonic()
    hinted = False
    try:
        while True:
            with factory() as session:
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

    factory = sessions(settings)
    try:
        scorer = ActiveModel(factory, settings.encoder_cache_dir).scorer()
    except NoActiveModel as error:
        raise UsageError(str(error)) from error
    with factory() as session:
        total = count_to_rescore(session, scorer.version)
    with tqdm(total=total, desc=f"rescoring with {scorer.version}", unit="comment", file=sys.stderr) as bar:
        counts = rescore_held_comments(factory, settings, scorer, batch=args.batch, progress=bar.update)
    print(f"released {counts.released}, still held {counts.held}, decided meanwhile {counts.skipped}",
          file=sys.stderr)
    return 0


def run_labels_export(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation labels export`: every moderator-decided comment as text,hostility,slur (+ provenance)."""
    from service.lifecycle.retrain.labels import moderator_labels, write_csv

    with sessions(settings)() as session:
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
