"""Scoring with a loaded bundle: scores, the flag decision at given thresholds, and explanation spans.

This is the classifier's public face for the CLI, the worker and the synchronous API alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from classifier.bundle import Bundle
from classifier.datasets.examples import HEADS
from classifier.model import SPAN_MIN_PROBABILITY, Span


@dataclass(frozen=True, slots=True)
class Score:
    """One comment's verdict."""

    hostility: float
    slur: float
    flagged: bool
    spans: tuple[Span, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form: ``{"hostility", "slur", "flagged", "spans"}``."""
        return {
            "hostility": round(self.hostility, 4),
            "slur": round(self.slur, 4),
            "flagged": self.flagged,
            "spans": [span.as_dict() for span in self.spans],
        }


class Scorer:
    """Scores texts with one bundle; thresholds default to the ones its training report chose."""

    def __init__(self, bundle: Bundle, thresholds: Mapping[str, float] | None = None) -> None:
        self.bundle = bundle
        self.thresholds = {**bundle.thresholds, **(thresholds or {})}

    @property
    def version(self) -> str:
        """Version of the bundle in use."""
        return self.bundle.version

    def _flagged(self, hostility: float, slur: float) -> bool:
        return hostility >= self.thresholds["hostility"] or slur >= self.thresholds["slur"]

    def score(self, text: str) -> Score:
        """Scores and spans of one text."""
        scores, spans = self.bundle.model.explain(text)
        hostility, slur = float(scores[HEADS.index("hostility")]), float(scores[HEADS.index("slur")])
        return Score(hostility, slur, self._flagged(hostility, slur), tuple(spans))

    def score_many(self, texts: Sequence[str]) -> list[Score]:
        """Scores of many texts in one pass; spans are worked out only where a score calls for them."""
        probabilities = self.bundle.model.predict_proba(list(texts))
        results = []
        for text, row in zip(texts, probabilities, strict=True):
            if row.max() >= SPAN_MIN_PROBABILITY:
                results.append(self.score(text))
            else:
                hostility, slur = float(row[HEADS.index("hostility")]), float(row[HEADS.index("slur")])
                results.append(Score(hostility, slur, self._flagged(hostility, slur), ()))
        return results

