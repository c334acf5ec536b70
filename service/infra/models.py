"""Database tables (SQLAlchemy 2.0 typed models). Schema changes go through Alembic (service/migrations)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Timezone-aware now; every timestamp in the database is UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Status(StrEnum):
    """Where a comment is in its life: pending → published | held; published → held; held → approved | rejected."""

    PENDING = "pending"
    PUBLISHED = "published"
    HELD = "held"
    APPROVED = "approved"
    REJECTED = "rejected"


VISIBLE = (Status.PUBLISHED, Status.APPROVED)
"""Statuses a site may render."""


class Comment(Base):
    """A reader comment, stored before anything else happens to it."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[str] = mapped_column(String(200), index=True)
    author_id: Mapped[str] = mapped_column(String(200), index=True)
    author_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default=Status.PENDING)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    task_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    """Outbox mark: None until the scoring task has been handed to the broker."""
    scored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    scores: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    """The text's score per head of the classifier (``{"hostility": 0.91, "slur": 0.02, …}``; None until scored).
    The source of truth: a head added to the classifier is stored here with no schema change."""
    name_scores: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    """The author's display name's score per head, by the classifier's name rules."""
    severity: Mapped[float | None] = mapped_column(Float, nullable=True)
    """The highest of ``scores``: the queue's "most severe first" order, in SQL, whatever the heads are."""
    hostility: Mapped[float | None] = mapped_column(Float, nullable=True)
    slur: Mapped[float | None] = mapped_column(Float, nullable=True)
    name_hostility: Mapped[float | None] = mapped_column(Float, nullable=True)
    name_slur: Mapped[float | None] = mapped_column(Float, nullable=True)
    """The hostility and slur columns from before ``scores``: still written (service.lifecycle.head_scores), for
    readers of the table that know only them."""
    name_match: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    """What in the display name scored: ``{"part": "1488", "why": "hate symbol"}`` (None: nothing did)."""
    spans: Mapped[list | None] = mapped_column(JSON, nullable=True)
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hold_reasons: Mapped[list | None] = mapped_column(JSON, nullable=True)
    """Why it is held: "model:<head>" for each head over its threshold (e.g. "model:slur"), "name", "report"."""
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    """Bumped on every transition; an UPDATE … WHERE revision = seen makes concurrent decisions safe."""

    __mapper_args__: ClassVar[dict] = {"version_id_col": revision}

    reports: Mapped[list[Report]] = relationship(back_populates="comment", order_by="Report.id")
    decisions: Mapped[list[Decision]] = relationship(back_populates="comment", order_by="Decision.id")


class Report(Base):
    """A reader's report of a comment."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    reporter_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """The reader id the request body named (kept as sent, even when it was not what identified the reporter)."""
    reporter_key: Mapped[str | None] = mapped_column(String(250), nullable=True)
    """Who reported, as distinct reporters are counted: "reader:<id>", "address:<keyed hash>" or
    "moderator:<id>" (service.lifecycle.reporters); None (reports older than the column) counts once per row."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="reports")


class Moderator(Base):
    """Someone who works the queue. Only hashes of the API token and password are stored."""

    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    role: Mapped[str] = mapped_column(String(16), default="moderator")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


MODERATOR_EVENTS = ("create", "deactivate", "reactivate", "reset_token", "set_password")
"""What the accounts' audit log records."""


class ModeratorEvent(Base):
    """The accounts' audit log: one row per change to a moderator account, by an admin or an operator."""

    __tablename__ = "moderator_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("moderators.id"), index=True)
    """The account changed."""
    action: Mapped[str] = mapped_column(String(16))
    """One of MODERATOR_EVENTS."""
    actor: Mapped[str] = mapped_column(String(100))
    """Who changed it: an admin's name, or "cli:<user>" for the command line."""
    detail: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    moderator: Mapped[Moderator] = relationship()


class Decision(Base):
    """The audit log: one row per action on a comment, by a moderator or by the model."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("moderators.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    """The moderator's name, or "model" for automatic actions."""
    action: Mapped[str] = mapped_column(String(16))
    labels: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    scores: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    """The comment's scores per head when it was decided (as ``Comment.scores``)."""
    hostility: Mapped[float | None] = mapped_column(Float, nullable=True)
    slur: Mapped[float | None] = mapped_column(Float, nullable=True)
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    comment: Mapped[Comment] = relationship(back_populates="decisions")
    moderator: Mapped[Moderator | None] = relationship()


class ModelVersion(Base):
    """A trained model bundle the service knows; exactly one is active at a time."""

    __tablename__ = "model_versions"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    path: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    thresholds: Mapped[dict] = mapped_column(JSON)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="candidate", index=True)
    """One of MODEL_STATUSES: active (exactly one), candidate (trained, not judged yet), rejected, retired."""
    status_reason: Mapped[str] = mapped_column(String(1000), default="")
    """Why it was rejected by the evaluation gate, or why it was activated (e.g. forced past the gate)."""
    created_by: Mapped[str] = mapped_column(String(100), default="")
    """Who or what made it: "train" (the command), "retrain by alice", …"""
    training_data: Mapped[dict] = mapped_column(JSON, default=dict)
    """Datasets with the sha256 of each file read, seed rows, and the moderator labels included."""
    moderator_labels: Mapped[int] = mapped_column(Integer, default=0)
    newest_decision_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The newest moderators' decision that could be included (decisions after it were not seen)."""
    evaluation: Mapped[dict] = mapped_column(JSON, default=dict)
    """The evaluation gate's figures: this version and the one it was compared with, per evaluation set."""


MODEL_STATUSES = ("active", "candidate", "rejected", "retired")


class ModelEvent(Base):
    """The model registry's audit log: activations, rejections, forced activations and rollbacks."""

    __tablename__ = "model_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))
    """activate, force, reject, rollback."""
    actor: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RetrainJob(Base):
    """One retraining request and its progress, written by the worker's task (Celery keeps no results)."""

    __tablename__ = "retrain_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    """queued → running → succeeded | failed."""
    force: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[str] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(200), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """activated, forced or rejected (the candidate's fate), once succeeded."""
    message: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
