"""Adding, listing and removing webhooks, and reading their delivery log. Callers commit."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.infra.integration_models import WEBHOOK_EVENTS, Webhook, WebhookDelivery
from service.lifecycle.errors import DomainError, NotFound

URL_MAX_LENGTH = 2000


def parse_events(value: str) -> list[str]:
    """``held,published`` → ``["held", "published"]``; an unknown or missing event is a DomainError."""
    events = [event.strip() for event in value.split(",") if event.strip()]
    unknown = [event for event in events if event not in WEBHOOK_EVENTS]
    if unknown:
        raise DomainError(f"unknown event(s) {', '.join(unknown)}; choose from {','.join(WEBHOOK_EVENTS)}",
                          "events")
    if not events:
        raise DomainError(f"name at least one event of {','.join(WEBHOOK_EVENTS)}", "events")
    return sorted(set(events), key=WEBHOOK_EVENTS.index)


def check_url(url: str) -> str:
    """The URL if it is an absolute http(s) URL with a host; otherwise a DomainError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError(f"{url!r} is not an http:// or https:// URL", "url")
    if len(url) > URL_MAX_LENGTH:
        raise DomainError(f"the URL is longer than {URL_MAX_LENGTH} characters", "url")
    return url


def add_webhook(session: Session, url: str, events: Sequence[str]) -> Webhook:
    """Register a webhook with a new random secret (the caller shows it once)."""
    hook = Webhook(url=check_url(url), events=list(events), secret=f"whsec_{secrets.token_urlsafe(32)}",
                   active=True)
    session.add(hook)
    session.flush()
    return hook


def list_webhooks(session: Session) -> list[Webhook]:
    """Every webhook, oldest first."""
    return list(session.scalars(select(Webhook).order_by(Webhook.id)))


def remove_webhook(session: Session, webhook_id: int) -> None:
    """Delete a webhook and its deliveries (pending ones are never sent)."""
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound(f"no webhook {webhook_id}", "id")
    for delivery in session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)):
        session.delete(delivery)
    session.delete(hook)


def delivery_log(session: Session, webhook_id: int | None = None, limit: int = 50) -> list[WebhookDelivery]:
    """The most recent deliveries, newest first, optionally of one webhook."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    if webhook_id is not None:
        query = query.where(WebhookDelivery.webhook_id == webhook_id)
    return list(session.scalars(query))
