"""The comment classifier: hashed text features, one logistic regression per head, Platt calibration.

Why this shape: a linear model over sublinear TF-IDF features is fast on one CPU core, trains in
seconds, and its logit is a sum over features, so every score can be explained exactly by the
character spans whose features contributed to it. Hashing (instead of a vocabulary) keeps the bundle
a few plain arrays that load in milliseconds and never grow with the training data.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from classifier.datasets.examples import HEADS
from classifier.features import FeatureIndexer
from classifier.normalize import normalize, tokenize

SPAN_MIN_SHARE = 0.12
"""A token is named as a reason only if it carries at least this share of the positive evidence."""
SPAN_MIN_PROBABILITY = 0.2
"""Below this score there is nothing to explain; listing "reasons" for a clean comment misleads."""


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the original text that drove one head's score."""

    label: str
    begin: int
    end: int
    score: float

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form: ``{"label", "begin", "end", "score"}``."""
        return {"label": self.label, "begin": self.begin, "end": self.end, "score": round(self.score, 4)}


def _tokens(text: str) -> list[str]:
    return [token for token, _, _ in tokenize(normalize(text).text)]


class CommentClassifier(BaseEstimator):
    """Scores comments for ``hostility`` and ``slur``; follows scikit-learn's estimator conventions.

    ``y`` is an ``(n, 2)`` array in HEADS order whose entries are 1, 0 or NaN (the source says
    nothing about that head: the row is left out of that head's fit).
    """

    def __init__(
        self,
        n_features: int = 2**20,
        C: float = 1.0,
        lexicon: Mapping[str, Sequence[str]] | None = None,
        max_iter: int = 2000,
    ) -> None:
        self.n_features = n_features
        self.C = C
        self.lexicon = lexicon
        self.max_iter = max_iter

    # -- features -----------------------------------------------------------------------------------
    def _indexer(self) -> FeatureIndexer:
        # Built on first use and never persisted (see __getstate__): it is a cache, not model state.
        indexer = self.__dict__.get("_feature_indexer")
        if indexer is None:
            indexer = FeatureIndexer(self.n_features, self.lexicon)
            self.__dict__["_feature_indexer"] = indexer
        return indexer

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_feature_indexer", None)
        return state

    def _counts(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self._token_counts(_tokens(text) for text in texts)

    def _token_counts(self, documents: Iterable[Sequence[str]]) -> sparse.csr_matrix:
        """Raw feature counts, one row per tokenised document."""
        indexer = self._indexer()
        columns = array("q")
        pointers = [0]
        for tokens in documents:
            columns.extend(indexer.document_indices(tokens))
            pointers.append(len(columns))
        indices = np.frombuffer(columns, dtype=np.int64) if columns else np.zeros(0, dtype=np.int64)
        counts = sparse.csr_matrix(
            (np.ones(len(indices)), indices, np.asarray(pointers, dtype=np.int64)),
            shape=(len(pointers) - 1, self.n_features),
        )
        counts.sum_duplicates()
        return counts

    def _weigh(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        """Sublinear TF times IDF, rows scaled to unit length."""
        weighted = counts.astype(np.float64, copy=True)
        np.log(weighted.data, out=weighted.data)
        weighted.data += 1.0
        weighted = weighted.multiply(self.idf_).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ weighted

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The feature matrix the linear heads see."""
        return self._weigh(self._counts(texts))

    # -- fitting ------------------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: np.ndarray, sample_weight: np.ndarray | None = None):
        """Fit IDF on all texts and one logistic regression per head on the rows labelled for it."""
        y = np.asarray(y, dtype=np.float64)
        weights = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        counts = self._counts(texts)
        document_frequency = np.bincount(counts.indices, minlength=self.n_features)
        self.idf_ = (np.log((1 + counts.shape[0]) / (1 + document_frequency)) + 1.0).astype(np.float64)
        features = self._weigh(counts)
        self.coef_ = np.zeros((len(HEADS), self.n_features))
        self.intercept_ = np.zeros(len(HEADS))
        for column in range(len(HEADS)):
            known = ~np.isnan(y[:, column])
            head = LogisticRegression(C=self.C, solver="liblinear", max_iter=self.max_iter)
            head.fit(features[known], y[known, column].astype(int), sample_weight=weights[known, column])
            self.coef_[column] = head.coef_.ravel()
            self.intercept_[column] = head.intercept_[0]
        self.calibration_ = np.tile([1.0, 0.0], (len(HEADS), 1))
        return self

    def calibrate(self, texts: Sequence[str], y: np.ndarray, sample_weight: np.ndarray | None = None):
        """Platt-scale each head's logit on held-out rows, so scores read as probabilities."""
        y = np.asarray(y, dtype=np.float64)
        weights = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        logits = self.decision_function(texts)
        for column in range(len(HEADS)):
            known = ~np.isnan(y[:, column])
            platt = LogisticRegression(C=1e4)
            platt.fit(logits[known, column : column + 1], y[known, column].astype(int),
                      sample_weight=weights[known, column])
            self.calibration_[column] = (platt.coef_[0, 0], platt.intercept_[0])
        return self

    # -- scoring ------------------------------------------------------------------------------------
    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated logits, ``(n, 2)``."""
        return np.asarray(self.transform(texts) @ self.coef_.T) + self.intercept_

    def _calibrated(self, logits: np.ndarray) -> np.ndarray:
        scaled = logits * self.calibration_[:, 0] + self.calibration_[:, 1]
        return 1.0 / (1.0 + np.exp(-scaled))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, ``(n, 2)`` in HEADS order."""
        return self._calibrated(self.decision_function(texts))

    def _token_logits(self, text: str):
        """Normalised form, located tokens, document logits and per-token logit contributions."""
        norm = normalize(text)
        located = tokenize(norm.text)
        tokens = [token for token, _, _ in located]
        counts = self._token_counts([tokens])
        columns = counts.indices
        # The document's weighted vector, computed on its own few columns (no dense temporaries).
        weighted = (1.0 + np.log(counts.data)) * self.idf_[columns]
        norm_length = float(np.sqrt(weighted @ weighted)) or 1.0
        weighted /= norm_length
        coefficients = self.coef_[:, columns]  # (heads, k)
        logits = coefficients @ weighted + self.intercept_
        if not tokens:
            return norm, located, logits, np.zeros((0, len(HEADS)))
        position = {column: index for index, column in enumerate(columns)}
        token_rows = self._indexer().token_rows(tokens)
        shares = np.zeros((len(tokens), len(columns)))
        for row_index, row in enumerate(token_rows):
            for column, share in row.items():
                shares[row_index, position[column]] = share
        # Value of one unit of each feature in this document: its weighted value over its raw count.
        unit = weighted / counts.data
        return norm, located, logits, shares @ (unit[:, None] * coefficients.T)

    def contributions(self, text: str) -> list[tuple[int, int, np.ndarray]]:
        """Per token: original ``(begin, end)`` and its exact contribution to each head's logit."""
        norm, located, _, per_token = self._token_logits(text)
        return [(*norm.to_original(begin, end), per_token[index]) for index, (_, begin, end) in enumerate(located)]

    def explain(self, text: str) -> tuple[np.ndarray, list[Span]]:
        """Scores of one text and the spans of the original text that drove each head's score.

        A token's contribution to a head's logit is exact: the document vector is the sum of the
        tokens' feature rows, so each feature's weight is split between the tokens that own it. A
        span's score is the head's probability times the token's share of the positive evidence.
        """
        norm, located, logits, per_token = self._token_logits(text)
        scores = self._calibrated(logits)
        spans = []
        for column, head in enumerate(HEADS):
            if scores[column] < SPAN_MIN_PROBABILITY or not located:
                continue
            contributions = per_token[:, column]
            positive = contributions[contributions > 0].sum()
            if positive <= 0:
                continue
            for (_, begin, end), share in zip(located, contributions / positive, strict=True):
                if share >= SPAN_MIN_SHARE:
                    original_begin, original_end = norm.to_original(begin, end)
                    spans.append(Span(head, original_begin, original_end, float(share * scores[column])))
        return scores, spans
