"""Hashed features for a tokenised comment, per document and per token.

A comment's feature multiset is the sum of its tokens' feature multisets: each word contributes its own
word feature, its character n-grams and its one-word lexicon tags, and a bigram or multi-word lexicon
term is shared equally between the tokens it spans. That identity is what lets the model attribute its
logit to character spans exactly (see classifier.model), so `document_indices` and `token_rows` must
stay two views of the same thing; a unit test checks they agree.

Speed: hashing a few hundred n-gram strings per comment would dominate scoring time, so each distinct
token's feature indices are computed once and cached (word frequencies are Zipfian: a stream of
comments reuses the same few thousand tokens). The cache is bounded so random junk cannot grow it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from sklearn.utils import murmurhash3_32

CHAR_NGRAM_SIZES: tuple[int, ...] = (3, 4, 5)
MAX_CHAR_NGRAM_TOKEN = 24
"""Tokens longer than this (URLs, keyboard mashing) get n-grams of their first characters only, which
bounds the cost of one pathological comment."""
MAX_LEXICON_WORDS = 3
CACHE_LIMIT = 200_000
"""Distinct tokens (and bigrams) remembered; past this the cache starts afresh rather than growing."""


def char_ngrams(token: str) -> list[str]:
    """Character n-grams of a token padded with boundary marks, as feature strings (``c:<ab``)."""
    padded = "<" + token[:MAX_CHAR_NGRAM_TOKEN] + ">"
    length = len(padded)
    return ["c:" + padded[j : j + n] for n in CHAR_NGRAM_SIZES for j in range(length - n + 1)]


class FeatureIndexer:
    """Maps token sequences to hashed feature indices in ``[0, n_features)``."""

    def __init__(self, n_features: int, lexicon: Mapping[str, Sequence[str]] | None) -> None:
        self.n_features = n_features
        self.lexicon = dict(lexicon or {})
        # Multi-word terms are looked up only from a token that can start one: a set test per token
        # instead of joining every pair and triple of a comment.
        self._phrase_starts = {term.split(" ")[0] for term in self.lexicon if " " in term}
        self._tokens: dict[str, array] = {}
        self._strings: dict[str, int] = {}
        self._pairs: dict[tuple[str, str], int] = {}

    def index(self, feature: str) -> int:
        """Hashed column of one feature string."""
        found = self._strings.get(feature)
        if found is None:
            if len(self._strings) > CACHE_LIMIT:
                self._strings.clear()
            found = murmurhash3_32(feature, seed=0, positive=True) % self.n_features
            self._strings[feature] = found
        return found

    def token_indices(self, token: str) -> array:
        """Columns owned by one token on its own: word, character n-grams, one-word lexicon tags."""
        cached = self._tokens.get(token)
        if cached is None:
            if len(self._tokens) > CACHE_LIMIT:
                self._tokens.clear()
            features = ["w:" + token, *char_ngrams(token)]
            features.extend("l:" + tag for tag in self.lexicon.get(token, ()))
            cached = array("q", [murmurhash3_32(f, seed=0, positive=True) % self.n_features for f in features])
            self._tokens[token] = cached
        return cached

    def _shared(self, tokens: Sequence[str]) -> list[tuple[int, int, str]]:
        """(first token, number of tokens, feature) for bigrams and multi-word lexicon terms."""
        return [(i, 2, "b:" + tokens[i] + " " + tokens[i + 1]) for i in range(len(tokens) - 1)] + self._phrases(
            tokens
        )

    def _phrases(self, tokens: Sequence[str]) -> list[tuple[int, int, str]]:
        """(first token, number of tokens, feature) for multi-word lexicon terms."""
        shared: list[tuple[int, int, str]] = []
        if self._phrase_starts and not self._phrase_starts.isdisjoint(tokens):
            for first, token in enumerate(tokens):
                if token not in self._phrase_starts:
                    continue
                for size in range(2, MAX_LEXICON_WORDS + 1):
                    if first + size > len(tokens):
                        break
                    for tag in self.lexicon.get(" ".join(tokens[first : first + size]), ()):
                        shared.append((first, size, "l:" + tag))
        return shared

    def _pair(self, left: str, right: str) -> int:
        if len(self._pairs) > CACHE_LIMIT:
            self._pairs.clear()
        column = self._pairs[left, right] = self.index("b:" + left + " " + right)
        return column

    def batch(self, documents: Iterable[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Columns of many documents concatenated, and the offsets where each document's run starts.

        The same columns as `document_indices` per document, in a loop kept tight on purpose: this is
        where batch scoring spends its time.
        """
        columns = array("q")
        pointers = array("q", [0])
        extend, append = columns.extend, columns.append
        known_token, known_pair = self._tokens.get, self._pairs.get
        phrases = self._phrase_starts
        for tokens in documents:
            previous = None
            for token in tokens:
                found = known_token(token)
                extend(found if found is not None else self.token_indices(token))
                if previous is not None:
                    pair = known_pair((previous, token))
                    append(pair if pair is not None else self._pair(previous, token))
                previous = token
            if phrases and not phrases.isdisjoint(tokens):
                extend(self.index(feature) for _, _, feature in self._phrases(tokens))
            pointers.append(len(columns))
        return np.frombuffer(columns, dtype=np.int64), np.frombuffer(pointers, dtype=np.int64)

    def document_indices(self, tokens: Sequence[str]) -> array:
        """All feature columns of one comment, repeated as often as each occurs."""
        columns = array("q")
        for token in tokens:
            columns.extend(self.token_indices(token))
        for _, _, feature in self._shared(tokens):
            columns.append(self.index(feature))
        return columns

    def token_rows(self, tokens: Sequence[str]) -> list[dict[int, float]]:
        """Per token, ``{column: count share}``; summed over tokens they equal `document_indices`."""
        rows: list[dict[int, float]] = []
        for token in tokens:
            row: dict[int, float] = {}
            for column in self.token_indices(token):
                row[column] = row.get(column, 0.0) + 1.0
            rows.append(row)
        for first, size, feature in self._shared(tokens):
            column = self.index(feature)
            for position in range(first, first + size):
                rows[position][column] = rows[position].get(column, 0.0) + 1.0 / size
        return rows


class WeightTable:
    """Per distinct token, bigram and phrase: the summed weights of all the features it brings.

    Scoring then costs one dictionary lookup per token and per bigram, and the arithmetic gathers from
    a small dense table instead of a feature-sized array. Row values are (weight per head..., idf²),
    where the per-head weight is coef·idf summed over the features; a document's logit is its rows'
    weight sum over the square root of their idf² sum (classifier.model explains why).
    """

    def __init__(self, indexer: FeatureIndexer, weights: np.ndarray, idf_squared: np.ndarray) -> None:
        self.indexer = indexer
        self._weights = weights
        self._idf_squared = idf_squared
        self._rows: dict[object, int] = {}
        self._table = np.zeros((4096, weights.shape[1] + 1))

    @property
    def table(self) -> np.ndarray:
        """The filled rows: ``(rows, heads + 1)``."""
        return self._table[: len(self._rows)]

    def _add(self, key: object, columns: Sequence[int]) -> int:
        row = len(self._rows)
        if row == len(self._table):
            self._table = np.resize(self._table, (2 * row, self._table.shape[1]))
        selected = np.asarray(columns, dtype=np.int64)
        self._table[row, :-1] = self._weights[selected].sum(axis=0)
        self._table[row, -1] = self._idf_squared[selected].sum()
        self._rows[key] = row
        return row

    def rows(self, documents: Iterable[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Table rows of many documents concatenated, and where each document's run starts."""
        if len(self._rows) > CACHE_LIMIT:
            self._rows.clear()  # only between batches: row ids handed out earlier stay valid meanwhile
        indexer = self.indexer
        rows = array("q")
        pointers = array("q", [0])
        append, known = rows.append, self._rows.get
        phrases = indexer._phrase_starts
        for tokens in documents:
            previous = None
            for token in tokens:
                row = known(token)
                append(row if row is not None else self._add(token, indexer.token_indices(token)))
                if previous is not None:
                    pair = (previous, token)
                    row = known(pair)
                    if row is None:
                        row = self._add(pair, [indexer.index("b:" + previous + " " + token)])
                    append(row)
                previous = token
            if phrases and not phrases.isdisjoint(tokens):
                for _, _, feature in indexer._phrases(tokens):
                    row = known(feature)
                    append(row if row is not None else self._add(feature, [indexer.index(feature)]))
            pointers.append(len(rows))
        return np.frombuffer(rows, dtype=np.int64), np.frombuffer(pointers, dtype=np.int64)
