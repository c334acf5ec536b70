"""Policy: the thresholds that turn scores into a status, and which ones are in force.

The operator's configuration comes first, the model's own choice otherwise. The worker (scoring), the web
app (decisions, analysis, Coral) and rescoring all build their Policy here, so a comment is judged by the
same numbers wherever it is judged. Thresholds are policy, not part of the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from classifier import HEADS
from service.config import HEAD_VARIABLES, ConfigError, Settings, head_variable
from service.infra.models import Comment, ModelVersion
from service.lifecycle.registry import active_version

CATEGORIES: tuple[str, ...] = HEADS
"""The classifier's heads (classifier/heads.py, in the model's order): what a comment is held for, and the labels
a moderator can give."""
ACTIONS = ("approve", "reject")
"""What a moderator can do with a held comment."""
REVERT = "revert"
"""The audit action of a moderator taking a decision back (the comment is held again)."""
AUDIT_ACTIONS = (*ACTIONS, REVERT)
"""Every action the audit log records."""


@dataclass(frozen=True)
class Policy:
    """Thresholds that turn scores into a status."""

    hold: Mapping[str, float | None]
    reject: Mapping[str, float | None] = field(default_factory=dict)
    hold_name: float = 0.9
    """Display names are held on their own threshold: the comment thresholds do not transfer to them."""
    reports_to_hold: int = 3
    """Distinct reporters whose reports hold a comment (MODERATION_REPORTS_TO_HOLD)."""
    report_score_fraction: float = 0.5
    """One report holds a comment scored at or over this fraction of a hold threshold
    (MODERATION_REPORT_SCORE_FRACTION)."""

    def holds_name(self, name_scores: Mapping[str, float]) -> bool:
        """Whether an author's display name, scored by the classifier's name rules, holds the comment."""
        return max((name_scores.get(c) or 0.0 for c in CATEGORIES), default=0.0) >= self.hold_name

    def reports_hold(self, scores: Mapping[str, float | None], reporters: int, trusted: bool) -> str | None:
        """Why the reports on a comment hold it, or None: they do not (yet).

        "moderator": a moderator reported it (a trusted reporter holds at once); "reporters": ``reporters``
        distinct reporters reached ``reports_to_hold``; "score": at least one report, and one of the comment's
        scores is "high", at or over ``report_score_fraction`` times that category's hold threshold (a category
        without a threshold, or a comment not scored yet, is never high).
        """
        if reporters < 1:
            return None
        if trusted:
            return "moderator"
        if reporters >= self.reports_to_hold:
            return "reporters"
        for category in CATEGORIES:
            limit, score = self.hold.get(category), scores.get(category)
            if limit is not None and score is not None and score >= self.report_score_fraction * limit:
                return "score"
        return None

    def over(self, scores: Mapping[str, float | None], limits: Mapping[str, float | None]) -> list[str]:
        """Categories whose score is at or over its limit (a missing or None limit never triggers; a missing or
        None score counts as 0)."""
        return [c for c in CATEGORIES if limits.get(c) is not None and (scores.get(c) or 0.0) >= limits[c]]


def policy_for(settings: Settings, thresholds: Mapping[str, float]) -> Policy:
    """The Policy for ``settings`` given a model's ``thresholds`` (e.g. ``Scorer.thresholds``).

    One hold and one reject threshold per head. A hold threshold set in the configuration wins over the model's
    (``is None``, not falsiness: 0.0 is a legitimate "hold everything"); auto-reject is off unless configured.
    """
    check_thresholds(settings)
    hold: dict[str, float | None] = {}
    for head in CATEGORIES:
        configured = settings.hold_thresholds.get(head)
        hold[head] = configured if configured is not None else thresholds.get(head)
    reject = {head: settings.reject_thresholds.get(head) for head in CATEGORIES}
    return Policy(hold=hold, reject=reject, hold_name=settings.hold_name, reports_to_hold=settings.reports_to_hold,
                  report_score_fraction=settings.report_score_fraction)


def check_thresholds(settings: Settings) -> None:
    """Refuse a ``MODERATION_HOLD_<HEAD>`` or ``MODERATION_REJECT_<HEAD>`` that names no head of the classifier.

    The configuration reads any such name (it may not import the classifier); a typo must not silently leave a
    head without the threshold the operator meant. The web app and the worker call this at start-up.
    """
    for pattern, (field_name, _) in HEAD_VARIABLES.items():
        unknown = sorted(set(getattr(settings, field_name)) - set(CATEGORIES))
        if unknown:
            names = ", ".join(head_variable(pattern, head) for head in unknown)
            raise ConfigError(f"{names}: no such head; the heads are {', '.join(CATEGORIES)}")


def registry_thresholds(session: Session, version: str | None = None) -> dict[str, float]:
    """Thresholds recorded in the registry for ``version`` (falling back to the active version), or ``{}``.

    Lets a decision be judged by the thresholds of the model that scored the comment without loading
    that model's bundle.
    """
    found = session.get(ModelVersion, version) if version else None
    found = found or active_version(session)
    return dict(found.thresholds) if found is not None else {}


def policy_for_comment(session: Session, settings: Settings, comment: Comment) -> Policy:
    """The policy ``comment`` is judged by: the configuration first, then the thresholds of the model that scored
    it (the numbers the worker held or published it by), read from the registry without loading that model.

    The one setup of a decision, a reader's report and the workbench's explanations.
    """
    return policy_for(settings, registry_thresholds(session, comment.model_version))
