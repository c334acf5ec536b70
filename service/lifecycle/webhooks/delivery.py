"""One delivery attempt: sign the payload, POST it, record the outcome and when to try again.

The signature header is ``X-Moderation-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
HMAC-SHA256 of ``"<t>.<body>"`` under the webhook's secret: the timestamp is signed with the body, so a
receiver can refuse replays older than a few minutes. No Flask or Celery here; the worker calls
:func:`attempt` with a session and commits.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.infra.integration_models import Webhook, WebhookDelivery
from service.infra.models import utcnow

SIGNATURE_HEADER = "X-Moderation-Signature"
REQUEST_TIMEOUT_SECONDS = 10.0
"""Longest wait for a receiver's answer; a slow receiver is a failed attempt, retried later."""
CLAIM_SECONDS = 60.0
"""An attempt in progress pushes the row's next attempt this far out, so a concurrent sweep skips it."""
MAX_BACKOFF_SECONDS = 3600.0


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, tolerance_seconds: float = 300.0,
           now: float | None = None) -> bool:
    """What a receiver does: True when ``header`` signs ``body`` with ``secret`` within the tolerance."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, fields.get("v1", ""))


def backoff_seconds(attempts: int, first: float) -> float:
    """Wait after the ``attempts``-th failure: first, 2×first, 4×first, … capped at an hour."""
    return min(MAX_BACKOFF_SECONDS, first * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Outcome:
    """What one attempt did (for logs and tests)."""

    status: str
    """delivered, retry, failed, or skipped (not due, already done, or taken by another attempt)."""
    status_code: int | None = None
    error: str | None = None


def claim(session: Session, delivery_id: int) -> bool:
    """Take a due, pending delivery for one attempt (commits); False if it is not due or someone else has it."""
    now = utcnow()
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    """POST and return (status code, error); a 2xx is (code, None)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, f"{type(error).__name__}: {reason}"[:500]


def attempt(session: Session, delivery_id: int, max_attempts: int, first_retry_seconds: float) -> Outcome:
    """Deliver once if due and unclaimed; record the result on the row and commit."""
    if not claim(session, delivery_id):
        return Outcome("skipped")
    delivery = session.get(WebhookDelivery, delivery_id)
    hook = session.get(Webhook, delivery.webhook_id) if delivery else None
    if delivery is None or hook is None:
        return Outcome("skipped")
    body = json.dumps({"id": f"dlv_{delivery.id}", **delivery.payload}, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json", "User-Agent": "moderation-webhooks/1",
        SIGNATURE_HEADER: sign(hook.secret, body, int(time.time())),
        "X-Moderation-Event": delivery.event, "X-Moderation-Delivery": str(delivery.id),
    }
    code, error = post(hook.url, body, headers)
    delivery.attempts += 1
    delivery.last_status_code = code
    delivery.last_error = error
    if error is None:
        delivery.status = "delivered"
        delivery.delivered_at = utcnow()
        outcome = Outcome("delivered", code)
    elif delivery.attempts >= max_attempts:
        delivery.status = "failed"
        outcome = Outcome("failed", code, error)
    else:
        delivery.next_attempt_at = utcnow() + timedelta(
            seconds=backoff_seconds(delivery.attempts, first_retry_seconds))
        outcome = Outcome("retry", code, error)
    session.commit()
    return outcome


def due(session: Session, limit: int = 100) -> list[int]:
    """Ids of pending deliveries whose next attempt is due, oldest first (what the sweep sends)."""
    return list(session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow())
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)
    ))
