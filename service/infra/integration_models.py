"""Tables of the integrations: webhooks and their deliveries (outbox and log in one), and score suggestions.

Kept apart from service/models.py so the core schema stays readable. They share its Base; importing this
module is what puts them in ``Base.metadata``, so the domain (through service.lifecycle.webhooks.outbox) and the
migration environment import it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.infra.models import Base, utcnow

WEBHOOK_EVENTS = ("held", "published", "approved", "rejected", "reverted")
"""Transitions a site can subscribe to: the comment's new status, or "reverted" when a moderator took a decision
back (the comment is held again; see service.lifecycle.transitions.revert_decision)."""


class Webhook(Base):
    """A site's URL told about comment transitions, signed with its own secret."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(128))
    """Kept in clear: signing needs it (unlike a token, which only needs to be checked)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(back_populates="webhook", passive_deletes=True)


class WebhookDelivery(Base):
    """One event for one webhook: written with the transition (the outbox), updated by each attempt (the log)."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(16))
    comment_id: Mapped[int] = mapped_column(Integer, index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    """pending (waiting for its next attempt), delivered, or failed (attempts exhausted)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    webhook: Mapped[Webhook] = relationship(back_populates="deliveries")


class ScoreSuggestion(Base):
    """A label candidate from Perspective's comments:suggestscore: a site's judgement of a text, for review.

    ``hostility`` / ``slur`` are what the suggested attributes say in our terms (None: they say nothing
    about that category); the raw attribute scores are kept as sent.
    """

    __tablename__ = "score_suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    attribute_scores: Mapped[dict] = mapped_column(JSON)
    hostility: Mapped[float | None] = mapped_column(Float, nullable=True)
    slur: Mapped[float | None] = mapped_column(Float, nullable=True)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    community_id: Mapped[str | None] = mapped_column(String(500), nullable=True)
    client_token: Mapped[str | None] = mapped_column(String(500), nullable=True)
    site_key_hint: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """Last four characters of the site key used, so an operator can tell sites apart without the key."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
