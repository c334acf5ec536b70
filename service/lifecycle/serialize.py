"""The JSON forms of the service's rows: one function per shape, used by everyone who answers with them.

The API's views, the model registry's and the accounts' endpoints, and the webhook outbox all build their JSON
here, so a comment has one shape wherever it is read: a webhook's ``comment`` is the API's CommentDetail. The
OpenAPI schemas (service/web/openapi.py) describe these shapes, one schema per function. No Flask here: the
lifecycle's webhook outbox uses it too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from service.infra.models import Comment, Decision, ModelEvent, ModelVersion, Moderator, ModeratorEvent, RetrainJob
from service.lifecycle.head_scores import name_scores_of, scores_of
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
    """A comment with its scores, spans and moderation state (the API's CommentDetail, and a webhook's comment)."""
    return {
        **comment_public(comment),
        # One key per head, then the author name's per head as name_<head>: {"hostility", "slur", "name_hostility",
        # "name_slur"} with the classifier's two heads.
        "scores": {
            **{head: score_value(value) for head, value in scores_of(comment).items()},
            **{f"name_{head}": score_value(value) for head, value in name_scores_of(comment).items()},
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
        **{head: score_value(value) for head, value in scores_of(decision).items()},  # one key per head
        "model_version": decision.model_version,
        "created_at": iso(decision.created_at),
    }


def page_json(page: Page, item: Callable[[object], dict[str, object]]) -> dict[str, object]:
    """``{"items", "page", "per_page", "total"}``."""
    return {"items": [item(row) for row in page.items], "page": page.page, "per_page": page.per_page,
            "total": page.total}


def version_json(version: ModelVersion) -> dict[str, object]:
    """One registered model version with its provenance and the gate's figures."""
    return {
        "version": version.version, "status": version.status, "status_reason": version.status_reason,
        "active": version.active, "sha256": version.sha256, "created_by": version.created_by,
        "created_at": iso(version.created_at), "activated_at": iso(version.activated_at),
        "thresholds": version.thresholds, "metrics": version.metrics, "training_data": version.training_data,
        "moderator_labels": version.moderator_labels, "newest_decision_id": version.newest_decision_id,
        "evaluation": version.evaluation,
    }


def model_event_json(event: ModelEvent) -> dict[str, object]:
    """One row of the model registry's audit log."""
    return {"id": event.id, "version": event.version, "action": event.action, "actor": event.actor,
            "detail": event.detail, "created_at": iso(event.created_at)}


def job_json(job: RetrainJob) -> dict[str, object]:
    """A retraining job's state and progress (0 to 1)."""
    return {
        "id": job.id, "status": job.status, "force": job.force, "requested_by": job.requested_by,
        "stage": job.stage, "progress": job.progress, "version": job.version, "outcome": job.outcome,
        "message": job.message, "created_at": iso(job.created_at), "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
    }


def moderator_json(moderator: Moderator) -> dict[str, object]:
    """A moderator account, without any secret: whether a password is set, never its hash."""
    return {"id": moderator.id, "name": moderator.name, "role": moderator.role, "active": moderator.active,
            "has_password": moderator.password_hash is not None, "created_at": iso(moderator.created_at)}


def moderator_event_json(event: ModeratorEvent) -> dict[str, object]:
    """One row of the accounts' audit log."""
    return {"id": event.id, "moderator": event.moderator.name, "action": event.action, "actor": event.actor,
            "detail": event.detail, "created_at": iso(event.created_at)}
