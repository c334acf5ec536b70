"""Word pieces for the encoder: the base package's WordPiece tokenizer, with offsets into the text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from tokenizers import Tokenizer

from classifier.encoder.base import MAX_TOKENS, base_encoder


@dataclass(frozen=True)
class Batch:
    """Padded token ids and mask for a batch of texts, plus each word piece's (begin, end) offsets."""

    ids: np.ndarray
    mask: np.ndarray
    offsets: list[list[tuple[int, int]]]
    """Per text, per position (the [CLS]/[SEP]/padding positions are (0, 0))."""


@cache
def tokenizer() -> Tokenizer:
    """The base model's tokenizer, truncating at MAX_TOKENS and never padding (batches pad themselves)."""
    loaded = Tokenizer.from_file(str(base_encoder().tokenizer))
    loaded.enable_truncation(MAX_TOKENS)
    loaded.no_padding()  # the package's file pads every text to 128 pieces, which costs 3-10x the compute
    return loaded


def encode(texts: Sequence[str]) -> Batch:
    """Tokenise and pad ``texts`` to the longest of them."""
    encodings = tokenizer().encode_batch(list(texts))
    length = max((len(e.ids) for e in encodings), default=2)
    ids = np.zeros((len(encodings), length), dtype=np.int64)
    mask = np.zeros((len(encodings), length), dtype=np.int64)
    for row, encoding in enumerate(encodings):
        ids[row, : len(encoding.ids)] = encoding.ids
        mask[row, : len(encoding.ids)] = 1
    return Batch(ids=ids, mask=mask, offsets=[list(e.offsets) for e in encodings])


def pooling_weights(mask: np.ndarray) -> np.ndarray:
    """Per position, its share of the mean: 1/n over the word pieces, 0 for [CLS], [SEP] and padding.

    [CLS] and [SEP] are left out so that every bit of the pooled vector belongs to a word piece of the
    text, which is what lets a score be split exactly over character spans.
    """
    pieces = mask.astype(np.float32).copy()
    lengths = mask.sum(axis=1)
    pieces[:, 0] = 0.0
    pieces[np.arange(len(mask)), np.maximum(lengths - 1, 0)] = 0.0
    counts = pieces.sum(axis=1, keepdims=True)
    return pieces / np.maximum(counts, 1.0)
