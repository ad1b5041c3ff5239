"""Webhook endpoints and the log of their delivery attempts, in the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.store.schema import OutboxMessage, WebhookAttempt, WebhookEndpoint


def add_endpoint(session: Session, url: str, secret: str, events: list[str], now: datetime) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(url=url, secret=secret, events=",".join(events), created_at=now)
    session.add(endpoint)
    session.flush()
    return endpoint


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


def active_endpoints(session: Session) -> list[WebhookEndpoint]:
    """The endpoints not disabled by an admin."""
    return list(session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.disabled_at.is_(None))))


def latest_attempts(session: Session, endpoint_id: int, limit: int) -> list[tuple[WebhookAttempt, str]]:
    """(attempt, the delivery's deduplication key), newest first."""
    rows = session.execute(
        select(WebhookAttempt, OutboxMessage.dedup_key)
        .join(OutboxMessage, OutboxMessage.id == WebhookAttempt.outbox_id)
        .where(WebhookAttempt.endpoint_id == endpoint_id)
        .order_by(WebhookAttempt.id.desc())
        .limit(limit)
    )
    return [(attempt, key) for attempt, key in rows]


def add_attempt(
    session: Session,
    endpoint_id: int,
    outbox_id: int,
    event: str,
    at: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
) -> None:
    """Log one delivery attempt (what the admin sees under the endpoint), successful or not."""
    session.add(
        WebhookAttempt(
            endpoint_id=endpoint_id,
            outbox_id=outbox_id,
            event=event,
            attempted_at=at,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
        )
    )
