"""The outbox seen by a merchant, in the database: counting, listing, retrying a dead message, purging."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from restock.domain.model import MessageStatus
from restock.store.schema import OutboxMessage, WebhookAttempt

_PENDING = OutboxMessage.delivered_at.is_(None) & OutboxMessage.dead_at.is_(None)


def counts(session: Session) -> dict[str, int]:
    """How many messages are pending, dead and delivered."""

    def count(where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).where(where)) or 0)

    return {
        MessageStatus.PENDING: count(_PENDING),
        MessageStatus.DEAD: count(OutboxMessage.dead_at.is_not(None)),
        MessageStatus.DELIVERED: count(OutboxMessage.delivered_at.is_not(None)),
    }


def messages(session: Session, dead: bool, limit: int) -> list[OutboxMessage]:
    """The dead messages, or the pending ones; oldest first."""
    where = OutboxMessage.dead_at.is_not(None) if dead else _PENDING
    return list(session.scalars(select(OutboxMessage).where(where).order_by(OutboxMessage.id).limit(limit)))


def locked_message(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id, with_for_update=True)


def revive(session: Session, message: OutboxMessage) -> None:
    """A dead message due now again, with its full number of attempts."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(dead_at=None, next_attempt_at=None, locked_until=None, attempts=0)
    )
    session.refresh(message)


def purge_delivered_before(session: Session, cutoff: datetime) -> int:
    """Remove delivered messages created before `cutoff`, with their webhook attempts; returns how many."""
    old = select(OutboxMessage.id).where(OutboxMessage.delivered_at.is_not(None), OutboxMessage.created_at < cutoff)
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.outbox_id.in_(old)))
    removed = session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(old)))
    return int(removed.rowcount)  # type: ignore[attr-defined]
