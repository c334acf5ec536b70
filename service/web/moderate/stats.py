"""Per-day counts for the overview page, computed from comments and decisions of the last days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.infra.models import Comment, Decision, Status
from service.lifecycle.policy import REVERT


@dataclass
class Day:
    """What happened on one UTC day."""

    day: date
    received: int = 0
    published: int = 0
    held: int = 0
    approved: int = 0
    rejected: int = 0
    rejected_by_moderators: int = 0

    @property
    def overturned_pct(self) -> float:
        """Share of moderators' decisions that released a held comment (approved), in percent (auto-rejects aside)."""
        decided = self.approved + self.rejected_by_moderators
        return round(100 * self.approved / decided, 1) if decided else 0.0


def _day(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()


def daily_counts(session: Session, days: int = 14, today: date | None = None) -> list[Day]:
    """The last ``days`` days, oldest first. Received/published/held count comments by the day they arrived."""
    today = today or datetime.now(UTC).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, UTC)
    table = {first + timedelta(days=i): Day(first + timedelta(days=i)) for i in range(days)}
    for created, status, reasons in session.execute(
        select(Comment.created_at, Comment.status, Comment.hold_reasons).where(Comment.created_at >= start)
    ):
        entry = table.get(_day(created))
        if entry is None:
            continue
        entry.received += 1
        if status == Status.PUBLISHED:
            entry.published += 1
        if reasons:
            entry.held += 1
    # In id order, so a revert finds the decision it took back (which then counts for nothing: it was undone).
    counted: dict[int, tuple[Day, str]] = {}
    for comment_id, created, action, actor in session.execute(
        select(Decision.comment_id, Decision.created_at, Decision.action, Decision.actor)
        .where(Decision.created_at >= start).order_by(Decision.id)
    ):
        if action == REVERT:
            undone = counted.pop(comment_id, None)
            if undone is not None:
                _count(*undone, -1)
            continue
        entry = table.get(_day(created))
        if entry is None:
            continue
        kind = "model" if actor == "model" else "moderator"
        _count(entry, f"{action}:{kind}", 1)
        counted[comment_id] = (entry, f"{action}:{kind}")
    return list(table.values())


def _count(entry: Day, what: str, step: int) -> None:
    """Add ``step`` to the day's figures for one decision ("approve:moderator", "reject:model", …)."""
    action, _, kind = what.partition(":")
    if action == "approve" and kind == "moderator":
        entry.approved += step
    elif action == "reject":
        entry.rejected += step
        entry.rejected_by_moderators += step * (kind == "moderator")
