"""A row's scores by head: reading and writing them as stored, whatever heads the classifier declares.

``Comment.scores``, ``Comment.name_scores`` and ``Decision.scores`` (one JSON key per head) are the source of truth,
so a head declared in classifier/heads.py is stored, read and served with no schema change. The columns named
after a head (``hostility``, ``slur``, ``name_hostility``, ``name_slur``, from before per-head storage) are still
written, for readers of the table that know only them, and read where a row has no JSON yet (a row written by
hand, or by code from before). Everything that reads a comment's scores reads them here.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Float

from classifier import HEADS
from service.infra.models import Comment, Decision


def _column(row: Comment | Decision, name: str) -> str | None:
    """``name`` when the row's table has a score column of that name (one from before per-head storage)."""
    column = type(row).__table__.c.get(name)
    return name if column is not None and isinstance(column.type, Float) else None


def _read(row: Comment | Decision, stored: Mapping[str, float] | None, prefix: str = "") -> dict[str, float | None]:
    found = stored or {}
    scores: dict[str, float | None] = {}
    for head in HEADS:
        column = _column(row, prefix + head)
        scores[head] = found.get(head, getattr(row, column) if column and not found else None)
    return scores


def scores_of(row: Comment | Decision) -> dict[str, float | None]:
    """The row's score per head, in the classifier's order; None for a head it has no score of (not scored yet,
    or scored before the head was declared)."""
    return _read(row, row.scores)


def name_scores_of(comment: Comment) -> dict[str, float | None]:
    """The author's display name's score per head (None where it has none)."""
    return _read(comment, comment.name_scores, prefix="name_")


def _clean(scores: Mapping[str, float | None]) -> dict[str, float]:
    return {head: float(scores[head]) for head in HEADS if scores.get(head) is not None}


def write_scores(comment: Comment, scores: Mapping[str, float], name_scores: Mapping[str, float]) -> None:
    """Store a comment's scores (and its author name's) per head, and the highest of them as its severity."""
    comment.scores = _clean(scores)
    comment.name_scores = _clean(name_scores)
    comment.severity = max(comment.scores.values(), default=0.0)
    for head in HEADS:
        if column := _column(comment, head):
            setattr(comment, column, comment.scores.get(head))
        if column := _column(comment, f"name_{head}"):
            setattr(comment, column, comment.name_scores.get(head))


def copy_scores(decision: Decision, comment: Comment) -> None:
    """Record on an audit row the scores its comment had when it was decided."""
    decision.scores = _clean(scores_of(comment))
    for head in HEADS:
        if column := _column(decision, head):
            setattr(decision, column, decision.scores.get(head))
