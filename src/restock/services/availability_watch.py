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

from sqlalchemy.orm import Session

from restock.domain.events import AvailabilityChanged
from restock.services.availability import AvailabilityView, channel_info_of, decide_many, sku_info_of
from restock.services.context import Context
from restock.store import watchers
from restock.store.outbox import emit

AVAILABILITY_EVENT = "availability.changed"


def _states(session: Session, ctx: Context, sku_ids: list[int]) -> dict[tuple[str, str], AvailabilityView]:
    skus = [sku_info_of(sku) for sku in watchers.skus_by_id(session, sku_ids)]
    views: dict[tuple[str, str], AvailabilityView] = {}
    for channel in watchers.channels(session):
        for view in decide_many(session, ctx, skus, channel_info_of(session, channel), ctx.clock.today()):
            views[(view.sku, view.channel)] = view
    return views


@contextmanager
def watching_availability(session: Session, ctx: Context, sku_ids: Iterable[int]) -> Iterator[None]:
    """Compare what shoppers see before and after the wrapped change; write a message for each change."""
    ids = sorted(set(sku_ids))
    if not ids or not watchers.someone_listens(session, ids, AVAILABILITY_EVENT):
        yield
        return
    before = _states(session, ctx, ids)
    yield
    session.flush()
    after = _states(session, ctx, ids)
    now = ctx.clock.now()
    for change in _changes(before, after):
        emit(session, change, now)


def _changes(
    before: dict[tuple[str, str], AvailabilityView], after: dict[tuple[str, str], AvailabilityView]
) -> list[AvailabilityChanged]:
    """One event per (SKU, channel) whose state is not what it was."""
    changes = []
    for key, view in after.items():
        old = before.get(key)
        if old is None or old.decision.state is view.decision.state:
            continue
        d = view.decision
        changes.append(
            AvailabilityChanged(
                sku=view.sku,
                channel=view.channel,
                old_state=old.decision.state,
                new_state=d.state,
                available_now=d.available_now,
                backorderable=d.backorderable,
                ship_window=d.ship_window,
                reason=d.reason,
                notice=uuid.uuid4().hex,
            )
        )
    return changes
