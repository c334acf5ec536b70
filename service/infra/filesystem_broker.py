"""Kombu's filesystem transport with atomic writes: the embedded broker.

Kombu's own ``_put`` creates the message file and then writes into it, while a consumer lists the folder
and takes any file whose name fits. Under load (a gunicorn process posting while the worker polls every
50 ms) the worker can take a file before its bytes are in it: it reads an empty message, Kombu raises
``JSONDecodeError`` as an unrecoverable error, the worker stops, and the half-written message is lost
(seen in bench/pipeline.py (c): 884 of 1,500 comments left pending). Here each message is written under a
name the consumer ignores and renamed into place when complete; a rename within one folder is atomic,
so a consumer sees either no file or the whole message.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

TRANSPORT = "service.infra.filesystem_broker:Transport"
"""What Celery's ``broker_transport`` names for the embedded broker (an explicit transport wins over the
URL's scheme in Kombu)."""


class Channel(filesystem.Channel):
    """The filesystem channel, writing each message whole before it becomes visible."""

    def _put(self, queue: str, payload: dict, **kwargs: object) -> None:
        """Put ``payload`` on ``queue``: write a hidden partial file, then rename it to its message name."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # Kombu's consumer matches "<anything>.<queue>.msg" after the first dot; ".<name>.part" never does.
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    """Kombu's filesystem transport with :class:`Channel`."""

    Channel = Channel
