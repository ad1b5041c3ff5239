"""The outbox seen by a merchant: what is waiting, what died and why, and retrying a dead message by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from restock.config import utc_iso
from restock.domain.errors import Conflict, NotFound
from restock.services.context import Context, use_case
from restock.store.schema import OutboxMessage, WebhookAttempt

MAX_LISTED = 500


@dataclass(frozen=True)
class MessageView:
    id: int
    topic: str
    dedup_key: str
    created_at: datetime
    attempts: int
    last_error: str | None
    status: str
    """`pending`, `delivered` or `dead`."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "dedup_key": self.dedup_key,
            "created_at": utc_iso(self.created_at),
            "attempts": self.attempts,
            "last_error": self.last_error,
            "status": self.status,
        }


def _view(m: OutboxMessage) -> MessageView:
    status = "dead" if m.dead_at else "delivered" if m.delivered_at else "pending"
    return MessageView(m.id, m.topic, m.dedup_key, m.created_at, m.attempts, m.last_error, status)


@use_case(readonly=True)
def outbox_counts(session: Session, ctx: Context) -> dict[str, int]:
    """How many messages wait, died, and were delivered: the first thing to look at when mail seems stuck."""
    pending = OutboxMessage.delivered_at.is_(None) & OutboxMessage.dead_at.is_(None)
    return {
        "pending": int(session.scalar(select(func.count()).where(pending)) or 0),
        "dead": int(session.scalar(select(func.count()).where(OutboxMessage.dead_at.is_not(None))) or 0),
        "delivered": int(session.scalar(select(func.count()).where(OutboxMessage.delivered_at.is_not(None))) or 0),
    }


@use_case(readonly=True)
def list_messages(session: Session, ctx: Context, dead: bool = False) -> list[MessageView]:
    """Dead messages (with their last error), or the ones still waiting to be delivered; oldest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id).limit(MAX_LISTED)
    if dead:
        query = query.where(OutboxMessage.dead_at.is_not(None))
    else:
        query = query.where(OutboxMessage.delivered_at.is_(None), OutboxMessage.dead_at.is_(None))
    return [_view(m) for m in session.scalars(query)]


@use_case()
def retry_message(session: Session, ctx: Context, message_id: int) -> MessageView:
    """Bring a dead message back: due now, with its full number of attempts again."""
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound(f"unknown outbox message {message_id}")
    if message.dead_at is None:
        raise Conflict(f"outbox message {message_id} is not dead ({_view(message).status}): nothing to retry")
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(dead_at=None, next_attempt_at=None, locked_until=None, attempts=0)
    )
    session.refresh(message)
    return _view(message)


@use_case()
def purge_delivered(session: Session, ctx: Context) -> int:
    """The periodic clean-up: delivered messages older than RESTOCK_OUTBOX_KEEP_DAYS go, with their webhook
    attempts; pending and dead ones always stay. Returns how many messages were removed."""
    cutoff = ctx.clock.now() - timedelta(days=ctx.settings.notify.outbox_keep_days)
    # created_at is on the business clock like `cutoff` (delivered_at is the worker's real time)
    old = select(OutboxMessage.id).where(OutboxMessage.delivered_at.is_not(None), OutboxMessage.created_at < cutoff)
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.outbox_id.in_(old)))
    removed = session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(old)))
    return int(removed.rowcount)  # type: ignore[attr-defined]
