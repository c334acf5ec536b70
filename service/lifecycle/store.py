"""The comment store: writing a new comment (the API's hot path) and reading one back.

A new comment is one INSERT, as pending; nothing else happens to it here. Its later states are the
transitions' (service/lifecycle/transitions.py). Functions never commit: the caller does, then sends the
scoring task (service/infra/outbox.py), so a task never runs before its row exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Connection, Dialect, bindparam, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, make_transient_to_detached

from service.infra.models import Comment, Status, utcnow
from service.lifecycle.errors import DomainError, NotFound


def get_comment(session: Session, comment_id: int) -> Comment:
    """The comment, or NotFound."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"no comment {comment_id}", "id")
    return comment


_UNSCORED = dict.fromkeys((
    "scored_at", "scores", "name_scores", "severity", "hostility", "slur", "name_hostility", "name_slur", "spans",
    "model_version", "hold_reasons", "decided_at"))
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
    statement itself. ``task_sent=True`` marks the scoring outbox in the same statement, for a caller that
    sends right after committing and clears the mark if the broker refuses (service/infra/outbox.py; a crash
    between commit and send leaves a marked, unsent row either way; the sweeper finds comments by age in
    pending, not by the mark alone).
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


