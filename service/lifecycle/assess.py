"""Scoring a text against the policy: the one place a score becomes "held for", "rejected for" and a ScoreResult.

The worker's scoring task, rescoring, the synchronous analysis endpoint, Perspective's and Coral's endpoints all
score here, with the thresholds in force for the model that scores (configuration first, see policy_for), so a
text is judged by the same numbers wherever it is judged. No Flask or Celery here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from classifier import NameScore, Score, Scorer
from service.config import Settings
from service.lifecycle.policy import Policy, policy_for


@dataclass(frozen=True)
class ScoreResult:
    """What the worker learned about a comment, as the transitions store it."""

    scores: Mapping[str, float]
    """The text's score per head (classifier.HEADS)."""
    spans: Sequence[Mapping[str, object]]
    name_scores: Mapping[str, float]
    """The author's display name's score per head, by the classifier's name rules."""
    model_version: str
    name_match: Mapping[str, str] | None = None
    """Which part of the display name the name rules matched and why (see :func:`name_match`), or None."""


@dataclass(frozen=True)
class Assessment:
    """One text scored by one model, and the policy in force for that model."""

    score: Score
    version: str
    policy: Policy
    name: NameScore | None = None
    """The author's display name, scored by the name rules (when an author was given)."""
    name_match: Mapping[str, str] | None = None
    """What in the name scored (only where it scored at all)."""

    @property
    def scores(self) -> dict[str, float]:
        """The text's score per category (one per head)."""
        return dict(self.score.scores)

    @property
    def held(self) -> list[str]:
        """Categories whose score reaches the hold threshold (the text alone; the name is the transitions')."""
        return self.policy.over(self.scores, self.policy.hold)

    @property
    def rejected(self) -> list[str]:
        """Categories whose score reaches the auto-reject threshold (none unless configured)."""
        return self.policy.over(self.scores, self.policy.reject)

    def result(self) -> ScoreResult:
        """What record_score and rescore_held store (needs the author's name: assessed with one)."""
        if self.name is None:
            raise ValueError("a ScoreResult needs the author's name: assess the comment with it")
        return ScoreResult(
            scores=dict(self.score.scores), spans=[span.as_dict() for span in self.score.spans],
            name_scores=dict(self.name.scores), model_version=self.version, name_match=self.name_match,
        )


def name_match(scored: NameScore) -> dict[str, str] | None:
    """The part of a display name that gave it its score, as ``{"part", "why"}``, or None when it scored nothing.

    The classifier's name rules say what they matched (``Scorer.score_name``'s ``match``): the name is
    asked once, never again part by part.
    """
    return scored.match.as_dict() if scored.match is not None else None


def assess(scorer: Scorer, settings: Settings, text: str, author_name: str | None = None) -> Assessment:
    """Score ``text`` (and its author's display name, when given) with ``scorer``, judged by ``settings``' policy."""
    name = scorer.score_name(author_name) if author_name is not None else None
    match = name_match(name) if name is not None else None
    return Assessment(scorer.score(text), scorer.version, policy_for(settings, scorer.thresholds), name, match)


def assess_many(scorer: Scorer, settings: Settings, texts: Sequence[str],
                author_names: Sequence[str]) -> list[Assessment]:
    """The same for a batch in one pass (spans only where a score calls for them: Scorer.score_many)."""
    policy = policy_for(settings, scorer.thresholds)
    names = [scorer.score_name(name) for name in author_names]
    return [Assessment(score, scorer.version, policy, name, name_match(name))
            for score, name in zip(scorer.score_many(texts), names, strict=True)]
