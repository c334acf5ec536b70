"""The comment lifecycle: every state transition goes through here, nowhere else.

pending → published | held | rejected (auto-reject); published → held (reader reports);
held → approved | rejected (a moderator, or "model" when a better model releases it).

Functions take a Session and never commit: the caller (a view or a task) commits, and only then
enqueues work, so a task never runs before its row exists. Neither Flask nor Celery is imported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, Connection, Dialect, String, bindparam, cast, func, insert, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.exc import StaleDataError

from service.models import VISIBLE, Comment, Decision, Moderator, Report, Status, utcnow
from service.webhooks import outbox

CATEGORIES = ("hostility", "slur")
ACTIONS = ("approve", "reject")


class DomainError(Exception):
    """A request the lifecycle refuses; ``code`` and ``field`` feed the API's error shape."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """No such comment (or parent)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The comment is not in a state that allows this (e.g. someone already decided it)."""

    status = 409
    code = "conflict"


@dataclass(frozen=True)
class Policy:
    """Thresholds that turn scores into a status. Policy lives here, not in the model."""

    hold: Mapping[str, float | None]
    reject: Mapping[str, float | None] = field(default_factory=dict)
    hold_name: float = 0.9
    """Display names are held on their own threshold: the comment thresholds do not transfer to them."""

    def holds_name(self, name_scores: Mapping[str, float]) -> bool:
        """Whether an author's display name, scored by the classifier's name rules, holds the comment."""
        return max(name_scores[c] for c in CATEGORIES) >= self.hold_name

    def over(self, scores: Mapping[str, float], limits: Mapping[str, float | None]) -> list[str]:
        """Categories whose score is at or over its limit (a missing or None limit never triggers)."""
        return [c for c in CATEGORIES if limits.get(c) is not None and scores[c] >= limits[c]]


@dataclass(frozen=True)
class ScoreResult:
    """What the worker learned about a comment."""

    hostility: float
    slur: float
    spans: Sequence[Mapping[str, object]]
    name_hostility: float
    name_slur: float
    model_version: str


def get_comment(session: Session, comment_id: int) -> Comment:
    """The comment, or NotFound."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"no comment {comment_id}", "id")
    return comment


_UNSCORED = dict.fromkeys((
    "scored_at", "hostility", "slur", "name_hostility", "name_slur", "spans", "model_version", "hold_reasons",
    "decided_at"))
"""A new comment's columns that only scoring and moderation fill (written as NULL)."""
_INSERT_COMMENT = insert(Comment.__table__)
"""Built once: SQLAlchemy caches its compiled form, and the values go in as bound parameters."""


@dataclass(frozen=True)
class InsertedComment:
    """A comment as `insert_comment` wrote it: the row's values and its new id (what the POST answers with)."""

    id: int
    article_id: str
    author_id: str
    author_name: str
    text: str
    parent_id: int | None
    status: str
    created_at: datetime
    task_sent_at: datetime | None
    report_count: int
    revision: int


_PARENT_ARTICLE = select(Comment.article_id).where(Comment.id == bindparam("parent_id"))
"""Built once, like _INSERT_COMMENT: the parent check of a reply."""


def insert_comment(
    connection: Connection, *, article_id: str, author_id: str, author_name: str, text: str,
    parent_id: int | None = None, task_sent: bool = False,
) -> InsertedComment:
    """Store a new comment as pending with one Core INSERT on ``connection`` (the caller commits, if the
    connection is not in autocommit mode; then it sends the scoring task).

    This is the API's hot path: no Session and no ORM object, whose bookkeeping cost more than the
    statement itself. ``task_sent=True`` marks the outbox in the same statement, for a caller that sends
    right after committing and calls `unmark_task_sent` if the broker refuses (a crash between commit and
    send leaves a marked, unsent row either way; the sweeper finds comments by age in pending, not by the
    mark alone).
    """
    if parent_id is not None:
        parent_article = connection.execute(_PARENT_ARTICLE, {"parent_id": parent_id}).scalar()
        if parent_article is None:
            raise NotFound(f"no comment {parent_id} to reply to", "parent_id")
        if parent_article != article_id:
            raise DomainError("a reply must be on the same article as its parent", "parent_id")
    now = utcnow()
    values = {
        "article_id": article_id, "author_id": author_id, "author_name": author_name, "text": text,
        "parent_id": parent_id, "status": Status.PENDING.value, "created_at": now, "report_count": 0,
        "revision": 1, "task_sent_at": now if task_sent else None,
    }
    if connection.dialect.driver == "psycopg":
        new_id = _insert_with_driver(connection, values)
    else:
        new_id = connection.execute(_INSERT_COMMENT, values).inserted_primary_key[0]
    return InsertedComment(id=new_id, **values)


@lru_cache(maxsize=8)
def _driver_insert_sql(dialect: Dialect, columns: tuple[str, ...]) -> str:
    """INSERT … RETURNING id of ``columns``, as ``dialect`` spells it (compiled once per dialect)."""
    statement = insert(Comment.__table__).returning(Comment.__table__.c.id)
    return statement.compile(dialect=dialect, column_keys=list(columns)).string


def _insert_with_driver(connection: Connection, values: Mapping[str, object]) -> int:
    # On PostgreSQL the statement goes straight to psycopg's cursor: SQLAlchemy's execution context (result
    # set-up, events, type processing that psycopg's types make unnecessary) cost more CPU than psycopg's
    # own execute, and this is the API's busiest statement. psycopg adapts these values (str, int, None,
    # aware datetimes) exactly as SQLAlchemy's psycopg dialect would pass them. Not on SQLite, where
    # SQLAlchemy's DateTime type decides how a datetime is stored as text.
    statement = _driver_insert_sql(connection.dialect, tuple(values))
    dbapi_connection = connection.connection.dbapi_connection
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(statement, values)
        return cursor.fetchone()[0]
    except connection.dialect.loaded_dbapi.Error as error:
        # What SQLAlchemy does for a statement it runs: a lost server invalidates this connection and the
        # pool's others (all as dead), and the error is raised as SQLAlchemy's, which the API answers
        # with 503 and Retry-After.
        lost = connection.dialect.is_disconnect(error, dbapi_connection, cursor)
        if lost:
            connection.invalidate(error)
            connection.engine.dispose(close=False)
        raise DBAPIError.instance(statement, dict(values), error, connection.dialect.loaded_dbapi.Error,
                                  connection_invalidated=lost, dialect=connection.dialect) from error
    finally:
        cursor.close()


def submit_comment(
    session: Session, *, article_id: str, author_id: str, author_name: str, text: str, parent_id: int | None = None,
    task_sent: bool = False,
) -> Comment:
    """Store a new comment as pending, in the session's transaction (see `insert_comment`; the caller commits).

    The returned Comment is in the session as if loaded from the row just written: later changes in the
    same session (a report, a score) are tracked and version-checked as usual, with no SELECT to get there.
    """
    new = insert_comment(session.connection(), article_id=article_id, author_id=author_id,
                         author_name=author_name, text=text, parent_id=parent_id, task_sent=task_sent)
    comment = Comment(**vars(new), **_UNSCORED)
    make_transient_to_detached(comment)
    session.add(comment)
    return comment


def mark_task_sent(session: Session, comment_id: int) -> None:
    """Outbox: record that the scoring task for this comment reached the broker."""
    # A direct UPDATE, not a change to the loaded object: by now the worker may already have scored the
    # comment (bumping its revision), and a version-checked flush of a stale object would fail.
    session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.task_sent_at.is_(None))
        .values(task_sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def touch_task_sent(session: Session, comment_id: int) -> None:
    """Outbox: a task for this pending comment was (re)queued just now, so the sweeper leaves it alone."""
    session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.status == Status.PENDING)
        .values(task_sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def unmark_task_sent(session: Session, comment_ids: int | Sequence[int]) -> None:
    """Outbox: the broker refused the task(s) after all; leave the comments for the sweeper to re-send."""
    ids = [comment_ids] if isinstance(comment_ids, int) else list(comment_ids)
    session.execute(
        update(Comment)
        .where(Comment.id.in_(ids), Comment.status == Status.PENDING)
        .values(task_sent_at=None)
        .execution_options(synchronize_session=False)
    )


def claim_unsent(session: Session, older_than: datetime, limit: int = 500) -> list[int]:
    """Outbox sweep: pending comments posted before ``older_than`` whose task was never sent, or last sent
    before it (lost with a broker restart or a killed worker), oldest first; marks them sent now.

    The caller commits, then sends a task for each id (and unmarks those the broker refuses). Rows are
    locked with SKIP LOCKED on PostgreSQL, so two workers sweeping at once never claim the same comment;
    a comment that is sent twice anyway is harmless (scoring is idempotent), only wasted work.
    """
    query = (
        select(Comment.id)
        .where(Comment.status == Status.PENDING, Comment.created_at < older_than,
               or_(Comment.task_sent_at.is_(None), Comment.task_sent_at < older_than))
        .order_by(Comment.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(Comment).where(Comment.id.in_(ids)).values(task_sent_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return ids


def _scores(result: ScoreResult) -> dict[str, float]:
    return {"hostility": result.hostility, "slur": result.slur}


def _store_scores(comment: Comment, result: ScoreResult, policy: Policy) -> list[str]:
    """Write ``result`` onto the comment; return the hold reasons its scores and name give under ``policy``."""
    comment.hostility, comment.slur = result.hostility, result.slur
    comment.name_hostility, comment.name_slur = result.name_hostility, result.name_slur
    comment.spans = [dict(span) for span in result.spans]
    comment.model_version = result.model_version
    comment.scored_at = utcnow()
    reasons = [f"model:{category}" for category in policy.over(_scores(result), policy.hold)]
    if policy.holds_name({"hostility": result.name_hostility, "slur": result.name_slur}):
        reasons.append("name")
    return reasons


def record_score(session: Session, comment_id: int, result: ScoreResult, policy: Policy) -> Comment | None:
    """Store scores and publish, hold or auto-reject. Idempotent: a comment past pending is left alone."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != Status.PENDING:
        return None
    reasons = _store_scores(comment, result, policy)
    rejected = policy.over(_scores(result), policy.reject)
    if rejected:
        comment.status = Status.REJECTED
        comment.hold_reasons = reasons
        comment.decided_at = comment.scored_at
        session.add(_audit(comment, None, "model", "reject", rejected, "auto-reject threshold"))
    elif reasons:
        comment.status = Status.HELD
        comment.hold_reasons = reasons
    else:
        comment.status = Status.PUBLISHED
        comment.hold_reasons = []
    outbox.emit(session, comment)  # webhooks: written in this transaction, sent by the caller after commit
    return comment


def report_comment(session: Session, comment_id: int, reason: str = "", reporter_id: str | None = None) -> Comment:
    """A reader's report. A published comment goes back to the queue; a decided one stays decided."""
    comment = get_comment(session, comment_id)
    session.add(Report(comment_id=comment.id, reason=reason, reporter_id=reporter_id))
    comment.report_count = (comment.report_count or 0) + 1
    if comment.status == Status.PUBLISHED:
        comment.status = Status.HELD
        comment.hold_reasons = [*(comment.hold_reasons or []), "report"]
        outbox.emit(session, comment)
    elif comment.status == Status.HELD and "report" not in (comment.hold_reasons or []):
        comment.hold_reasons = [*(comment.hold_reasons or []), "report"]
    return comment


def _audit(comment: Comment, moderator: Moderator | None, actor: str, action: str, labels: Sequence[str],
           reason: str) -> Decision:
    return Decision(
        comment_id=comment.id, moderator_id=moderator.id if moderator else None, actor=actor, action=action,
        labels=list(labels), reason=reason, hostility=comment.hostility, slur=comment.slur,
        model_version=comment.model_version,
    )


def decide(
    session: Session, comment_id: int, moderator: Moderator, action: str,
    labels: Sequence[str] | None = None, reason: str = "", policy: Policy | None = None,
) -> Decision:
    """A moderator approves or rejects a held comment; the decision is also a training label.

    Approve means "neither hostile nor a slur". Reject takes the labels given, or, when none are
    given, the categories whose scores reached the hold threshold. Deciding a comment that is not
    held (already decided, or never queued) is a Conflict naming who decided it, never an overwrite.
    """
    if action not in ACTIONS:
        raise DomainError(f"action must be one of {', '.join(ACTIONS)}", "action")
    unknown = sorted(set(labels or ()) - set(CATEGORIES))
    if unknown:
        raise DomainError(f"unknown label(s): {', '.join(unknown)}", "labels")
    comment = get_comment(session, comment_id)
    if comment.status != Status.HELD:
        last = session.scalars(
            select(Decision).where(Decision.comment_id == comment.id).order_by(Decision.id.desc()).limit(1)
        ).first()
        who = f" by {last.actor} at {last.created_at:%Y-%m-%d %H:%M:%S}" if last else ""
        raise Conflict(f"comment {comment.id} is {comment.status}{who}, not held", "id")
    if action == "approve":
        chosen: list[str] = []
    elif labels:
        chosen = [c for c in CATEGORIES if c in labels]
    else:
        scores = {"hostility": comment.hostility or 0.0, "slur": comment.slur or 0.0}
        chosen = policy.over(scores, policy.hold) if policy else []
    comment.status = Status.APPROVED if action == "approve" else Status.REJECTED
    comment.decided_at = utcnow()
    decision = _audit(comment, moderator, moderator.name, action, chosen, reason)
    session.add(decision)
    try:
        session.flush()  # the revision check: a concurrent decision makes this UPDATE match no row
    except StaleDataError as error:
        session.rollback()
        outbox.discard_pending(session)
        raise Conflict(f"comment {comment_id} was just decided by another moderator", "id") from error
    outbox.emit(session, comment)
    return decision


def rescore_held(session: Session, comment_id: int, result: ScoreResult, policy: Policy) -> str | None:
    """Rescore a held comment with (usually) a newer model; release it if nothing holds it any more.

    Reasons are recomputed from the new scores and the name; a reader's report keeps holding it (only a
    moderator answers a report). A release publishes the comment and is logged as approved by "model",
    not by a moderator (so it is never taken for a moderator's label). Never auto-rejects. Returns
    "released", "held", or None when the comment is not held (e.g. a moderator decided it meanwhile).
    """
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != Status.HELD:
        return None
    reasons = _store_scores(comment, result, policy)
    if "report" in (comment.hold_reasons or []):
        reasons.append("report")
    comment.hold_reasons = reasons
    if reasons:
        return "held"
    comment.status = Status.PUBLISHED
    comment.decided_at = comment.scored_at
    session.add(_audit(comment, None, "model", "approve", [],
                       f"released by model {result.model_version} on rescoring"))
    outbox.emit(session, comment)
    return "released"


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a list."""

    items: list
    total: int
    page: int
    per_page: int


def _page(session: Session, query, page: int, per_page: int) -> Page:
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
    return _page(session, query, page, per_page)


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
    """Held comments, filtered by category (hostility / slur), article, reason (model / report / name) and
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
        severity = func.max(func.coalesce(Comment.hostility, 0), func.coalesce(Comment.slur, 0))
        if session.get_bind().dialect.name == "postgresql":
            severity = func.greatest(func.coalesce(Comment.hostility, 0), func.coalesce(Comment.slur, 0))
        query = query.order_by(severity.desc(), Comment.id)
    return _page(session, query, page, per_page)


def audit_log(session: Session, *, moderator: str | None = None, action: str | None = None, page: int = 1,
              per_page: int = 50) -> Page:
    """Decisions, newest first, optionally by one actor or of one action."""
    query = select(Decision).order_by(Decision.id.desc())
    if moderator:
        query = query.where(Decision.actor == moderator)
    if action:
        query = query.where(Decision.action == action)
    return _page(session, query, page, per_page)
