"""The comment classifier: hashed text features, one logistic regression per head, Platt calibration.

Why this shape: a linear model over sublinear TF-IDF features is fast on one CPU core, trains in
seconds, and its logit is a sum over features, so every score can be explained exactly by the
character spans whose features contributed to it. Hashing (instead of a vocabulary) keeps the bundle
a few plain arrays that load in milliseconds and never grow with the training data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from classifier.features import FeatureIndexer, segment_sums
from classifier.head_arrays import fit_per_head, probabilities_of
from classifier.heads import HEADS
from classifier.normalize import normalize, tokenize
from classifier.spans import Span, Word, choose_spans
from classifier.weight_table import WeightTable
from classifier.words import words

SPAN_MIN_PROBABILITY = 0.2
"""Below this score there is nothing to explain; listing "reasons" for a clean comment misleads."""


_EMPTY = 1e-12
"""Added to norms so an empty comment (no tokens) scores the intercept instead of dividing by zero."""


def _labels_and_weights(y: np.ndarray, sample_weight: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Labels as floats (NaN = unknown) and per-row, per-head weights (1 where none are given)."""
    y = np.asarray(y, dtype=np.float64)
    return y, np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)


class CommentClassifier(BaseEstimator):
    """Scores comments for every head (``HEADS``); follows scikit-learn's estimator conventions.

    ``y`` is an ``(n, heads)`` array in HEADS order whose entries are 1, 0 or NaN (the source says
    nothing about that head: the row is left out of that head's fit).
    """

    def __init__(
        self,
        n_features: int = 2**20,
        C: float = 2.0,
        lexicon: Mapping[str, Sequence[str]] | None = None,
        max_iter: int = 2000,
    ) -> None:
        self.n_features = n_features
        self.C = C
        self.lexicon = lexicon
        self.max_iter = max_iter

    # -- features -----------------------------------------------------------------------------------
    # A document's features are its feature *occurrences* (a column may occur several times). Each
    # occurrence of column f is worth idf[f] / norm, where norm = sqrt(sum of idf² over occurrences).
    # That is TF-IDF with an occurrence-level length normalisation; unlike a deduplicated L2 norm it
    # lets scoring run as one gather and one segmented sum in numpy, with no sparse matrix to build.

    def _cache(self, name: str, build):
        # Derived data built on first use and never persisted (see __getstate__): caches, not state.
        value = self.__dict__.get(name)
        if value is None:
            value = build()
            self.__dict__[name] = value
        return value

    def _indexer(self) -> FeatureIndexer:
        return self._cache("_feature_indexer", lambda: FeatureIndexer(self.n_features, self.lexicon))

    def _scoring_weights(self) -> tuple[np.ndarray, np.ndarray]:
        """(coef·idf as an (n_features, heads) array, idf²): everything scoring reads per occurrence."""
        return self._cache(
            "_weights", lambda: (np.ascontiguousarray((self.coef_ * self.idf_).T), self.idf_**2)
        )

    def __getstate__(self) -> dict:
        # A copy: on Python 3.11 object.__getstate__ returns the instance's own __dict__, and popping from
        # it would strip the live model of its caches every time a bundle is saved.
        state = dict(super().__getstate__())
        for name in ("_feature_indexer", "_weights", "_weight_table"):
            state.pop(name, None)
        return state

    def _occurrences(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Feature columns of all texts, concatenated, and the offsets where each text's run starts."""
        return self._indexer().batch([words(text) for text in texts])

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The feature matrix the linear heads see (duplicates summed)."""
        return self._matrix(*self._occurrences(texts))

    def _matrix(self, columns: np.ndarray, pointers: np.ndarray) -> sparse.csr_matrix:
        """Occurrence values idf / sqrt(Σ idf² of the document), duplicates summed."""
        norms = np.sqrt(segment_sums(self.idf_[columns] ** 2, pointers)) + _EMPTY
        values = self.idf_[columns] / np.repeat(norms, np.diff(pointers))
        matrix = sparse.csr_matrix((values, columns, pointers), shape=(len(pointers) - 1, self.n_features))
        matrix.sum_duplicates()
        return matrix

    # -- fitting ------------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: np.ndarray, sample_weight: np.ndarray | None = None):
        """Fit IDF on all texts and one logistic regression per head on the rows labelled for it."""
        self.__dict__.pop("_weights", None)
        self.__dict__.pop("_weight_table", None)
        y, weights = _labels_and_weights(y, sample_weight)
        columns, pointers = self._occurrences(texts)
        present = sparse.csr_matrix(
            (np.ones(len(columns)), columns, pointers), shape=(len(pointers) - 1, self.n_features)
        )
        present.sum_duplicates()
        document_frequency = np.bincount(present.indices, minlength=self.n_features)
        self.idf_ = np.log((1 + present.shape[0]) / (1 + document_frequency)) + 1.0
        features = self._matrix(columns, pointers)
        self.coef_, self.intercept_ = fit_per_head(
            LogisticRegression(C=self.C, solver="liblinear", max_iter=self.max_iter), features, y, weights)
        self.calibration_ = np.tile([1.0, 0.0], (len(HEADS), 1))
        return self

    def calibrate(self, texts: Sequence[str], y: np.ndarray, sample_weight: np.ndarray | None = None):
        """Platt-scale each head's logit on held-out rows, so scores read as probabilities."""
        y, weights = _labels_and_weights(y, sample_weight)
        logits = self.decision_function(texts)
        slopes, offsets = fit_per_head(LogisticRegression(C=1e4), [logits[:, [c]] for c in range(len(HEADS))],
                                       y, weights)
        self.calibration_ = np.column_stack([slopes[:, 0], offsets])
        return self

    # -- scoring ------------------------------------------------------------------------------------
    def _table(self) -> WeightTable:
        weights, idf_squared = self._scoring_weights()
        return self._cache("_weight_table", lambda: WeightTable(self._indexer(), weights, idf_squared))

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated logits, ``(n, heads)``."""
        sums = self._table().sums(texts)
        return sums[:, :-1] / (np.sqrt(sums[:, -1]) + _EMPTY)[:, None] + self.intercept_

    def _calibrated(self, logits: np.ndarray) -> np.ndarray:
        scaled = logits * self.calibration_[:, 0] + self.calibration_[:, 1]
        # A slur is a kind of hostility, so P(hostile) is never below P(slur) (`heads.apply_floors`); the
        # hostility head alone under-reads group hatred that comes without insults or profanity.
        return probabilities_of(scaled)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, ``(n, heads)`` in HEADS order."""
        return self._calibrated(self.decision_function(texts))

    def normalised(self, texts: Sequence[str]) -> list[str]:
        """The texts as the model reads them (`normalize`): what the encoder is given too."""
        return [normalize(text).text for text in texts]

    def token_logits(self, text: str):
        """Normalised form, located tokens, document logits and per-token logit contributions."""
        norm = normalize(text)
        located = tokenize(norm.text)
        tokens = [token for token, _, _ in located]
        weights, idf_squared = self._scoring_weights()
        columns = np.frombuffer(self._indexer().document_indices(tokens), dtype=np.int64)
        length = float(np.sqrt(idf_squared[columns].sum())) + _EMPTY
        logits = weights[columns].sum(axis=0) / length + self.intercept_
        per_token = np.zeros((len(tokens), len(HEADS)))
        for index, row in enumerate(self._indexer().token_rows(tokens)):
            row_columns = np.fromiter(row.keys(), dtype=np.int64, count=len(row))
            shares = np.fromiter(row.values(), dtype=np.float64, count=len(row))
            per_token[index] = shares @ weights[row_columns] / length
        return norm, located, logits, per_token

    def contributions(self, text: str) -> list[tuple[int, int, np.ndarray]]:
        """Per token: original ``(begin, end)`` and its exact contribution to each head's logit."""
        norm, located, _, per_token = self.token_logits(text)
        return [(*norm.to_original(begin, end), per_token[index]) for index, (_, begin, end) in enumerate(located)]

    def words(self, text: str) -> tuple[np.ndarray, list[Word]]:
        """Calibrated logits of one text and each word's exact share of them.

        The document vector is the sum of the tokens' feature rows, so each feature's weight is split
        between the tokens that own it; calibration scales every share by the head's slope.
        """
        norm, located, logits, per_token = self.token_logits(text)
        slope, offset = self.calibration_[:, 0], self.calibration_[:, 1]
        words = [Word(*norm.to_original(begin, end), form, per_token[index] * slope)
                 for index, (form, begin, end) in enumerate(located)]
        return logits * slope + offset, words

    def explain(self, text: str) -> tuple[np.ndarray, list[Span]]:
        """Scores of one text and the spans that drove each head scoring at least SPAN_MIN_PROBABILITY."""
        logits, words = self.words(text)
        scores = probabilities_of(logits)
        heads = [(column, head) for column, head in enumerate(HEADS) if scores[column] >= SPAN_MIN_PROBABILITY]
        return scores, choose_spans(words, scores, heads)
