"""The webhook outbox, written by the transitions in the same transaction as the transition it reports.

No Flask or Celery here (the transitions import this module). A transition calls :func:`emit`, which adds one
WebhookDelivery per active webhook subscribed to the event and remembers their ids on the session. Whoever
builds a session factory hooks :func:`dispatch_on_commit` to it (the app factory, the worker, the command
line): the ids go to the worker's delivery task right after the session commits, and are forgotten when it
rolls back, so no caller can forget to send and the worker never sees a delivery that was rolled back.
Deliveries whose task never reached the broker (it was down) are found by the worker's sweep
(worker/webhook_tasks.py), so an event is never lost, only late.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from service.infra.integration_models import WEBHOOK_EVENTS, Webhook, WebhookDelivery
from service.infra.models import Comment, utcnow
from service.lifecycle.serialize import comment_detail

log = logging.getLogger("moderation.webhooks")

PENDING_KEY = "webhook_deliveries"
"""Key in ``Session.info`` of the ids written in this session and not yet handed to the worker."""


def payload(event: str, comment: Comment, extra: Mapping[str, object] | None = None) -> dict:
    """What a receiver gets: the event and the comment in the API's shape (CommentDetail, with its scores), and
    ``extra``."""
    return {
        **(extra or {}),
        "event": event,
        "occurred_at": utcnow().isoformat(),
        "comment": comment_detail(comment),
    }


def emit(session: Session, comment: Comment, event: str | None = None, also_for: Sequence[str] = (),
         extra: Mapping[str, object] | None = None) -> list[WebhookDelivery]:
    """Queue ``event`` (default: the comment's new status) for every webhook subscribed to it (no commit).

    ``also_for`` names events whose subscribers get this one too: a revert goes to whoever was told of the
    decision it takes back, so a site that only listens for "approved" still learns the comment is held again.
    ``extra`` adds top-level fields to the payload.
    """
    event = event or str(comment.status)
    if event not in WEBHOOK_EVENTS:
        return []
    wanted = {event, *also_for}
    webhooks = [hook for hook in session.scalars(select(Webhook).where(Webhook.active.is_(True)))
                if wanted & set(hook.events or [])]
    if not webhooks:
        return []
    body = payload(event, comment, extra)
    deliveries = [WebhookDelivery(webhook_id=hook.id, event=event, comment_id=comment.id, payload=body,
                                  status="pending", attempts=0, next_attempt_at=utcnow()) for hook in webhooks]
    session.add_all(deliveries)
    session.flush()
    session.info.setdefault(PENDING_KEY, []).extend(delivery.id for delivery in deliveries)
    return deliveries


def send_pending(session: Session, send: Callable[[int], object]) -> int:
    """After the commit: hand this session's new deliveries to ``send`` (one id each); returns how many.

    A send that fails is only logged: the row is committed and the worker's sweep delivers it later.
    """
    ids = session.info.pop(PENDING_KEY, [])
    sent = 0
    for delivery_id in ids:
        try:
            send(delivery_id)
            sent += 1
        except Exception as error:  # any broker failure; the sweep covers it
            log.warning("webhook delivery %s not queued (%s); the sweep will send it", delivery_id,
                        type(error).__name__)
    return sent


def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    # After a commit the ids are gone already (after_commit comes first); after a rollback, or a session closed
    # without committing, their rows no longer exist.
    if transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def dispatch_on_commit(sessions: sessionmaker[Session], send: Callable[[int], object]) -> sessionmaker[Session]:
    """Hook webhook dispatch to every session ``sessions`` makes: after each commit, its new deliveries go to
    ``send`` (see :func:`send_pending`); a rollback forgets them. Returns ``sessions``."""
    event.listen(sessions, "after_commit", lambda session: send_pending(session, send))
    event.listen(sessions, "after_transaction_end", _forget_uncommitted)
    return sessions
