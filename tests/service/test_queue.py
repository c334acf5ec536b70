"""The web app's background publisher, on the real embedded broker (its folder) and a broker that refuses."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from service.config import load_settings
from service.queue import BATCH_MAX, SCORE_BATCH_TASK, SCORE_TASK, Publisher, make_celery


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
