"""The comment model: a lexical model and an adapted sentence encoder, stacked per head.

Why two parts. The lexical model (`classifier.model`) reads words, obfuscated slurs and hate codes
exactly and cheaply, but has no notion of what is said *about* someone. The encoder (all-MiniLM-L6-v2
with a LoRA adapter trained on the datasets, `classifier.encoder`) reads meaning: negation, a quoted
slur in counter-speech, a trope without a single rude word. Each part gives one logit per head; a
logistic regression per head, fitted on held-back rows, weighs the two and is the calibration.

Every part is linear in something per word, so a score splits exactly over the words of the
comment: the lexical part per token (see `CommentClassifier`), the encoder part per word piece, because
its logistic regression reads the *mean* of the pieces' vectors, so piece t contributes
``share_t · coef · (v_t − mean)``. Explanations are therefore the model that decided, not a proxy.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression

from classifier.encoder.base import base_encoder
from classifier.encoder.cache import shared_cache
from classifier.encoder.export import graph_key, graph_path
from classifier.encoder.runtime import EncoderSession
from classifier.head_arrays import fit_per_head, probabilities_of
from classifier.heads import HEADS
from classifier.model import CommentClassifier
from classifier.progress import encode_with_progress
from classifier.spans import Span, Word, choose_spans

ENCODER_C = 0.5
"""Regularisation of the heads on encoder vectors (inverse strength, standardised features)."""


class EnsembleClassifier(BaseEstimator):
    """Scores comments for ``hostility`` and ``slur``; scikit-learn conventions, `y` as in CommentClassifier.

    ``adapter`` maps tensor names to arrays (see `classifier.adapter_training`); empty means the plain
    base encoder. The encoder graph and the vector cache live in a folder set by `use_cache_dir`
    (not saved with the model: a bundle must not carry paths of the machine that trained it).
    """

    def __init__(self, lexicon: Mapping[str, Sequence[str]] | None = None,
                 adapter: Mapping[str, np.ndarray] | None = None, encoder_C: float = ENCODER_C) -> None:
        self.lexicon = lexicon
        self.adapter = adapter
        self.encoder_C = encoder_C

    # -- the encoder (derived, never saved) ------------------------------------------------------
    def use_cache_dir(self, folder: Path, threads: int = 1) -> EnsembleClassifier:
        """Where the encoder graph and cached vectors are kept, and how many threads the encoder uses."""
        self.__dict__["_cache_folder"] = Path(folder)
        self.__dict__["_threads"] = threads
        for name in ("_encoder_session", "_vectors"):
            self.__dict__.pop(name, None)
        return self

    def _cache_dir(self) -> Path:
        return self.__dict__.get("_cache_folder") or Path(tempfile.gettempdir()) / "moderation-encoders"

    def _session(self) -> EncoderSession:
        if "_encoder_session" not in self.__dict__:
            graph = graph_path(self._cache_dir(), dict(self.adapter or {}))
            self.__dict__["_encoder_session"] = EncoderSession(graph, threads=self.__dict__.get("_threads", 1))
        return self.__dict__["_encoder_session"]

    def _pooled(self, normalised: list[str], cache: bool) -> np.ndarray:
        if not cache:  # scoring a site's comments: nothing to remember them for
            return self._session().pooled(normalised)
        if "_vectors" not in self.__dict__:
            key = graph_key(base_encoder(), dict(self.adapter or {}))
            self.__dict__["_vectors"] = shared_cache(self._cache_dir() / f"vectors-{key}")
        # Texts not in the cache are new to this machine: a bar, since training can encode 100k of them.
        return self.__dict__["_vectors"].vectors(normalised, partial(encode_with_progress, self._session().pooled))

    def save_vectors(self) -> None:
        """Write the vectors cached so far (training calls this when done)."""
        if "_vectors" in self.__dict__:
            self.__dict__["_vectors"].save()

    def __getstate__(self) -> dict:
        # A copy: on Python 3.11 object.__getstate__ returns the instance's own __dict__, and popping from
        # it would strip the live model of its caches every time a bundle is saved.
        state = dict(super().__getstate__())
        for name in ("_cache_folder", "_threads", "_encoder_session", "_vectors"):
            state.pop(name, None)
        return state

    @property
    def encoder(self) -> dict[str, str]:
        """What the metadata records: the base encoder's package, and the adapter's graph key."""
        return {**base_encoder().describe(), "graph": graph_key(base_encoder(), dict(self.adapter or {}))}

    @property
    def params(self) -> dict[str, float | int]:
        """The settings a bundle's metadata records."""
        return {"lexical_C": self.lexical_.C, "n_features": self.lexical_.n_features, "encoder_C": self.encoder_C}

    # -- fitting ----------------------------------------------------------------------------------
    def _normalised(self, texts: Sequence[str]) -> list[str]:
        return self.lexical_.normalised(texts)

    def _encoder_logits(self, texts: Sequence[str], cache: bool) -> np.ndarray:
        return self._pooled(self._normalised(texts), cache) @ self.encoder_coef_.T + self.encoder_intercept_

    def fit(self, texts: Sequence[str], y: np.ndarray, sample_weight: np.ndarray | None = None):
        """Fit the lexical model and the encoder heads; the stack starts as their plain sum."""
        y = np.asarray(y, dtype=np.float64)
        weights = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.lexical_ = CommentClassifier(lexicon=self.lexicon).fit(texts, y, weights)
        vectors = self._pooled(self._normalised(texts), cache=True)
        self.encoder_mean_ = vectors.mean(axis=0)
        scale = vectors.std(axis=0) + 1e-6
        coef, intercept = fit_per_head(LogisticRegression(C=self.encoder_C, max_iter=3000),
                                       (vectors - self.encoder_mean_) / scale, y, weights)
        # Folded back into the raw vector space, so scoring and explaining need no standardising step.
        self.encoder_coef_ = coef / scale
        self.encoder_intercept_ = intercept - self.encoder_coef_ @ self.encoder_mean_
        self.stack_ = np.tile([1.0, 1.0, 0.0], (len(HEADS), 1))
        return self

    def _parts(self, texts: Sequence[str], cache: bool) -> np.ndarray:
        """``(n, heads, 2)``: the lexical and the encoder logit of every head."""
        return np.stack([self.lexical_.decision_function(texts), self._encoder_logits(texts, cache)], axis=-1)

    def calibrate(self, texts: Sequence[str], y: np.ndarray, sample_weight: np.ndarray | None = None):
        """Fit the stack on held-out rows: per head, how much each part counts, and the calibration."""
        y = np.asarray(y, dtype=np.float64)
        weights = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        parts = self._parts(texts, cache=True)
        coef, intercept = fit_per_head(LogisticRegression(C=1e4), [parts[:, c] for c in range(len(HEADS))],
                                       y, weights)
        self.stack_ = np.column_stack([coef, intercept])
        return self

    # -- scoring ----------------------------------------------------------------------------------
    def decision_function(self, texts: Sequence[str], cache: bool = False) -> np.ndarray:
        """Stacked logits, ``(n, heads)``; ``cache``: keep the texts' vectors (texts that will be seen again,
        such as the datasets' test split in retraining's gate)."""
        parts = self._parts(texts, cache)
        return (parts * self.stack_[:, :2]).sum(axis=-1) + self.stack_[:, 2]

    def predict_proba(self, texts: Sequence[str], cache: bool = False) -> np.ndarray:
        """Calibrated probabilities, ``(n, heads)`` in HEADS order (hostility never below slur)."""
        return probabilities_of(self.decision_function(texts, cache))

    def words(self, text: str) -> tuple[np.ndarray, list[Word]]:
        """Stacked logits of one text and each word's exact share of them."""
        norm, located, lexical_logits, per_token = self.lexical_.token_logits(text)
        states = self._session().token_states(norm.text)
        pieces = (states.vectors - self.encoder_mean_) @ self.encoder_coef_.T * states.shares[:, None]
        encoder_logits = states.shares @ states.vectors @ self.encoder_coef_.T + self.encoder_intercept_
        per_piece = np.zeros((len(located), len(HEADS)))
        starts = np.array([begin for _, begin, _ in located])
        for (begin, end), contribution in zip(states.offsets, pieces, strict=True):
            if end > begin and len(starts):
                token = int(np.searchsorted(starts, begin, side="right")) - 1
                if token >= 0 and begin < located[token][2]:
                    per_piece[token] += contribution  # punctuation outside every token explains nothing
        lexical_weight, encoder_weight = self.stack_[:, 0], self.stack_[:, 1]
        logits = lexical_weight * lexical_logits + encoder_weight * encoder_logits + self.stack_[:, 2]
        contributions = lexical_weight * per_token + encoder_weight * per_piece
        words = [Word(*norm.to_original(begin, end), form, contributions[index])
                 for index, (form, begin, end) in enumerate(located)]
        return logits, words

    def explain(self, text: str, heads: Sequence[str] = HEADS) -> tuple[np.ndarray, list[Span]]:
        """Scores of one text and the spans that drove the ``heads`` asked for."""
        logits, words = self.words(text)
        probabilities = probabilities_of(logits)
        return probabilities, choose_spans(words, probabilities, [(HEADS.index(h), h) for h in heads])
