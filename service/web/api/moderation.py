"""The moderators' API: the queue, decisions and their reverts, the audit log. Every route needs a bearer token."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from service.infra.models import Moderator
from service.lifecycle import queries, store, transitions
from service.lifecycle.policy import AUDIT_ACTIONS, CATEGORIES
from service.lifecycle.serialize import comment_detail, decision_json, page_json
from service.web.api.credentials import require_moderator
from service.web.context import db_session, services
from service.web.validation import (
    COMMENT_ID_RULE,
    json_object,
    pagination,
    parse_decision,
    parse_revert,
    query_choice,
    query_id,
)

blueprint = Blueprint("moderation", __name__, url_prefix="/api/v1/moderation")
blueprint.before_request(require_moderator)

QUEUE_REASONS = ("model", "report", "name")
SORTS = ("severity", "oldest")


def current_moderator() -> Moderator:
    """The moderator making this request (set by :func:`require_moderator`)."""
    return g.moderator


@blueprint.get("/queue")
def queue() -> Response:
    """Held comments, most severe (or oldest) first, filtered by category, article or reason."""
    page, per_page = pagination(services().settings.page_size)
    result = queries.moderation_queue(
        db_session(), category=query_choice("category", CATEGORIES), article_id=query_id("article_id"),
        reason=query_choice("reason", QUEUE_REASONS), sort=query_choice("sort", SORTS) or "severity",
        page=page, per_page=per_page,
    )
    return jsonify(page_json(result, comment_detail))


@blueprint.post(f"/comments/{COMMENT_ID_RULE}/decision")
def decide(comment_id: int) -> Response:
    """Approve or reject a held comment; 409 if it is not held (someone else decided it first)."""
    new = parse_decision(json_object())
    session = db_session()
    comment = store.get_comment(session, comment_id)  # loaded once: the decision takes this one
    decision = transitions.decide_by_moderator(session, services().settings, comment, current_moderator(),
                                               new.action, labels=new.labels, reason=new.reason)
    session.commit()  # and with it the decision's webhook events go out
    return jsonify({**decision_json(decision), "status": comment.status})


@blueprint.post(f"/comments/{COMMENT_ID_RULE}/revert")
def revert(comment_id: int) -> Response:
    """Take back the decision on an approved or rejected comment (it is held again); 409 if there is none."""
    new = parse_revert(json_object(allow_empty=True))
    session = db_session()
    reverted = transitions.revert_decision(session, comment_id, current_moderator(), reason=new.reason,
                                           decision_id=new.decision_id)
    session.commit()  # and with it the "reverted" webhook events go out
    return jsonify({**decision_json(reverted), "status": store.get_comment(session, comment_id).status})


@blueprint.get("/actions")
def actions() -> Response:
    """The audit log, newest first, optionally one moderator's or one action's."""
    page, per_page = pagination(services().settings.page_size)
    result = queries.audit_log(db_session(), moderator=query_id("moderator"),
                              action=query_choice("action", AUDIT_ACTIONS), page=page, per_page=per_page)
    return jsonify(page_json(result, decision_json))
