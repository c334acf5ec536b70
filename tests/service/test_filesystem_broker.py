"""The embedded broker writes each message whole before a consumer can see it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from queue import Empty

import pytest
from kombu import Connection

from service.infra.filesystem_broker import TRANSPORT, Channel


def _connection(folder: Path) -> Connection:
    return Connection("filesystem://localhost/", transport=TRANSPORT, transport_options={
        "data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False,
        "control_folder": str(folder / "control")})


def test_a_message_appears_only_complete_and_round_trips(tmp_path: Path) -> None:
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("scores")
        queue.put({"comment_id": 7, "text": "≈ emoji 💕 and a long tail " * 200})
        names = [name for name in os.listdir(tmp_path) if name.endswith(".msg")]
        assert len(names) == 1 and not [name for name in os.listdir(tmp_path) if name.endswith(".part")]
        json.loads((tmp_path / names[0]).read_text())  # the visible file is a whole message
        message = queue.get(timeout=2)
        assert message.payload["comment_id"] == 7
        message.ack()
        queue.close()


def test_a_partial_file_is_invisible_to_the_consumer(tmp_path: Path) -> None:
    # What a writer leaves while it is still writing (or after dying mid-write): the consumer skips it
    # instead of reading it as an empty message (which stopped Kombu's own worker for good).
    (tmp_path / ".1_abc.scores.msg.part").write_bytes(b"")
    with _connection(tmp_path) as connection:
        channel = connection.channel()
        assert isinstance(channel, Channel)
        channel.queue_declare("scores")
        with pytest.raises(Empty):  # nothing to deliver
            channel._get("scores")
        channel.close()
