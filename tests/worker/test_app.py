"""The worker's Celery app factory: builds nothing at import, registers the task by its explicit name."""

from __future__ import annotations

import subprocess
import sys

import pytest

from service.cli import build_parser
from service.cli.worker import worker_node
from service.config import Settings
from service.infra.broker import (
    DEFAULT_QUEUE,
    RETRAIN_QUEUE,
    RETRAIN_TASK,
    SCORE_TASK,
    make_celery,
    send_retrain,
    send_score,
)
from worker.app import create_worker


def test_registers_the_scoring_task_with_late_acks(settings: Settings) -> None:
    app = create_worker(settings)
    task = app.tasks[SCORE_TASK]
    assert task.acks_late and task.ignore_result
    assert app.conf.task_reject_on_worker_lost and app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_url.startswith("filesystem://")


def test_creates_no_engine_until_a_task_needs_one(settings: Settings) -> None:
    app = create_worker(settings)
    assert app.moderation_context._engine is None


def test_importing_the_worker_builds_nothing_and_loads_no_web_framework() -> None:
    probe = (
        "import sys, worker.app, worker.tasks, worker.context\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'werkzeug', 'gunicorn'}))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('service.web', 'service.cli'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:2] == ["[]", "[]"]


def test_a_retraining_travels_on_its_own_queue(settings: Settings) -> None:
    # The real embedded broker: the message file carries its queue's name, which only a worker of it reads.
    app = make_celery(settings)
    send_retrain(app, 7)
    send_score(app, 8)
    queued = sorted(path.name.split(".", 1)[1] for path in (settings.broker_folder / "queue").glob("*.msg"))
    assert queued == [f"{DEFAULT_QUEUE}.msg", f"{RETRAIN_QUEUE}.msg"]


def test_worker_queues_option() -> None:
    parser = build_parser()
    assert parser.parse_args(["worker"]).queues == ("default", "retrain"), "a lone worker still does everything"
    assert parser.parse_args(["worker", "--queues", "retrain"]).queues == ("retrain",)
    assert parser.parse_args(["worker", "--queues", "default, retrain,default"]).queues == ("default", "retrain")
    for bad in ("", "scoring", "default,nope"):
        with pytest.raises(SystemExit):
            parser.parse_args(["worker", "--queues", bad])
    assert worker_node(("retrain",)).startswith("retrain@") and worker_node(("default",)).startswith("celery@")


def test_a_retraining_only_worker_runs_no_outbox_sweeper(settings: Settings) -> None:
    scoring, retraining = create_worker(settings), create_worker(settings, retrain_only=True)
    assert RETRAIN_TASK in retraining.tasks and RETRAIN_TASK in scoring.tasks
    assert hasattr(scoring, "moderation_sweeper") and not hasattr(retraining, "moderation_sweeper")
