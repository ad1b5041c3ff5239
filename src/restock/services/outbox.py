"""The outbox seen by a merchant: what is waiting, what died and why, and retrying a dead message by hand."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from restock.domain.errors import Conflict, NotFound
from restock.domain.model import MessageStatus
from restock.services.context import Context, use_case
from restock.services.notify_views import MessageOut
from restock.store import outbox_admin as store
from restock.store.schema import OutboxMessage

MAX_LISTED = 500


MessageView = MessageOut


def _view(m: OutboxMessage) -> MessageView:
    status = MessageStatus.DEAD if m.dead_at else MessageStatus.DELIVERED if m.delivered_at else MessageStatus.PENDING
    return MessageView(
        id=m.id,
        topic=m.topic,
        dedup_key=m.dedup_key,
        created_at=m.created_at,
        attempts=m.attempts,
        last_error=m.last_error,
        status=status.value,
    )


@use_case(readonly=True)
def outbox_counts(session: Session, ctx: Context) -> dict[str, int]:
    """How many messages wait, died, and were delivered: the first thing to look at when mail seems stuck."""
    return store.counts(session)


@use_case(readonly=True)
def list_messages(session: Session, ctx: Context, dead: bool = False) -> list[MessageView]:
    """Dead messages (with their last error), or the ones still waiting to be delivered; oldest first."""
    return [_view(m) for m in store.messages(session, dead, MAX_LISTED)]


@use_case()
def retry_message(session: Session, ctx: Context, message_id: int) -> MessageView:
    """Bring a dead message back: due now, with its full number of attempts again."""
    message = store.locked_message(session, message_id)
    if message is None:
        raise NotFound(f"unknown outbox message {message_id}")
    if message.dead_at is None:
        raise Conflict(f"outbox message {message_id} is not dead ({_view(message).status}): nothing to retry")
    store.revive(session, message)
    return _view(message)


@use_case()
def purge_delivered(session: Session, ctx: Context) -> int:
    """The periodic clean-up: delivered messages older than RESTOCK_OUTBOX_KEEP_DAYS go, with their webhook
    attempts; pending and dead ones always stay. Returns how many messages were removed."""
    cutoff = ctx.clock.now() - timedelta(days=ctx.settings.notify.outbox_keep_days)
    # created_at is on the business clock like `cutoff` (delivered_at is the worker's real time)
    return store.purge_delivered_before(session, cutoff)
