"""JSON forms of the models. One function per shape, so the OpenAPI schemas have one thing to describe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from service.infra.models import Comment, Decision
from service.lifecycle.precision import score_value
from service.lifecycle.queries import Page
from service.lifecycle.store import InsertedComment


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``; SQLite hands back naive datetimes, which are UTC by construction."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def comment_public(comment: Comment | InsertedComment) -> dict[str, object]:
    """What a site renders: no scores, no moderation detail."""
    return {
        "id": comment.id,
        "article_id": comment.article_id,
        "parent_id": comment.parent_id,
        "author": {"id": comment.author_id, "name": comment.author_name},
        "text": comment.text,
        "status": comment.status,
        "created_at": iso(comment.created_at),
    }


def spans_json(spans: list[dict] | None) -> list[dict[str, object]]:
    """Explanation spans as stored, their scores at the service's one precision (service.lifecycle.precision)."""
    return [{**span, "score": score_value(span.get("score"))} for span in spans or []]


def comment_status(comment: Comment) -> dict[str, object]:
    """What anyone may know of a comment that is not visible (pending, held, rejected): that it exists, where,
    and its status; never its text, author, scores or why it is held."""
    return {
        "id": comment.id,
        "article_id": comment.article_id,
        "parent_id": comment.parent_id,
        "status": comment.status,
        "created_at": iso(comment.created_at),
    }


def comment_detail(comment: Comment) -> dict[str, object]:
    """A comment with its scores, spans and moderation state."""
    return {
        **comment_public(comment),
        "scores": {
            "hostility": score_value(comment.hostility),
            "slur": score_value(comment.slur),
            "name_hostility": score_value(comment.name_hostility),
            "name_slur": score_value(comment.name_slur),
        },
        "spans": spans_json(comment.spans),
        "model_version": comment.model_version,
        "hold_reasons": comment.hold_reasons or [],
        "report_count": comment.report_count or 0,
        "scored_at": iso(comment.scored_at),
        "decided_at": iso(comment.decided_at),
    }


def decision_json(decision: Decision) -> dict[str, object]:
    """One row of the audit log."""
    return {
        "id": decision.id,
        "comment_id": decision.comment_id,
        "actor": decision.actor,
        "moderator_id": decision.moderator_id,
        "action": decision.action,
        "labels": list(decision.labels or []),
        "reason": decision.reason or "",
        "hostility": score_value(decision.hostility),
        "slur": score_value(decision.slur),
        "model_version": decision.model_version,
        "created_at": iso(decision.created_at),
    }


def page_json(page: Page, item: Callable[[object], dict[str, object]]) -> dict[str, object]:
    """``{"items", "page", "per_page", "total"}``."""
    return {"items": [item(row) for row in page.items], "page": page.page, "per_page": page.per_page,
            "total": page.total}
