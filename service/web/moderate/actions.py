"""Decisions from the workbench: form posts (CSRF-checked by the blueprint) that call the domain directly."""

from __future__ import annotations

from flask import Response, flash, g, redirect, request, url_for

from service.lifecycle import errors, queries, transitions
from service.lifecycle.policy import ACTIONS, CATEGORIES
from service.web.context import db_session, services
from service.web.moderate import blueprint
from service.web.moderate.security import safe_next


def _back() -> Response:
    return redirect(safe_next(request.form.get("next"), url_for("moderate.queue")))


def _decide(comment_id: int, action: str, labels: list[str], reason: str) -> str | None:
    """Decide one comment and commit; returns the Conflict/DomainError message instead of raising."""
    session = db_session()
    try:
        transitions.decide_by_moderator(session, services().settings, comment_id, g.moderator, action, labels=labels,
                                        reason=reason[:1000])
        session.commit()
    except errors.DomainError as error:
        session.rollback()
        return error.message
    return None


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()]


@blueprint.post("/decide")
def decide() -> Response:
    """Approve or reject one held comment; a comment someone else decided shows who did."""
    ids = _ids([request.form.get("comment_id", "")])
    action = request.form.get("action", "")
    if not ids:
        flash("No comment given.", "error")
        return _back()
    labels = [label for label in request.form.getlist("labels") if label in CATEGORIES]
    problem = _decide(ids[0], action, labels if action == "reject" else [], request.form.get("reason", ""))
    if problem:
        flash(problem, "error")
    else:
        flash(f"Comment {ids[0]} {'approved' if action == 'approve' else 'rejected'}.", "ok")
    return _back()


@blueprint.post("/bulk")
def bulk() -> Response:
    """Approve or reject every selected comment; conflicts are listed, the rest go through."""
    action = request.form.get("action", "")
    ids = _ids(request.form.getlist("ids"))
    _apply(ids, action, request.form.get("reason", ""))
    return _back()


@blueprint.post("/reject-author")
def reject_author() -> Response:
    """Reject every held comment of one author."""
    author_id = request.form.get("author_id", "")
    ids = queries.held_of_author(db_session(), author_id)
    _apply(ids, "reject", request.form.get("reason", "") or f"all held comments of author {author_id}")
    return _back()


def _apply(ids: list[int], action: str, reason: str) -> None:
    if action not in ACTIONS or not ids:
        flash("Choose comments and an action.", "error")
        return
    problems = [problem for problem in (_decide(i, action, [], reason) for i in ids) if problem]
    done = len(ids) - len(problems)
    flash(f"{done} comment(s) {'approved' if action == 'approve' else 'rejected'}.", "ok")
    for problem in problems:
        flash(problem, "error")
