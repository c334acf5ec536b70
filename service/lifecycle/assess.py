"""Scoring a text against the policy: the one place a score becomes "held for", "rejected for" and a ScoreResult.

The worker's scoring task, rescoring, the synchronous analysis endpoint, Perspective's and Coral's endpoints all
score here, with the thresholds in force for the model that scores (configuration first, see policy_for), so a
text is judged by the same numbers wherever it is judged. No Flask or Celery here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from classifier.scoring import NAME_AMBIGUOUS_PAIR_SCORE, NAME_SLUR_SCORE, NAME_SYMBOL_SCORE, Score, Scorer, name_parts
from classifier.words import words
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
    name: Score | None = None
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


NAME_WHY = {NAME_SYMBOL_SCORE: "hate symbol", NAME_SLUR_SCORE: "slur", NAME_AMBIGUOUS_PAIR_SCORE: "hate codes together"}
"""What each score of the classifier's name rules means, in a moderator's words."""
_RUNS = re.compile(r"[^\W\d_]+|\d+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_MAX_PARTS = 16
"""Parts of a name tried in pairs (a display name is short; this bounds the work for a long one)."""


def name_match(scorer: Scorer, name: str, scored: Score) -> dict[str, str] | None:
    """The part of ``name`` that gave it its score, as ``{"part", "why"}``, or None when it scored nothing.

    The classifier's name rules give a score, not a reason, so this asks them again, part by part (the name's
    own letter and digit runs and camelCase pieces first, so the moderator sees the name as written, then its
    normalised words, then pairs of parts for two codes that only count together): the first part that
    scores as much as the whole name is what matched. Only the public ``score_name`` is used, so this stays
    true to whatever the rules are.
    """
    score = max(scored.hostility, scored.slur)
    if score <= 0:
        return None
    runs = [piece for run in _RUNS.findall(name) for piece in (run, *_CAMEL.sub(" ", run).split())]
    parts = list(dict.fromkeys([*runs, *name_parts(words(name))]))[:_MAX_PARTS]
    candidates = [*parts, *(f"{a} {b}" for a, b in combinations(parts, 2))]
    part = next((c for c in candidates if max((s := scorer.score_name(c)).hostility, s.slur) >= score), name)
    return {"part": part, "why": NAME_WHY.get(score, f"name rules {score:.2f}")}


def assess(scorer: Scorer, settings: Settings, text: str, author_name: str | None = None) -> Assessment:
    """Score ``text`` (and its author's display name, when given) with ``scorer``, judged by ``settings``' policy."""
    name = scorer.score_name(author_name) if author_name is not None else None
    match = name_match(scorer, author_name, name) if author_name is not None and name is not None else None
    return Assessment(scorer.score(text), scorer.version, policy_for(settings, scorer.thresholds), name, match)


def assess_many(scorer: Scorer, settings: Settings, texts: Sequence[str],
                author_names: Sequence[str]) -> list[Assessment]:
    """The same for a batch in one pass (spans only where a score calls for them: Scorer.score_many)."""
    policy = policy_for(settings, scorer.thresholds)
    names = [scorer.score_name(name) for name in author_names]
    return [Assessment(score, scorer.version, policy, name, name_match(scorer, author, name))
            for score, name, author in zip(scorer.score_many(texts), names, author_names, strict=True)]
