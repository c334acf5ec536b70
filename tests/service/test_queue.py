"""The web app's background publisher, on the real embedded broker (its folder) and a broker that refuses."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

from service.config import load_settings
from service.infra.broker import BATCH_MAX, SCORE_BATCH_TASK, SCORE_TASK, make_celery
from service.infra.scoring_queue import Publisher


def _messages(folder: Path) -> list[tuple[str, object]]:
    found = []
    for path in sorted((folder / "queue").glob("*.msg")):
        message = json.loads(path.read_text())
        found.append((message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0][0]))
    return found


def test_publishes_every_id_once_batching_what_queued_up(tmp_path: Path) -> None:
    settings = load_settings({"MODERATION_VAR_DIR": str(tmp_path), "BROKER_URL": "filesystem://"})
    refused: list[int] = []
    publisher = Publisher(make_celery(settings), refused.extend)
    for comment_id in range(1, 101):
        publisher.submit(comment_id)
    assert publisher.flush(timeout=30)
    sent: list[int] = []
    for task, args in _messages(settings.broker_folder):
        if task == SCORE_TASK:
            sent.append(args)
        else:
            assert task == SCORE_BATCH_TASK and 1 < len(args) <= BATCH_MAX
            sent.extend(args)
    assert sorted(sent) == list(range(1, 101)) and refused == []


def test_a_refusing_broker_hands_every_id_back(tmp_path: Path) -> None:
    settings = load_settings({"MODERATION_VAR_DIR": str(tmp_path), "BROKER_URL": "redis://127.0.0.1:1/0"})
    refused: list[int] = []
    publisher = Publisher(make_celery(settings), refused.extend)
    for comment_id in range(1, 51):
        publisher.submit(comment_id)
    assert publisher.flush(timeout=60)
    assert sorted(refused) == list(range(1, 51))


def test_under_load_the_thread_waits_for_more_comments_and_at_a_low_rate_it_does_not(tmp_path: Path) -> None:
    settings = load_settings({"MODERATION_VAR_DIR": str(tmp_path), "BROKER_URL": "filesystem://"})
    publisher = Publisher(make_celery(settings), lambda ids: None)
    assert not publisher.busy, "a new process has seen no load"
    for comment_id in (1, 2):
        publisher.submit(comment_id)
        time.sleep(0.5)  # far apart: each goes out alone, at once
    assert publisher.flush(timeout=30)
    assert sorted(_messages(settings.broker_folder)) == [(SCORE_TASK, 1), (SCORE_TASK, 2)]
    # Load (a wait far longer than this test's pauses, so a slow machine cannot change what happens):
    # comments arriving apart are gathered until the batch is full.
    publisher.BUSY_GAP_SECONDS = 1.0
    publisher.LINGER_SECONDS = 60.0
    for comment_id in range(3, 3 + BATCH_MAX):
        publisher.submit(comment_id)
        time.sleep(0.01)
    assert publisher.flush(timeout=30)
    batches = [args for task, args in _messages(settings.broker_folder) if task == SCORE_BATCH_TASK]
    assert batches == [list(range(3, 3 + BATCH_MAX))]


def test_load_is_the_running_average_of_the_gaps_between_comments(tmp_path: Path) -> None:
    settings = load_settings({"MODERATION_VAR_DIR": str(tmp_path), "BROKER_URL": "filesystem://"})
    publisher = Publisher(make_celery(settings), lambda ids: None)
    publisher.BUSY_GAP_SECONDS = 0.1  # back-to-back submits are far closer than this on any machine
    for comment_id in range(1, 41):
        publisher.submit(comment_id)
    assert publisher.busy
    publisher.submit(41)
    time.sleep(1.0)
    for comment_id in (42, 43, 44):
        publisher.submit(comment_id)
        time.sleep(1.0)
    assert not publisher.busy, "a few comments a second are not load"
    assert publisher.flush(timeout=30)
