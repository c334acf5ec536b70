"""Progress where training spends its time: a bar with rows done, their rate and the time left.

Training on every dataset encodes ~130k texts (minutes on two cores) after a one-line "fitting on …"
message; without a bar that looks like a hang. `moderation train`, retraining (`moderation retrain
--inline`, or the worker's log) and the adapter recipe show the same bar, on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

MIN_ROWS = 500
"""Fewer rows than this take seconds: no bar (scoring a handful of comments stays quiet)."""
CHUNK = 256
"""Texts encoded between two updates of the bar (a second or two on two cores)."""


def row_bar(total: int, desc: str, unit: str = "row") -> Any:
    """A tqdm bar over ``total`` rows on stderr (``n/total [elapsed<left, rate]``); silent below MIN_ROWS."""
    from tqdm import tqdm  # here: a worker that never trains never imports it

    tqdm.monitor_interval = 0  # no monitor thread: `moderation run` and Celery fork after training
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=total < MIN_ROWS,
                mininterval=1.0, leave=False)


def encode_with_progress(encode: Callable[[list[str]], np.ndarray], texts: Sequence[str]) -> np.ndarray:
    """``encode(texts)`` in chunks of CHUNK with a bar; each text is encoded on its own either way, so the
    vectors are the ones a single call would give."""
    texts = list(texts)
    if len(texts) < MIN_ROWS:
        return encode(texts)
    parts = []
    with row_bar(len(texts), "encoding texts", unit="text") as bar:
        for start in range(0, len(texts), CHUNK):
            part = texts[start : start + CHUNK]
            parts.append(encode(part))
            bar.update(len(part))
    return np.concatenate(parts)
