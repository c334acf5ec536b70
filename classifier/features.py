"""Hashed features for a tokenised comment, per document and per token, and the fast scoring table.

A comment's feature multiset is the sum of its tokens' feature multisets: each word contributes its own
word feature, its character n-grams and its one-word lexicon tags, and a bigram or multi-word lexicon
term is shared equally between the tokens it spans. That identity is what lets the model attribute its
logit to character spans exactly (see classifier.model), so `document_indices` and `token_rows` must
stay two views of the same thing; a unit test checks they agree.

A bigram's column is a numeric mix of its two tokens' hashes rather than the hash of a string, so the
scoring table (classifier.weight_table) can compute every bigram of a batch in numpy instead of
looking each one up.

Speed: hashing a few hundred n-gram strings per comment would dominate scoring time, so each distinct
token's feature columns (and, for scoring, their summed weights) are computed once and cached: word
frequencies are Zipfian, and a stream of comments reuses the same few thousand tokens. Caches are
bounded so random junk cannot grow them.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.utils import murmurhash3_32

CHAR_NGRAM_SIZES: tuple[int, ...] = (3, 4, 5)
MAX_CHAR_NGRAM_TOKEN = 24
"""Tokens longer than this (URLs, keyboard mashing) get n-grams of their first characters only, which
bounds the cost of one pathological comment."""
MAX_LEXICON_WORDS = 3
CACHE_LIMIT = 200_000
"""Distinct tokens (and chunks) remembered; past this a cache starts afresh rather than growing."""

_MASK = 0xFFFFFFFF
_MIX_A = 0x9E3779B1
_MIX_B = 0x85EBCA6B


def char_ngrams(token: str) -> list[str]:
    """Character n-grams of a token padded with boundary marks, as feature strings (``c:<ab``)."""
    padded = "<" + token[:MAX_CHAR_NGRAM_TOKEN] + ">"
    length = len(padded)
    return ["c:" + padded[j : j + n] for n in CHAR_NGRAM_SIZES for j in range(length - n + 1)]


def token_hash(token: str) -> int:
    """A stable 32-bit hash of a token, the input of its bigrams' columns."""
    return murmurhash3_32(token, seed=1, positive=True)


def bigram_column(left: int, right: int, n_features: int) -> int:
    """Column of the bigram of two tokens with hashes ``left`` and ``right`` (see `bigram_columns`)."""
    mixed = (left * _MIX_A + right) & _MASK
    mixed = ((mixed ^ (mixed >> 16)) * _MIX_B) & _MASK
    return (mixed ^ (mixed >> 13)) % n_features


def bigram_columns(left: np.ndarray, right: np.ndarray, n_features: int) -> np.ndarray:
    """`bigram_column` for arrays of hashes (uint64), bit for bit the same."""
    mixed = (left * np.uint64(_MIX_A) + right) & np.uint64(_MASK)
    mixed = ((mixed ^ (mixed >> np.uint64(16))) * np.uint64(_MIX_B)) & np.uint64(_MASK)
    return ((mixed ^ (mixed >> np.uint64(13))) % np.uint64(n_features)).astype(np.int64)


class FeatureIndexer:
    """Maps token sequences to hashed feature columns in ``[0, n_features)``."""

    def __init__(self, n_features: int, lexicon: Mapping[str, Sequence[str]] | None) -> None:
        self.n_features = n_features
        self.lexicon = dict(lexicon or {})
        # Multi-word terms are looked up only from a token that can start one: a set test per comment
        # instead of joining every pair and triple of it.
        self.phrase_starts = frozenset(term.split(" ")[0] for term in self.lexicon if " " in term)
        self._phrase_terms: dict[str, list[tuple[tuple[str, ...], Sequence[str]]]] = {}
        for term, tags in self.lexicon.items():
            if " " in term:
                parts = tuple(term.split(" "))
                self._phrase_terms.setdefault(parts[0], []).append((parts, tags))
        self._tokens: dict[str, tuple[array, int]] = {}
        self._strings: dict[str, int] = {}

    def index(self, feature: str) -> int:
        """Hashed column of one feature string."""
        found = self._strings.get(feature)
        if found is None:
            if len(self._strings) > CACHE_LIMIT:
                self._strings.clear()
            found = self._strings[feature] = murmurhash3_32(feature, seed=0, positive=True) % self.n_features
        return found

    def token(self, token: str) -> tuple[array, int]:
        """(columns the token owns on its own: word, char n-grams, one-word lexicon tags; its hash)."""
        cached = self._tokens.get(token)
        if cached is None:
            if len(self._tokens) > CACHE_LIMIT:
                self._tokens.clear()
            features = ["w:" + token, *char_ngrams(token)]
            features.extend("l:" + tag for tag in self.lexicon.get(token, ()))
            columns = array("q", [murmurhash3_32(f, seed=0, positive=True) % self.n_features for f in features])
            cached = self._tokens[token] = (columns, token_hash(token))
        return cached

    def phrases(self, tokens: Sequence[str]) -> list[tuple[int, int, int]]:
        """(first token, number of tokens, column) for every multi-word lexicon term in the tokens."""
        found: list[tuple[int, int, int]] = []
        if self.phrase_starts.isdisjoint(tokens):
            return found
        terms = self._phrase_terms
        for first in [i for i, token in enumerate(tokens) if token in terms]:
            for parts, tags in terms[tokens[first]]:
                size = len(parts)
                if tuple(tokens[first : first + size]) == parts:
                    found.extend((first, size, self.index("l:" + tag)) for tag in tags)
        return found

    def _shared(self, tokens: Sequence[str]) -> list[tuple[int, int, int]]:
        """(first token, number of tokens, column) for bigrams and multi-word lexicon terms."""
        hashes = [self.token(token)[1] for token in tokens]
        bigrams = [(i, 2, bigram_column(hashes[i], hashes[i + 1], self.n_features)) for i in range(len(tokens) - 1)]
        return bigrams + self.phrases(tokens)

    def document_indices(self, tokens: Sequence[str]) -> array:
        """All feature columns of one comment, repeated as often as each occurs."""
        columns = array("q")
        for token in tokens:
            columns.extend(self.token(token)[0])
        columns.extend(column for _, _, column in self._shared(tokens))
        return columns

    def batch(self, documents: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Columns of many documents concatenated, and the offsets where each document's run starts."""
        columns = array("q")
        pointers = array("q", [0])
        for tokens in documents:
            columns.extend(self.document_indices(tokens))
            pointers.append(len(columns))
        return np.frombuffer(columns, dtype=np.int64), np.frombuffer(pointers, dtype=np.int64)

    def token_rows(self, tokens: Sequence[str]) -> list[dict[int, float]]:
        """Per token, ``{column: count share}``; summed over tokens they equal `document_indices`."""
        rows: list[dict[int, float]] = []
        for token in tokens:
            row: dict[int, float] = {}
            for column in self.token(token)[0]:
                row[column] = row.get(column, 0.0) + 1.0
            rows.append(row)
        for first, size, column in self._shared(tokens):
            for position in range(first, first + size):
                rows[position][column] = rows[position].get(column, 0.0) + 1.0 / size
        return rows


def segment_sums(values: np.ndarray, pointers: np.ndarray) -> np.ndarray:
    """Sums of ``values[pointers[i]:pointers[i+1]]`` per segment i (0 for an empty segment)."""
    starts = pointers[:-1]
    result = np.zeros((len(starts), *values.shape[1:]), dtype=np.float64)
    filled = starts < pointers[1:]
    if values.shape[0]:
        # reduceat over the non-empty segments only: each runs to the next non-empty one's start, and
        # the empty ones in between hold no values.
        result[filled] = np.add.reduceat(values, starts[filled], axis=0)
    return result
