"""Per-day counts for the overview page, computed from comments and decisions of the last days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.infra.models import Comment, Decision, Status


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
    for created, action, actor in session.execute(
        select(Decision.created_at, Decision.action, Decision.actor).where(Decision.created_at >= start)
    ):
        entry = table.get(_day(created))
        if entry is None:
            continue
        if action == "approve" and actor != "model":
            entry.approved += 1
        elif action == "reject":
            entry.rejected += 1
            entry.rejected_by_moderators += actor != "model"
    return list(table.values())
