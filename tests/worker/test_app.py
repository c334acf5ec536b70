"""The worker's Celery app factory: builds nothing at import, registers the task by its explicit name."""

from __future__ import annotations

import subprocess
import sys

from service.config import Settings
from service.infra.broker import SCORE_TASK
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
