"""Running the encoder: word pieces in, mean-pooled vectors (and each piece's share of them) out.

ONNX Runtime only, so a worker loads no PyTorch. Every text runs on its own: the int8 graph quantises
its activations with one scale per call, so in a padded batch a comment's vector would depend on
its neighbours (measured: up to 2 logits apart), and on one core a batch is no faster anyway (2.6 ms
a short comment alone, 3.1 ms each in batches of 32). ``threads`` runs that many texts at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.encoder.base import HIDDEN
from classifier.encoder.tokens import encode, pooling_weights


@dataclass(frozen=True)
class TokenStates:
    """One text's word pieces: their (begin, end) offsets into the text, vectors and pooling shares."""

    offsets: list[tuple[int, int]]
    vectors: np.ndarray
    shares: np.ndarray
    """Each piece's weight in the mean (0 for [CLS] and [SEP]); ``shares @ vectors`` is the pooled vector."""


class EncoderSession:
    """One ONNX Runtime session over a graph from ``export.graph_path``."""

    def __init__(self, graph: Path, threads: int = 1) -> None:
        import onnxruntime

        self.threads = threads
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # Spinning threads burn a core while waiting for work; a worker mostly waits for comments.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def _hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    def _one(self, text: str) -> np.ndarray:
        batch = encode([text])
        return pooling_weights(batch.mask)[0] @ self._hidden(batch.ids, batch.mask)[0]

    def pooled(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, 384)`` mean-pooled vectors of the word pieces of each text."""
        if self.threads > 1 and len(texts) > 1:
            with ThreadPoolExecutor(self.threads) as pool:  # ONNX Runtime releases the GIL while it runs
                rows = list(pool.map(self._one, texts, chunksize=64))
        else:
            rows = [self._one(text) for text in texts]
        return np.array(rows, dtype=np.float32).reshape(len(texts), HIDDEN)

    def token_states(self, text: str) -> TokenStates:
        """The word pieces of one text with their vectors: what an explanation splits a score over."""
        batch = encode([text])
        hidden = self._hidden(batch.ids, batch.mask)[0]
        return TokenStates(offsets=batch.offsets[0], vectors=hidden, shares=pooling_weights(batch.mask)[0])
