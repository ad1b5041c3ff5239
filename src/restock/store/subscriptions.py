"""Restock subscriptions ("notify me") in the database: waiting in sign-up order, told, or unsubscribed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from restock.store.schema import Channel, RestockSubscription, Sku


def _waiting(sku_id: int, channel_id: int) -> Any:
    return (
        RestockSubscription.sku_id == sku_id,
        RestockSubscription.channel_id == channel_id,
        RestockSubscription.notified_at.is_(None),
        RestockSubscription.unsubscribed_at.is_(None),
    )


def waiting_of(session: Session, sku_id: int, channel_id: int, email: str) -> RestockSubscription | None:
    """The address's subscription still waiting for this SKU on this channel, if any."""
    return session.scalar(
        select(RestockSubscription).where(*_waiting(sku_id, channel_id)).where(RestockSubscription.email == email)
    )


def add(session: Session, sku_id: int, channel_id: int, email: str, now: datetime) -> RestockSubscription:
    """A new waiting subscription, or the one an identical sign-up committed at the same moment (the unique
    index on waiting subscriptions makes the second INSERT do nothing; it then reads the first one's row)."""
    factory = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        factory(RestockSubscription)
        .values(sku_id=sku_id, channel_id=channel_id, email=email, created_at=now)
        .on_conflict_do_nothing()
        .returning(RestockSubscription.id)
    )
    new_id = session.scalar(statement)
    found = (
        session.get(RestockSubscription, new_id)
        if new_id is not None
        else waiting_of(session, sku_id, channel_id, email)
    )
    assert found is not None, "a conflicting sign-up is committed, so it can be read"
    return found


def listed(session: Session, sku_id: int | None = None) -> list[tuple[RestockSubscription, str, str]]:
    """(subscription, SKU code, channel code) in sign-up order; one SKU's or all."""
    query = (
        select(RestockSubscription, Sku.code, Channel.code)
        .join(Sku, Sku.id == RestockSubscription.sku_id)
        .join(Channel, Channel.id == RestockSubscription.channel_id)
        .order_by(RestockSubscription.created_at, RestockSubscription.id)
    )
    if sku_id is not None:
        query = query.where(Sku.id == sku_id)
    return [(subscription, sku, channel) for subscription, sku, channel in session.execute(query)]


def signups_per_day(session: Session, sku_id: int) -> dict[date, int]:
    """How many shoppers asked for the SKU on each day (all channels)."""
    day = func.date(RestockSubscription.created_at)
    rows = session.execute(
        select(day, func.count()).where(RestockSubscription.sku_id == sku_id).group_by(day).order_by(day)
    )
    return {d if isinstance(d, date) else date.fromisoformat(str(d)): int(n) for d, n in rows}


def _waiting_of_address(email: str) -> Any:
    return (
        RestockSubscription.email == email,
        RestockSubscription.notified_at.is_(None),
        RestockSubscription.unsubscribed_at.is_(None),
    )


def unsubscribe_address(session: Session, email: str, now: datetime) -> int:
    """Every waiting subscription of the address stops, on every SKU and channel; returns how many.

    A subscription already told stays told: its alert was sent, and stopping it would change nothing.
    """
    done = session.execute(
        update(RestockSubscription)
        .where(*_waiting_of_address(email))
        .values(unsubscribed_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(done.rowcount)  # type: ignore[attr-defined]


def waiting_names_of_address(session: Session, email: str, other_than: int) -> list[str]:
    """The SKU names of the alerts still to be sent to an address (not told, not unsubscribed), in sign-up order,
    but for subscription `other_than`: what its unsubscribe link stops besides its own (one name per alert)."""
    return list(
        session.scalars(
            select(Sku.name)
            .join(RestockSubscription, RestockSubscription.sku_id == Sku.id)
            .where(*_waiting_of_address(email), RestockSubscription.id != other_than)
            .order_by(RestockSubscription.created_at, RestockSubscription.id)
        )
    )


def told_before_with_others_waiting(session: Session, before: datetime) -> list[tuple[str, str]]:
    """(SKU code, channel code) whose last batch was told before `before` and that still have subscribers waiting."""
    told = aliased(RestockSubscription)
    last_told = (
        select(func.max(told.notified_at))
        .where(told.sku_id == RestockSubscription.sku_id, told.channel_id == RestockSubscription.channel_id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Sku.code, Channel.code)
        .select_from(RestockSubscription)
        .join(Sku, Sku.id == RestockSubscription.sku_id)
        .join(Channel, Channel.id == RestockSubscription.channel_id)
        .where(RestockSubscription.notified_at.is_(None), RestockSubscription.unsubscribed_at.is_(None))
        .where(last_told <= before)
        .group_by(Sku.code, Channel.code)
        .order_by(Sku.code, Channel.code)
    )
    return [(sku, channel) for sku, channel in rows]


def take_next(session: Session, sku_id: int, channel_id: int, size: int, now: datetime) -> list[RestockSubscription]:
    """The next `size` waiting subscribers in sign-up order, marked as told; one another worker holds are skipped."""
    batch = list(
        session.scalars(
            select(RestockSubscription)
            .where(*_waiting(sku_id, channel_id))
            .order_by(RestockSubscription.created_at, RestockSubscription.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
    )
    for subscription in batch:
        subscription.notified_at = now
    return batch
