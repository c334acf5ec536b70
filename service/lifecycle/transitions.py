"""The comment lifecycle: every state transition goes through here, nowhere else.

pending → published | held | rejected (auto-reject); published → held (reader reports, by the policy's report rule:
enough distinct reporters, one report on a comment that already scored high, or a moderator's report);
held → approved | rejected (a moderator, or "model" when a better model releases it);
approved | rejected → held (a moderator reverts the decision).

Functions take a Session and never commit: the caller (a view, a task, a command) commits, and only then
is work enqueued, so a task never runs before its row exists. Each transition writes its webhook events
to the outbox in the same transaction (service.lifecycle.webhooks.outbox); the commit itself sends them
(dispatch_on_commit, hooked where session factories are built). Neither Flask nor Celery is imported here.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from service.config import Settings
from service.infra.models import Comment, Decision, Moderator, Report, Status, utcnow
from service.lifecycle.assess import ScoreResult
from service.lifecycle.errors import Conflict, DomainError
from service.lifecycle.head_scores import copy_scores, scores_of, write_scores
from service.lifecycle.policy import ACTIONS, CATEGORIES, REVERT, Policy, policy_for_comment
from service.lifecycle.reporters import Reporter
from service.lifecycle.store import get_comment
from service.lifecycle.webhooks import outbox


def _store_scores(comment: Comment, result: ScoreResult, policy: Policy) -> list[str]:
    """Write ``result`` onto the comment; return the hold reasons its scores and name give under ``policy``."""
    write_scores(comment, result.scores, result.name_scores)
    comment.name_match = dict(result.name_match) if result.name_match else None
    comment.spans = [dict(span) for span in result.spans]
    comment.model_version = result.model_version
    comment.scored_at = utcnow()
    reasons = [f"model:{category}" for category in policy.over(result.scores, policy.hold)]
    if policy.holds_name(result.name_scores):
        reasons.append("name")
    return reasons


def record_score(session: Session, comment_id: int, result: ScoreResult, policy: Policy) -> Comment | None:
    """Store scores and publish, hold or auto-reject. Idempotent: a comment past pending is left alone."""
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status != Status.PENDING:
        return None
    reasons = _store_scores(comment, result, policy)
    if comment.report_count and _reports_hold(session, comment, policy):  # reported while it waited for scores
        reasons.append("report")
    rejected = policy.over(result.scores, policy.reject)
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
    outbox.emit(session, comment)  # webhooks: written in this transaction, sent once it commits
    return comment


def report_comment(session: Session, comment: Comment, reason: str = "", reporter: Reporter | None = None,
                   policy: Policy | None = None) -> Comment:
    """A report, stored and counted; it holds a published comment only when ``policy``'s report rule says so.

    The rule (:meth:`Policy.reports_hold`): a moderator's report holds at once; readers' reports hold once
    enough distinct reporters filed them, or at the first one when the comment already scored high. The same
    reporter reporting again is stored (its reason may be new) but counts once. A held comment gains the
    "report" reason by the same rule; a decided one stays decided; a pending one is judged when its scores
    arrive (:func:`record_score`). Without a ``policy``, the default rule with no hold thresholds known.
    ``comment`` is the caller's (loaded once, e.g. with :func:`service.lifecycle.store.get_comment`).
    """
    reporter = reporter or Reporter()
    session.add(Report(comment_id=comment.id, reason=reason, reporter_id=reporter.reader_id,
                       reporter_key=reporter.key))
    comment.report_count = (comment.report_count or 0) + 1
    if comment.status not in (Status.PUBLISHED, Status.HELD) or "report" in (comment.hold_reasons or []):
        return comment
    if not _reports_hold(session, comment, policy or Policy(hold={})):
        return comment
    comment.hold_reasons = [*(comment.hold_reasons or []), "report"]
    if comment.status == Status.PUBLISHED:
        comment.status = Status.HELD
        outbox.emit(session, comment)
    return comment


def report_by_reader(session: Session, settings: Settings, comment: Comment, reason: str = "",
                     reporter: Reporter | None = None) -> Comment:
    """A report as the API takes it (see :func:`report_comment`), judged by the policy in force for the model that
    scored the comment: the same hold thresholds the worker held or published it by."""
    policy = policy_for_comment(session, settings, comment)
    return report_comment(session, comment, reason=reason, reporter=reporter, policy=policy)


def _reports_hold(session: Session, comment: Comment, policy: Policy) -> str | None:
    """Whether (and why) the reports filed on ``comment`` so far hold it under ``policy``."""
    keys = list(session.scalars(select(Report.reporter_key).where(Report.comment_id == comment.id)))
    # Distinct reporters: one per key, and one per report without a key (filed before reporters were recorded).
    reporters = len({key for key in keys if key is not None}) + sum(key is None for key in keys)
    trusted = any(key is not None and key.startswith("moderator:") for key in keys)
    return policy.reports_hold(scores_of(comment), reporters, trusted)


def _audit(comment: Comment, moderator: Moderator | None, actor: str, action: str, labels: Sequence[str],
           reason: str) -> Decision:
    decision = Decision(
        comment_id=comment.id, moderator_id=moderator.id if moderator else None, actor=actor, action=action,
        labels=list(labels), reason=reason, model_version=comment.model_version,
    )
    copy_scores(decision, comment)
    return decision


def _latest_decision(session: Session, comment: Comment) -> Decision | None:
    return session.scalars(
        select(Decision).where(Decision.comment_id == comment.id).order_by(Decision.id.desc()).limit(1)
    ).first()


def _flush_or_conflict(session: Session, comment_id: int) -> None:
    # Takes the id, not the comment: after the rollback the comment's attributes are expired.
    try:
        session.flush()  # the revision check: a concurrent decision makes this UPDATE match no row
    except StaleDataError as error:
        session.rollback()
        raise Conflict(f"comment {comment_id} was just decided by another moderator", "id") from error


def decide(
    session: Session, comment: Comment, moderator: Moderator, action: str,
    labels: Sequence[str] | None = None, reason: str = "", policy: Policy | None = None,
) -> Decision:
    """A moderator approves or rejects a held comment; the decision is also a training label.

    Approve means "neither hostile nor a slur". Reject takes the labels given, or, when none are
    given, the categories whose scores reached the hold threshold. Deciding a comment that is not
    held (already decided, or never queued) is a Conflict naming who decided it, never an overwrite.
    ``comment`` is the caller's, loaded once (it is not read again here).
    """
    if action not in ACTIONS:
        raise DomainError(f"action must be one of {', '.join(ACTIONS)}", "action")
    unknown = sorted(set(labels or ()) - set(CATEGORIES))
    if unknown:
        raise DomainError(f"unknown label(s): {', '.join(unknown)}", "labels")
    comment_id = comment.id
    if comment.status != Status.HELD:
        last = _latest_decision(session, comment)
        who = f" by {last.actor} at {last.created_at:%Y-%m-%d %H:%M:%S}" if last else ""
        raise Conflict(f"comment {comment.id} is {comment.status}{who}, not held", "id")
    if action == "approve":
        chosen: list[str] = []
    elif labels:
        chosen = [c for c in CATEGORIES if c in labels]
    else:
        chosen = policy.over(scores_of(comment), policy.hold) if policy else []
    comment.status = Status.APPROVED if action == "approve" else Status.REJECTED
    comment.decided_at = utcnow()
    decision = _audit(comment, moderator, moderator.name, action, chosen, reason)
    session.add(decision)
    _flush_or_conflict(session, comment_id)
    outbox.emit(session, comment)
    return decision


REVERTED_EVENT = "reverted"
"""The webhook event of a revert (the payload's comment says "held")."""


def revert_decision(session: Session, comment_id: int, moderator: Moderator, reason: str = "",
                    decision_id: int | None = None) -> Decision:
    """A moderator takes back the decision that approved or rejected a comment: it is held again.

    The one road for the workbench's undo and the API's revert. The audit log gets a "revert" row (the
    decision stays in the log, so the history is complete); the retraining labels skip a reverted decision
    (service.lifecycle.retrain.labels). Only an approved or rejected comment has a decision to revert (a
    model's auto-reject included); anything else is a Conflict. With ``decision_id`` the revert happens only
    if that is still the comment's latest decision, so an undo offered a few seconds ago cannot take back
    what another moderator decided since. The "reverted" webhook event goes to subscribers of "reverted" and
    of the status it leaves (whoever was told of the decision is told it was taken back).
    """
    comment = get_comment(session, comment_id)
    last = _latest_decision(session, comment)
    if comment.status not in (Status.APPROVED, Status.REJECTED) or last is None or last.action not in ACTIONS:
        raise Conflict(f"comment {comment.id} is {comment.status}: there is no decision to revert", "id")
    if decision_id is not None and last.id != decision_id:
        raise Conflict(f"decision {decision_id} is not the latest decision on comment {comment.id} (that is "
                       f"{last.id}, {last.action} by {last.actor}); nothing was reverted", "decision_id")
    left = str(comment.status)
    comment.status = Status.HELD
    comment.decided_at = None
    why = f"reverts decision {last.id} ({last.action} by {last.actor})" + (f": {reason}" if reason else "")
    revert = _audit(comment, moderator, moderator.name, REVERT, [], why[:1000])
    session.add(revert)
    _flush_or_conflict(session, comment_id)
    outbox.emit(session, comment, REVERTED_EVENT, also_for=(left,), extra={"reverted_decision": {
        "id": last.id, "action": last.action, "actor": last.actor, "reverted_by": moderator.name}})
    return revert


def decide_by_moderator(session: Session, settings: Settings, comment: Comment, moderator: Moderator, action: str,
                        labels: Sequence[str] | None = None, reason: str = "") -> Decision:
    """A moderator's decision as the API and the workbench both make it (see :func:`decide`).

    A reject without labels takes the categories that reached the hold thresholds of the model that scored
    the comment (configuration first), the numbers the worker held it by; the registry has them without
    loading that model's bundle.
    """
    policy = policy_for_comment(session, settings, comment)
    return decide(session, comment, moderator, action, labels=labels, reason=reason, policy=policy)


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


