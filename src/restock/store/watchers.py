"""Who listens for availability changes, and the rows the before/after comparison decides on."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from restock.store.schema import Channel, RestockSubscription, Sku, WebhookEndpoint


def someone_listens(session: Session, sku_ids: Sequence[int], webhook_event: str) -> bool:
    """A subscriber waits for one of these SKUs, or an active webhook wants the event: one query."""
    waiting = exists().where(
        RestockSubscription.sku_id.in_(sku_ids),
        RestockSubscription.notified_at.is_(None),
        RestockSubscription.unsubscribed_at.is_(None),
    )
    hooked = exists().where(
        WebhookEndpoint.disabled_at.is_(None),
        or_(WebhookEndpoint.events == "*", WebhookEndpoint.events.contains(webhook_event)),
    )
    return bool(session.scalar(select(or_(waiting, hooked))))


def skus_by_id(session: Session, sku_ids: Sequence[int]) -> list[Sku]:
    return list(session.scalars(select(Sku).where(Sku.id.in_(sku_ids)).order_by(Sku.id)))


def channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.id)))
