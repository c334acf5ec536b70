"""Encoder vectors kept on disk by text, so refitting the heads never re-runs the encoder on old text.

Retraining from moderators' decisions refits scikit-learn heads on the public datasets plus the
decisions; without this cache every retraining would re-encode ~170k texts (minutes on 2 cores).
One folder per graph (vectors from another adapter mean nothing): ``vectors.npy`` (float32: the heads
weigh some dimensions heavily, and float16 rounding moved scores visibly) and
``texts.json`` (the sha256 of each row's text), appended to as new texts come.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from classifier.encoder.base import HIDDEN

SAVE_EVERY = 1000
"""Rewriting the whole file (a few hundred MB for the datasets) for a handful of new texts is not
worth it; a lost handful only costs their re-encoding."""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


class VectorCache:
    """Pooled vectors by text for one graph, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._rows: dict[str, int] = {}
        self._unsaved = 0
        self._vectors = np.zeros((0, HIDDEN), dtype=np.float32)
        index, vectors = folder / "texts.json", folder / "vectors.npy"
        if index.exists() and vectors.exists():
            try:
                digests = json.loads(index.read_text(encoding="utf-8"))
                loaded = np.load(vectors)
            except (OSError, ValueError):
                digests, loaded = [], self._vectors  # a damaged cache is only a slower retraining
            if len(digests) == len(loaded):
                self._rows = {digest: row for row, digest in enumerate(digests)}
                self._vectors = loaded

    def vectors(self, texts: Sequence[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors of ``texts``: from the cache where present, else ``compute``d and added to it."""
        digests = [_digest(text) for text in texts]
        missing = sorted({d: t for d, t in zip(digests, texts, strict=True) if d not in self._rows}.items())
        if missing:
            fresh = compute([text for _, text in missing]).astype(np.float32)
            start = len(self._vectors)
            self._vectors = np.concatenate([self._vectors, fresh])
            self._rows.update({digest: start + offset for offset, (digest, _) in enumerate(missing)})
            self._unsaved += len(missing)
            if self._unsaved >= SAVE_EVERY:
                self.save()
        return self._vectors[[self._rows[d] for d in digests]]

    def save(self) -> None:
        """Write the cache to its folder (rows added since the last save are otherwise only in memory)."""
        self._unsaved = 0
        self.folder.mkdir(parents=True, exist_ok=True)
        order = sorted(self._rows, key=self._rows.__getitem__)
        for name, write in (("vectors.npy", lambda h: np.save(h, self._vectors)),
                            ("texts.json", lambda h: h.write(json.dumps(order).encode()))):
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{name}-")
            with os.fdopen(fd, "wb") as handle:
                write(handle)
            os.replace(tmp, self.folder / name)


_OPEN: weakref.WeakValueDictionary[Path, VectorCache] = weakref.WeakValueDictionary()


def shared_cache(folder: Path) -> VectorCache:
    """The process's VectorCache for ``folder``: models with the same graph share the vectors either computed.

    Retraining's gate scores the same texts with the candidate and then the active model (same adapter,
    same graph); each with its own cache, the active model re-encoded, one text at a time, every text the
    candidate had encoded since the disk copy was read (a minute for 7,740 texts). Held weakly, so the
    vectors are let go with the last model that uses them.
    """
    key = folder.resolve()
    cache = _OPEN.get(key)
    if cache is None:
        cache = _OPEN[key] = VectorCache(folder)
    return cache
