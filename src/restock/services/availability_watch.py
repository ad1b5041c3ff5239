"""Noticing, inside a use case's transaction, that what shoppers see for a SKU changed.

A use case that changes supply (a receipt, an adjustment, a transfer, a PO confirmed, re-dated or
cancelled, an order cancelled) wraps its work in `watching_availability`; every (SKU, channel) whose
state changed gets an `availability_changed` outbox message, committed with the change or not at all.
The worker turns it into webhooks and, when the SKU became buyable, into back-in-stock e-mails. The
decision itself is the one every availability read uses (`services.availability.decide_many`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from restock.services.availability import AvailabilityView, channel_info_of, decide_many, sku_info_of, window_json
from restock.services.context import Context
from restock.store.outbox import emit
from restock.store.schema import Channel, RestockSubscription, Sku, WebhookEndpoint

AVAILABILITY_EVENT = "availability.changed"


def _someone_listens(session: Session, sku_ids: list[int]) -> bool:
    """Only a waiting subscriber or a webhook that wants the event makes the (few-query) comparison worth it."""
    waiting = exists().where(
        RestockSubscription.sku_id.in_(sku_ids),
        RestockSubscription.notified_at.is_(None),
        RestockSubscription.unsubscribed_at.is_(None),
    )
    hooked = exists().where(
        WebhookEndpoint.disabled_at.is_(None),
        or_(WebhookEndpoint.events == "*", WebhookEndpoint.events.contains(AVAILABILITY_EVENT)),
    )
    return bool(session.scalar(select(or_(waiting, hooked))))


def _states(session: Session, ctx: Context, sku_ids: list[int]) -> dict[tuple[str, str], AvailabilityView]:
    skus = [sku_info_of(sku) for sku in session.scalars(select(Sku).where(Sku.id.in_(sku_ids)).order_by(Sku.id))]
    views: dict[tuple[str, str], AvailabilityView] = {}
    for channel in session.scalars(select(Channel).order_by(Channel.id)):
        for view in decide_many(session, ctx, skus, channel_info_of(session, channel), ctx.clock.today()):
            views[(view.sku, view.channel)] = view
    return views


@contextmanager
def watching_availability(session: Session, ctx: Context, sku_ids: Iterable[int]) -> Iterator[None]:
    """Compare what shoppers see before and after the wrapped change; write a message for each change."""
    ids = sorted(set(sku_ids))
    if not ids or not _someone_listens(session, ids):
        yield
        return
    before = _states(session, ctx, ids)
    yield
    session.flush()
    after = _states(session, ctx, ids)
    now = ctx.clock.now()
    for key, view in after.items():
        old = before.get(key)
        if old is None or old.decision.state is view.decision.state:
            continue
        d = view.decision
        emit(
            session,
            "availability_changed",
            f"availability_changed:{view.sku}:{view.channel}:{uuid.uuid4().hex}",
            {
                "sku": view.sku,
                "channel": view.channel,
                "old_state": old.decision.state.value,
                "new_state": d.state.value,
                "available_now": d.available_now,
                "backorderable": d.backorderable,
                "ship_window": window_json(d.ship_window),
                "reason": d.reason.value,
            },
            now,
        )
