"""Fast batch scoring: per distinct chunk of text, the pre-summed weights of every feature it holds.

A comment's features are its tokens' own features plus a bigram per neighbouring pair and a tag per
multi-word lexicon term (classifier.features). Split the comment into whitespace-separated chunks that
normalise on their own (classifier.words) and those features fall into two kinds:

- everything inside one chunk: its tokens' features, the bigrams between its tokens and the terms
  wholly inside it. These depend on the chunk's text alone, so each distinct chunk (a *unit*) gets one
  table row holding their summed coef·idf per head and idf², computed once;
- everything across two chunks: the bigram between one chunk's last token and the next chunk's first,
  computed for the whole batch in numpy from the two tokens' hashes, and the rare multi-word term that
  runs over a chunk boundary, found in Python only where a unit can end a term's beginning and the next
  can continue it.

So a batch costs a few C-level passes over its chunks plus numpy, with no Python loop per token. A
comment that must be normalised whole (words.batch_chunks says which) is split into its tokens, each
its own unit, which the same arithmetic handles. Sums are exactly those of the training feature
matrix (a test checks), only added in another order.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import pairwise, repeat

import numpy as np

from classifier import words as word_splitter
from classifier.features import (
    CACHE_LIMIT,
    FeatureIndexer,
    bigram_column,
    bigram_columns,
    segment_sums,
    token_hash,
)

_INITIAL_ROWS = 4096


class WeightTable:
    """Scores batches fast from cached per-unit rows (see the module docstring)."""

    def __init__(self, indexer: FeatureIndexer, weights: np.ndarray, idf_squared: np.ndarray) -> None:
        self.indexer = indexer
        self._weights = weights
        self._idf_squared = idf_squared
        terms = [tuple(term.split(" ")) for term in indexer.lexicon if " " in term]
        self._longest_term = max(map(len, terms), default=1)
        self._term_prefixes = {parts[:size] for parts in terms for size in range(1, len(parts))}
        self._term_continuations = {word for parts in terms for word in parts[1:]}
        # Columns of the bigrams inside multi-word terms: a term crosses a chunk boundary only where the
        # bigram across it is one of them (a hash collision merely adds a candidate to check).
        self._term_bigrams = np.zeros(indexer.n_features, dtype=bool)
        for parts in terms:
            for left, right in pairwise(parts):
                self._term_bigrams[bigram_column(token_hash(left), token_hash(right), indexer.n_features)] = True
        # A threaded web server may score from several threads; growing the table is not atomic.
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._chunk_units: dict[str, int] = {}
        self._token_units: dict[str, int] = {}
        self._unit_tokens: list[list[str]] = []
        self._values = np.zeros((_INITIAL_ROWS, self._weights.shape[1] + 1))
        self._first = np.zeros(_INITIAL_ROWS, dtype=np.uint64)
        self._last = np.zeros(_INITIAL_ROWS, dtype=np.uint64)
        self._empty = np.zeros(_INITIAL_ROWS, dtype=bool)
        self._ends_term_start = np.zeros(_INITIAL_ROWS, dtype=bool)
        self._starts_term_rest = np.zeros(_INITIAL_ROWS, dtype=bool)
        self._join = np.zeros(_INITIAL_ROWS, dtype=np.uint8)  # words.JOIN_* bits of a chunk unit

    def _unit(self, tokens: list[str]) -> int:
        unit = len(self._unit_tokens)
        if unit == len(self._values):
            self._values = np.resize(self._values, (2 * unit, self._values.shape[1]))
            for name in ("_first", "_last", "_empty", "_ends_term_start", "_starts_term_rest", "_join"):
                setattr(self, name, np.resize(getattr(self, name), 2 * unit))
        columns = np.frombuffer(self.indexer.document_indices(tokens), dtype=np.int64)
        self._values[unit, :-1] = self._weights[columns].sum(axis=0)
        self._values[unit, -1] = self._idf_squared[columns].sum()
        self._empty[unit] = not tokens
        self._join[unit] = 0  # np.resize fills new rows with copies of old ones; chunks set theirs after
        if tokens:
            self._first[unit] = self.indexer.token(tokens[0])[1]
            self._last[unit] = self.indexer.token(tokens[-1])[1]
        size = len(tokens)
        self._ends_term_start[unit] = any(
            tuple(tokens[begin:]) in self._term_prefixes for begin in range(max(0, size - self._longest_term + 1), size)
        )
        self._starts_term_rest[unit] = bool(tokens) and tokens[0] in self._term_continuations
        self._unit_tokens.append(tokens)
        return unit

    def _chunk_unit(self, chunk: str) -> int:
        tokens, join_flags = word_splitter.chunk_info(chunk)
        unit = self._chunk_units[chunk] = self._unit(tokens)
        self._join[unit] = join_flags
        return unit

    def _token_unit(self, token: str) -> int:
        unit = self._token_units.get(token)
        if unit is None:
            unit = self._token_units[token] = self._unit([token])
        return unit

    def sums(self, texts: Sequence[str]) -> np.ndarray:
        """Per text: (weight sum per head..., idf² sum) over all its feature occurrences."""
        with self._lock:
            if len(self._unit_tokens) > CACHE_LIMIT:
                # Only between batches: unit numbers handed out during a batch stay valid until it ends.
                self._reset()
            units, owners = self._units(texts)
            return self._sum(units, owners, len(texts))

    def _units(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every text's units that hold tokens, in order, and the text each belongs to."""
        chunks, counts, full = word_splitter.batch_chunks(texts)
        unit_array = np.array(list(map(self._chunk_units.get, chunks, repeat(-1, len(chunks)))), dtype=np.int64)
        for position in np.flatnonzero(unit_array < 0).tolist():
            known = self._chunk_units.get(chunks[position])  # the same new chunk may occur twice in a batch
            unit_array[position] = self._chunk_unit(chunks[position]) if known is None else known
        owners = np.repeat(np.arange(len(texts)), counts)
        to_split = np.zeros(len(texts), dtype=bool)
        to_split[full] = True
        to_split[self._joining(unit_array, owners)] = True
        if to_split.any():
            # These texts are normalised whole; each of their tokens is a unit of its own.
            token_units = {
                number: [self._token_unit(token) for token in word_splitter.full_words(texts[number])]
                for number in np.flatnonzero(to_split).tolist()
            }
            new_counts = np.array(counts, dtype=np.int64)
            new_counts[to_split] = [len(found) for found in token_units.values()]
            from_tokens = np.repeat(to_split, new_counts)
            spliced = np.empty(len(from_tokens), dtype=np.int64)
            spliced[~from_tokens] = unit_array[~to_split[owners]]
            spliced[from_tokens] = [unit for found in token_units.values() for unit in found]
            unit_array, owners = spliced, np.repeat(np.arange(len(texts)), new_counts)
        filled = ~self._empty[unit_array]
        if not filled.all():
            # A chunk with no tokens ("—", "😂") adds nothing and must not stand between a bigram's words.
            unit_array, owners = unit_array[filled], owners[filled]
        return unit_array, owners

    def _joining(self, units: np.ndarray, owners: np.ndarray) -> np.ndarray:
        """Texts whose spaced-out letters may run across chunks: `words.may_join` for a whole batch."""
        flags = self._join[units]
        seen = flags != word_splitter.JOIN_VANISHES
        flags, owners = flags[seen], owners[seen]
        unsafe = owners[(flags & word_splitter.JOIN_UNSAFE) != 0]
        if len(flags) < 3:
            return unsafe
        middle = (
            (flags[1:-1] & word_splitter.JOIN_SINGLE != 0) & (flags[:-2] & word_splitter.JOIN_END != 0)
            & (flags[2:] & word_splitter.JOIN_START != 0) & (owners[:-2] == owners[2:])
        )
        return np.concatenate([unsafe, owners[1:-1][middle]])

    def _sum(self, units: np.ndarray, owners: np.ndarray, documents: int) -> np.ndarray:
        pointers = np.zeros(documents + 1, dtype=np.int64)
        np.cumsum(np.bincount(owners, minlength=documents), out=pointers[1:])
        sums = segment_sums(np.take(self._values, units, axis=0), pointers)
        if len(units) < 2:
            return sums
        # Bigrams across chunks: the last token of each unit with the first of the next, in one text.
        neighbours = owners[:-1] == owners[1:]
        left, right = units[:-1][neighbours], units[1:][neighbours]
        pair_owners = owners[:-1][neighbours]
        columns = bigram_columns(self._last[left], self._first[right], self.indexer.n_features)
        pair_weights = np.take(self._weights, columns, axis=0)
        for head in range(pair_weights.shape[1]):
            sums[:, head] += np.bincount(pair_owners, weights=pair_weights[:, head], minlength=documents)
        sums[:, -1] += np.bincount(pair_owners, weights=np.take(self._idf_squared, columns), minlength=documents)
        # Multi-word terms across chunks: only where one unit can start a term, the next can continue it
        # and the bigram across the boundary is one of a term's.
        candidates = np.flatnonzero(
            self._term_bigrams[columns] & self._ends_term_start[left] & self._starts_term_rest[right]
        )
        if len(candidates):
            positions = np.flatnonzero(neighbours)[candidates]
            for position in positions.tolist():
                self._add_crossing_terms(sums, units, owners, position)
        return sums

    def _add_crossing_terms(self, sums: np.ndarray, units: np.ndarray, owners: np.ndarray, position: int) -> None:
        """Add the terms that start in ``units[position]`` and end in a later unit of the same text."""
        own = self._unit_tokens[units[position]]
        tokens = list(own)
        following = position + 1
        while len(tokens) < len(own) + self._longest_term - 1 and following < len(units) \
                and owners[following] == owners[position]:
            tokens.extend(self._unit_tokens[units[following]])
            following += 1
        for first, size, column in self.indexer.phrases(tokens):
            if first < len(own) < first + size:
                sums[owners[position], :-1] += self._weights[column]
                sums[owners[position], -1] += self._idf_squared[column]
