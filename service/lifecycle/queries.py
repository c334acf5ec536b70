"""Reading lists: an article's visible comments, the moderation queue and the audit log, a page at a time.

Every filter, count and page runs in SQL. Used by the API and the workbench alike; nothing here changes a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, String, cast, func, select
from sqlalchemy.orm import Session

from service.infra.models import VISIBLE, Comment, Decision, Status


@dataclass(frozen=True)
class Page:
    """One page of a list."""

    items: list
    total: int
    page: int
    per_page: int


def paged(session: Session, query: Select, page: int, per_page: int) -> Page:
    """Page ``page`` (from 1) of ``query``'s rows, ``per_page`` to a page, with the total count."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, total, page, per_page)


def visible_comments(session: Session, article_id: str, page: int, per_page: int) -> Page:
    """What a site may render for an article: published and approved comments, oldest first."""
    query = (
        select(Comment)
        .where(Comment.article_id == article_id, Comment.status.in_([s.value for s in VISIBLE]))
        .order_by(Comment.created_at, Comment.id)
    )
    return paged(session, query, page, per_page)


def held_of_author(session: Session, author_id: str) -> list[int]:
    """Ids of every held comment of one author, oldest first (the workbench rejects them all at once)."""
    return list(session.scalars(
        select(Comment.id).where(Comment.author_id == author_id, Comment.status == Status.HELD).order_by(Comment.id)
    ))


def others_of_author(session: Session, comment: Comment, limit: int = 5) -> list[Comment]:
    """The author's other recent comments, newest first (what a moderator sees next to a held one)."""
    return list(session.scalars(
        select(Comment).where(Comment.author_id == comment.author_id, Comment.id != comment.id)
        .order_by(Comment.id.desc()).limit(limit)
    ))


def _holds_for(reason: str) -> ColumnElement[bool]:
    """SQL: the comment's hold reasons include ``reason`` (a trailing ``*`` matches any suffix).

    ``hold_reasons`` is a JSON list of fixed strings such as ``["model:slur", "report"]``. JSON containment
    is spelled differently on SQLite and PostgreSQL, but the column's text is the list as JSON on both, so
    a LIKE on the quoted element works on either and keeps the filter, the count and the paging in SQL.
    """
    element = '"' + (reason[:-1] if reason.endswith("*") else reason + '"')
    escaped = element.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(Comment.hold_reasons, String).like(f"%{escaped}%", escape="\\")


def moderation_queue(
    session: Session, *, category: str | None = None, article_id: str | None = None, reason: str | None = None,
    sort: str = "severity", page: int = 1, per_page: int = 50, created_from: datetime | None = None,
    created_before: datetime | None = None,
) -> Page:
    """Held comments, filtered by category (a head: held for its score), article, reason (model / report / name) and
    arrival time (``created_from`` inclusive, ``created_before`` exclusive); every filter runs in SQL.
    """
    query = select(Comment).where(Comment.status == Status.HELD)
    if article_id:
        query = query.where(Comment.article_id == article_id)
    if category:
        query = query.where(_holds_for(f"model:{category}"))
    if reason == "model":
        query = query.where(_holds_for("model:*"))
    elif reason:
        query = query.where(_holds_for(reason))
    if created_from is not None:
        query = query.where(Comment.created_at >= created_from)
    if created_before is not None:
        query = query.where(Comment.created_at < created_before)
    if sort == "oldest":
        query = query.order_by(Comment.created_at, Comment.id)
    else:
        # The highest score of any head, stored with the scores (service.lifecycle.head_scores.write_scores).
        query = query.order_by(func.coalesce(Comment.severity, 0).desc(), Comment.id)
    return paged(session, query, page, per_page)


def audit_log(session: Session, *, moderator: str | None = None, action: str | None = None,
              created_from: datetime | None = None, created_before: datetime | None = None, page: int = 1,
              per_page: int = 50) -> Page:
    """Decisions, newest first, optionally by one actor, of one action, or made in a time range (``created_from``
    inclusive, ``created_before`` exclusive)."""
    query = select(Decision).order_by(Decision.id.desc())
    if moderator:
        query = query.where(Decision.actor == moderator)
    if action:
        query = query.where(Decision.action == action)
    if created_from is not None:
        query = query.where(Decision.created_at >= created_from)
    if created_before is not None:
        query = query.where(Decision.created_at < created_before)
    return paged(session, query, page, per_page)
