"""Webhook endpoints and the log of their delivery attempts, in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
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


def failure_streak(session: Session, endpoint_id: int) -> tuple[int, datetime | None]:
    """(failed attempts since the endpoint's last success, when the last of them was): its breaker's state."""
    last_success = (
        select(func.coalesce(func.max(WebhookAttempt.id), 0))
        .where(
            WebhookAttempt.endpoint_id == endpoint_id,
            WebhookAttempt.status_code >= 200,
            WebhookAttempt.status_code < 300,
        )
        .scalar_subquery()
    )
    count, last_at = session.execute(
        select(func.count(WebhookAttempt.id), func.max(WebhookAttempt.attempted_at)).where(
            WebhookAttempt.endpoint_id == endpoint_id, WebhookAttempt.id > last_success
        )
    ).one()
    return int(count), last_at


def defer_deliveries(session: Session, message_ids: Sequence[int], until: datetime) -> None:
    """Hand claimed deliveries back, due again at `until` (an open breaker); no attempt is counted."""
    if not message_ids:
        return
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.delivered_at.is_(None))
        .values(locked_until=None, next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
