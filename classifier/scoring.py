"""Scoring with a loaded bundle: scores, the flag decision at given thresholds, and explanation spans.

This is the classifier's public face for the CLI, the worker and the synchronous API alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from classifier.bundle import Bundle
from classifier.datasets.examples import HEADS
from classifier.ensemble import EnsembleClassifier
from classifier.heads import probabilities_of
from classifier.lexicon import AMBIGUOUS_SYMBOL
from classifier.model import SPAN_MIN_PROBABILITY
from classifier.spans import Span, choose_spans
from classifier.words import words


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
NAME_SYMBOL_SCORE = 0.99
"""Slur score of a display name holding an unambiguous hate symbol ("1488", "kkk", "rahowa")."""
NAME_SLUR_SCORE = 0.95
"""Slur score of a display name holding a strong ethnic, religious or anti-LGBT slur from the word lists."""
NAME_AMBIGUOUS_PAIR_SCORE = 0.9
"""Two ambiguous codes together ("14" and "88") read as one symbol."""
_STRONG_SLUR_TAGS = frozenset(("surge:racial / ethnic slurs:strong", "surge:racial / ethnic slurs:severe",
                     "surge:sexual orientation / gender:severe", "surge:religious offense:severe"))
_NAME_PARTS = re.compile(r"[^\W\d_]+|\d+")
_CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")


def name_parts(tokens: Sequence[str]) -> list[str]:
    """Tokens split into letter runs and digit runs: "whiteboy1488" → "whiteboy", "1488"."""
    return [part for token in tokens for part in _NAME_PARTS.findall(token)]


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

    def score_name(self, name: str) -> Score:
        """Scores of an author's display name, from the word lists alone.

        A name is not a comment, and the model, trained on comments, misreads names both ways: it
        scores "Dave" or "Ahmed" as fairly hostile and "Gay Muslim" as a slur, while hate codes such as
        "1488" or "WPWW" look like nothing to it. So a name scores NAME_SYMBOL_SCORE when any part of it
        (camelCase, letter runs and digit runs split apart: "WhiteBoy1488" → white, boy, 1488) is an
        unambiguous hate symbol, NAME_SLUR_SCORE for a strong slur, NAME_AMBIGUOUS_PAIR_SCORE for two
        ambiguous codes together ("14" and "88"), and 0 otherwise.
        """
        lexicon = self.bundle.model.lexicon or {}
        parts = name_parts(words(name))
        split = name_parts(words(_CAMEL_CASE.sub(" ", name)))  # "ZogWatcher", but "RaHoWa" must stay whole
        candidates = [*parts, *split, *(f"{a} {b}" for tokens in (parts, split) for a, b in pairwise(tokens))]
        tags = {tag for candidate in candidates for tag in lexicon.get(candidate, ())}
        slur = 0.0
        if any(tag.startswith("hate_symbol:") and tag != AMBIGUOUS_SYMBOL for tag in tags):
            slur = NAME_SYMBOL_SCORE
        elif tags & _STRONG_SLUR_TAGS:
            slur = NAME_SLUR_SCORE
        elif sum(AMBIGUOUS_SYMBOL in lexicon.get(part, ()) for part in parts) >= 2:
            slur = NAME_AMBIGUOUS_PAIR_SCORE
        scores = dict.fromkeys(HEADS, 0.0) | {"slur": slur, "hostility": slur}
        return Score(scores, self._flagged(scores), ())

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

