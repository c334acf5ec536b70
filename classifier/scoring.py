"""Scoring with a loaded bundle: scores, the flag decision at given thresholds, and explanation spans.

This is the classifier's public face for the CLI, the worker and the synchronous API alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from classifier.bundle import Bundle
from classifier.datasets.examples import HEADS
from classifier.ensemble import EnsembleClassifier
from classifier.head_arrays import apply_floors, probabilities_of
from classifier.model import SPAN_MIN_PROBABILITY
from classifier.names import (  # noqa: F401  (re-exported: the name rules' scores)
    NAME_AMBIGUOUS_PAIR_SCORE,
    NAME_SLUR_SCORE,
    NAME_SYMBOL_SCORE,
    NameMatch,
    match_name,
    name_parts,
)
from classifier.spans import Span, choose_spans


@dataclass(frozen=True, slots=True)
class Score:
    """One comment's verdict: a score per head (``HEADS``), the flag at the scorer's thresholds, the spans."""

    scores: Mapping[str, float]
    flagged: bool
    spans: tuple[Span, ...]

    @property
    def hostility(self) -> float:
        """The hostility head's score."""
        return self.scores["hostility"]

    @property
    def slur(self) -> float:
        """The slur head's score."""
        return self.scores["slur"]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form: one key per head, then ``"flagged"`` and ``"spans"``."""
        return {
            **{head: round(self.scores[head], 4) for head in HEADS},
            "flagged": self.flagged,
            "spans": [span.as_dict() for span in self.spans],
        }


def _per_head(probabilities: np.ndarray) -> dict[str, float]:
    return {head: float(probabilities[column]) for column, head in enumerate(HEADS)}


EXPLAIN_FROM = 0.5
"""A comment that is not held still gets spans for a head at half its threshold or more (the analyze
API and Perspective's span scores show them); below that there is nothing worth pointing at."""


@dataclass(frozen=True, slots=True)
class NameScore(Score):
    """A display name's scores, and what in it matched the word lists (None when nothing did)."""

    match: NameMatch | None = None


class Scorer:
    """Scores texts with one bundle; thresholds default to the ones its training report chose."""

    def __init__(self, bundle: Bundle, thresholds: Mapping[str, float] | None = None) -> None:
        self.bundle = bundle
        self.thresholds = {**bundle.thresholds, **(thresholds or {})}

    @property
    def version(self) -> str:
        """Version of the bundle in use."""
        return self.bundle.version

    def _flagged(self, scores: Mapping[str, float]) -> bool:
        return any(scores[head] >= self.thresholds[head] for head in HEADS)

    def _explained_heads(self, probabilities: np.ndarray) -> list[tuple[int, str]]:
        """Which heads' spans to show: of a held comment, the heads that held it; else those near theirs."""
        over = [(c, h) for c, h in enumerate(HEADS) if probabilities[c] >= self.thresholds[h]]
        if over:
            return over
        return [(c, h) for c, h in enumerate(HEADS)
                if probabilities[c] >= max(SPAN_MIN_PROBABILITY, EXPLAIN_FROM * self.thresholds[h])]

    def score(self, text: str) -> Score:
        """Scores and spans of one text (spans of the model that decided, see `_explained_heads`)."""
        logits, words = self.bundle.model.words(text)
        probabilities = probabilities_of(logits)  # a slur is a kind of hostility
        spans = choose_spans(words, probabilities, self._explained_heads(probabilities))
        scores = _per_head(probabilities)
        return Score(scores, self._flagged(scores), tuple(spans))

    def score_name(self, name: str) -> NameScore:
        """Scores of an author's display name from the word lists alone (`classifier.names`), with what
        matched and why (``match``; None for an ordinary name, which scores 0 on every head)."""
        match = match_name(name, self.bundle.model.lexicon or {})
        probabilities = np.zeros(len(HEADS))
        probabilities[HEADS.index("slur")] = match.score if match is not None else 0.0
        scores = _per_head(apply_floors(probabilities))  # a slur in a name is hostile too
        return NameScore(scores, self._flagged(scores), (), match)

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        """Scores of many texts; spans are worked out only where a score calls for them.

        With an encoder in the model each text costs one encoder run either way, and `score` gets the
        spans from that same run, so every text goes through it; a lexical-only model scores the batch
        at once and explains only the texts that need it.
        """
        if isinstance(self.bundle.model, EnsembleClassifier):
            return [self.score(text) for text in texts]
        probabilities = self.bundle.model.predict_proba(list(texts))
        results = []
        for text, row in zip(texts, probabilities, strict=True):
            if self._explained_heads(row):
                results.append(self.score(text))
            else:
                scores = _per_head(row)
                results.append(Score(scores, self._flagged(scores), ()))
        return results

