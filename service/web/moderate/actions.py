"""Decisions from the workbench: form posts (CSRF-checked by the blueprint) that call the domain directly.

Every decision is offered for undo for UNDO_SECONDS: the decisions just made are kept in the session, the next
page shows an Undo button (and the `u` key) until the time is up, and pressing it reverts exactly those
decisions through the same transition as the API's revert (a decision someone has replaced since is left alone).
"""

from __future__ import annotations

import time

from flask import Response, flash, g, redirect, request, session, url_for

from service.infra.models import Decision
from service.lifecycle import errors, queries, store, transitions
from service.lifecycle.policy import ACTIONS, CATEGORIES
from service.web.context import db_session, services
from service.web.moderate import blueprint
from service.web.moderate.security import safe_next

UNDO_SECONDS = 10
"""How long the page offers to undo a decision (a revert through the API or the log stays possible after)."""
UNDO_KEY = "undo"
"""Session key of the last decisions ``[[comment_id, decision_id], ...]`` and when the offer ends."""
UNDO_MAX = 50
"""At most this many decisions are offered for undo at once (a bulk action of a whole page); keeps the cookie
small."""


def _back() -> Response:
    return redirect(safe_next(request.form.get("next"), url_for("moderate.queue")))


def _decide(comment_id: int, action: str, labels: list[str], reason: str) -> Decision | str:
    """Decide one comment and commit; returns the decision, or the Conflict/DomainError message instead of raising."""
    db = db_session()
    try:
        comment = store.get_comment(db, comment_id)
        decision = transitions.decide_by_moderator(db, services().settings, comment, g.moderator, action,
                                                   labels=labels, reason=reason[:1000])
        db.commit()
    except errors.DomainError as error:
        db.rollback()
        return error.message
    return decision


def _offer_undo(decisions: list[Decision]) -> None:
    """Remember the decisions just made, for the next page's Undo button."""
    if decisions:
        session[UNDO_KEY] = {"decisions": [[d.comment_id, d.id] for d in decisions[:UNDO_MAX]],
                             "until": time.time() + UNDO_SECONDS}
    else:
        session.pop(UNDO_KEY, None)


def undo_offer() -> dict | None:
    """The pending undo offer, once (the page that shows it takes it), with the seconds left; None if none or late."""
    offer = session.pop(UNDO_KEY, None)
    if not isinstance(offer, dict) or not isinstance(offer.get("decisions"), list):
        return None
    left = int(float(offer.get("until", 0)) - time.time())
    if left <= 0:
        return None
    return {"decisions": offer["decisions"], "seconds": left,
            "comments": ", ".join(f"#{comment_id}" for comment_id, _ in offer["decisions"])}


def _pairs(values: list[str]) -> list[tuple[int, int]]:
    """``comment_id:decision_id`` form values; anything else is ignored."""
    pairs = []
    for value in values:
        comment_id, _, decision_id = value.partition(":")
        if comment_id.isdigit() and decision_id.isdigit():
            pairs.append((int(comment_id), int(decision_id)))
    return pairs


@blueprint.post("/revert")
def revert() -> Response:
    """Undo: revert the decisions the page offered (each only if it is still its comment's latest)."""
    pairs = _pairs(request.form.getlist("decision"))[:UNDO_MAX]
    if not pairs:
        flash("Nothing to undo.", "error")
        return _back()
    db = db_session()
    back = []
    for comment_id, decision_id in pairs:
        try:
            transitions.revert_decision(db, comment_id, g.moderator, reason="undone in the workbench",
                                        decision_id=decision_id)
            db.commit()
        except errors.DomainError as error:
            db.rollback()
            flash(error.message, "error")
            continue
        back.append(f"#{comment_id}")
    session.pop(UNDO_KEY, None)
    if back:
        flash(f"Undone: {', '.join(back)} {'is' if len(back) == 1 else 'are'} back in the queue.", "ok")
    return _back()


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
    outcome = _decide(ids[0], action, labels if action == "reject" else [], request.form.get("reason", ""))
    if isinstance(outcome, str):
        flash(outcome, "error")
        _offer_undo([])
    else:
        flash(f"Comment {ids[0]} {'approved' if action == 'approve' else 'rejected'}.", "ok")
        _offer_undo([outcome])
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
    outcomes = [_decide(i, action, [], reason) for i in ids]
    made = [outcome for outcome in outcomes if isinstance(outcome, Decision)]
    flash(f"{len(made)} comment(s) {'approved' if action == 'approve' else 'rejected'}.", "ok")
    for problem in outcomes:
        if isinstance(problem, str):
            flash(problem, "error")
    _offer_undo(made)
