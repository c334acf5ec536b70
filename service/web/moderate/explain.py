"""Why a comment is held, in words: each hold reason with the numbers behind it, for the queue page.

A held comment stores its reasons as codes ("model:slur", "name", "report"). The queue shows each one as a
moderator reads it: the score against the hold threshold of the model that scored the comment (the numbers
the worker held it by, as decide_by_moderator reads them), what part of the author's name matched and why,
and how many readers reported it and for what.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from service.config import Settings
from service.infra.models import Comment
from service.lifecycle.head_scores import name_scores_of, scores_of
from service.lifecycle.policy import Policy, policy_for_comment


@dataclass(frozen=True)
class Reason:
    """One hold reason: its stored code (kept for filters and tests) and the sentence shown."""

    code: str
    text: str


def _compare(score: float, threshold: float | None) -> str:
    if threshold is None:
        return f"{score:.2f} (no hold threshold in force)"
    return f"{score:.2f} {'≥' if score >= threshold else '<'} hold {threshold:.2f}"


def _model(category: str, comment: Comment, policy: Policy) -> str:
    score = scores_of(comment).get(category) or 0.0
    return f"{category} {_compare(score, policy.hold.get(category))}"


def _name(comment: Comment, policy: Policy) -> str:
    score = max((value or 0.0 for value in name_scores_of(comment).values()), default=0.0)
    match: Mapping[str, str] = comment.name_match or {}
    if match.get("part"):
        return f"name: '{match['part']}' ({match.get('why', 'matched')}) {_compare(score, policy.hold_name)}"
    return f"name: '{comment.author_name}' {_compare(score, policy.hold_name)}"


def _reports(comment: Comment) -> str:
    """"2 reports: spam, harassment"; a reason given more than once shows its count ("spam ×2")."""
    reasons = Counter((report.reason or "").strip() or "no reason given" for report in comment.reports)
    count = comment.report_count or sum(reasons.values())
    given = ", ".join(reason if n == 1 else f"{reason} ×{n}" for reason, n in reasons.most_common())
    return f"{count} report{'s' if count != 1 else ''}" + (f": {given}" if given else "")


class Explainer:
    """Explains the comments of one page; the thresholds of each model version are read once."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self._policies: dict[str | None, Policy] = {}

    def policy(self, comment: Comment) -> Policy:
        """The policy ``comment`` is judged by (configuration first, then its model's), read once per model."""
        if comment.model_version not in self._policies:
            self._policies[comment.model_version] = policy_for_comment(self.session, self.settings, comment)
        return self._policies[comment.model_version]

    def reasons(self, comment: Comment) -> list[Reason]:
        """Every hold reason of ``comment``, in words."""
        policy = self.policy(comment)
        found = []
        for code in comment.hold_reasons or []:
            if code.startswith("model:"):
                text = _model(code.partition(":")[2], comment, policy)
            elif code == "name":
                text = _name(comment, policy)
            elif code == "report":
                text = _reports(comment)
            else:
                text = code
            found.append(Reason(code, text))
        return found
