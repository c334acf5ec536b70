"""Moderators' decisions as training labels.

Approve means "neither hostile nor a slur"; reject means the labels given (a slur is also hostile, see
classifier.corpus.labels_of), "hostility" alone means hostile but not a slur, and a reject without
labels says only that it was hostile. Only decisions made by a moderator count: the model's own
releases and auto-rejects would teach the model its own opinion. When a comment has several
moderator decisions, the newest one is its label; a revert takes the decision before it back, so a
reverted decision is no label (the comment has none until a moderator decides it again).

A stable share of the commented ids (by hash, so it never changes as decisions accumulate) is held
back from training and forms the moderators' part of the fixed evaluation set.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier import MODERATOR_SOURCE, Example
from service.infra.models import Comment, Decision
from service.lifecycle.policy import REVERT

SOURCE = MODERATOR_SOURCE
"""The source name of moderator labels in a training corpus (and its weight's key)."""
CSV_COLUMNS = ("text", "hostility", "slur", "comment_id", "decision_id", "action", "moderator")
"""The first three are what `moderation train --data` and `moderation evaluate --data` read."""


@dataclass(frozen=True)
class ModeratorLabel:
    """One comment's label, from the newest moderator decision on it."""

    comment_id: int
    decision_id: int
    text: str
    action: str
    hostility: int | None
    slur: int | None
    moderator: str

    def example(self) -> Example:
        """As a training example of the moderators' source; one group per comment."""
        return Example.labelled(self.text, SOURCE, f"{SOURCE}:{self.comment_id}", hostility=self.hostility,
                                slur=self.slur)


def label_values(action: str, labels: list[str] | None) -> tuple[int | None, int | None]:
    """``(hostility, slur)`` for a decision; None where the decision says nothing about a head."""
    if action == "approve":
        return 0, 0
    chosen = set(labels or ())
    if "slur" in chosen:
        return 1, 1
    if "hostility" in chosen:
        return 1, 0
    return 1, None


def newest_decision_id(session: Session) -> int | None:
    """Id of the newest moderator decision (the snapshot a retraining reads up to)."""
    return session.scalar(select(func.max(Decision.id)).where(Decision.moderator_id.is_not(None)))


def moderator_labels(session: Session, up_to: int | None = None) -> list[ModeratorLabel]:
    """Every commented id's newest moderator decision (decision id ≤ ``up_to``), oldest first; none where
    the newest is a revert."""
    query = (
        select(Decision.id, Decision.comment_id, Decision.action, Decision.labels, Decision.actor, Comment.text)
        .join(Comment, Comment.id == Decision.comment_id)
        .where(Decision.moderator_id.is_not(None))
        .order_by(Decision.id)
    )
    if up_to is not None:
        query = query.where(Decision.id <= up_to)
    newest: dict[int, ModeratorLabel] = {}
    for decision_id, comment_id, action, labels, actor, text in session.execute(query):
        if action == REVERT:
            newest.pop(comment_id, None)  # a revert's comment is held again: what was decided is no label
            continue
        hostility, slur = label_values(action, labels)
        newest[comment_id] = ModeratorLabel(comment_id, decision_id, text, action, hostility, slur, actor)
    return sorted(newest.values(), key=lambda label: label.decision_id)


def held_back(comment_id: int, share: float) -> bool:
    """Whether a comment's label belongs to the evaluation set: a stable hash of its id, not chance."""
    digest = hashlib.blake2b(f"evaluation:{comment_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share


def split_labels(labels: list[ModeratorLabel], share: float) -> tuple[list[ModeratorLabel], list[ModeratorLabel]]:
    """``(training, evaluation)``: the held-back share never trains a model."""
    training = [label for label in labels if not held_back(label.comment_id, share)]
    evaluation = [label for label in labels if held_back(label.comment_id, share)]
    return training, evaluation


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def write_csv(labels: list[ModeratorLabel], stream: TextIO) -> int:
    """Write ``labels`` as a labelled CSV (text,hostility,slur first; empty = unknown); returns the row count."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for label in labels:
        writer.writerow([label.text, _cell(label.hostility), _cell(label.slur), label.comment_id,
                         label.decision_id, label.action, label.moderator])
    return len(labels)
