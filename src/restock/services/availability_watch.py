"""Noticing, inside a use case's transaction, that what shoppers see for a SKU changed.

Whenever an answer changes (`domain.availability.answer_changed`: its state, or one of its windows), one
`availability_changed` outbox message per (SKU, channel) is written with the change, committed with it or not at
all, whoever listens today: the worker turns it into webhooks and, when the SKU became buyable, into back-in-stock
e-mails; connectors read the same events. The decision is the one every availability read uses
(`services.availability.decide_one`).

Use cases that change supply or stock otherwise than by an order (a receipt and its fills, an adjustment, a
transfer, a PO confirmed, re-dated or cancelled, an order cancelled) wrap their work in `watching_availability`,
which compares the answers before and after. Placing an order is the busiest write a shop makes, so it is watched
more cheaply (`after_an_order`): only an order that took the last sellable units somewhere or backordered units
can change an answer (`domain.availability.an_order_may_change_the_answer`); only for those SKUs are answers
computed, after the order and as they were before it (what the order took, given back).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from restock.domain import availability as rules
from restock.domain.events import AvailabilityChanged
from restock.domain.lines import PartKind
from restock.domain.placed import PlacedLine, PlacedOrder
from restock.services.availability import Free, Supply, decide_one, sku_info_of
from restock.services.context import Context
from restock.store import availability_reads as reads
from restock.store import watchers
from restock.store.first_sales import mark_first_sold
from restock.store.ledger import free_stock_of_skus
from restock.store.orders import ChannelInfo, SkuInfo
from restock.store.outbox import emit
from restock.store.supply import open_supply_for_skus

Answers = dict[tuple[str, str], rules.Availability]
"""The answer per (SKU code, channel code)."""


@dataclass(frozen=True)
class _Reading:
    """Everything the answers of some SKUs on every channel are decided from, read at one moment."""

    skus: Sequence[SkuInfo]
    channels: Sequence[ChannelInfo]
    free: Free
    supply: dict[int, Supply]
    """By channel id."""


def _read(session: Session, skus: Sequence[SkuInfo]) -> _Reading:
    """One query for the channels, one for the stock, one per channel for its supply."""
    channels = reads.every_channel(session)
    ids = [sku.id for sku in skus]
    warehouses = sorted({w for channel in channels for w in channel.warehouse_ids})
    free = free_stock_of_skus(session, ids, warehouses)
    supply = {channel.id: open_supply_for_skus(session, ids, channel.id) for channel in channels}
    return _Reading(skus, channels, free, supply)


def _answers(ctx: Context, reading: _Reading, today: date) -> Answers:
    return {
        (sku.code, channel.code): decide_one(ctx, sku, channel, today, reading.free, reading.supply[channel.id])
        for channel in reading.channels
        for sku in reading.skus
    }


def _skus(session: Session, sku_ids: Sequence[int]) -> list[SkuInfo]:
    return [sku_info_of(sku) for sku in watchers.skus_by_id(session, sku_ids)]


@contextmanager
def watching_availability(session: Session, ctx: Context, sku_ids: Iterable[int]) -> Iterator[None]:
    """Compare what shoppers see before and after the wrapped change; write a message for each change."""
    ids = sorted(set(sku_ids))
    if not ids:
        yield
        return
    today = ctx.clock.today()
    before = _answers(ctx, _read(session, _skus(session, ids)), today)
    yield
    session.flush()
    after = _answers(ctx, _read(session, _skus(session, ids)), today)  # the SKUs again: a change may edit them
    emit_changes(session, before, after, ctx.clock.now())


def emit_changes(session: Session, before: Answers, after: Answers, now: datetime) -> int:
    """One `availability_changed` message per (SKU, channel) whose answer changed; how many were written."""
    changes = [
        _change(sku, channel, old, new)
        for (sku, channel), new in after.items()
        if (old := before.get((sku, channel))) is not None and rules.answer_changed(old, new)
    ]
    for change in changes:
        emit(session, change, now)
    return len(changes)


def _change(sku: str, channel: str, old: rules.Availability, new: rules.Availability) -> AvailabilityChanged:
    return AvailabilityChanged(
        sku=sku,
        channel=channel,
        old_state=old.state,
        new_state=new.state,
        available_now=new.available_now,
        backorderable=new.backorderable,
        ship_window=new.ship_window,
        reason=new.reason,
        backorder_window=new.backorder_window,
        old_available_now=old.available_now,
        old_backorderable=old.backorderable,
        old_ship_window=old.ship_window,
        old_backorder_window=old.backorder_window,
        old_reason=old.reason,
        notice=uuid.uuid4().hex,
    )


# ---------------------------------------------------------------- orders


def after_an_order(session: Session, ctx: Context, order: PlacedOrder, skus: Iterable[SkuInfo], today: date) -> None:
    """What a placed order changed besides itself, in its transaction: a SKU's first sale
    (`domain.availability.is_first_sale`; marked only for SKUs the order read never sold, so one UPDATE at most
    once in a SKU's life), and the availability answers it changed."""
    by_id = {sku.id: sku for sku in skus}
    first = [sku.id for sku in by_id.values() if rules.is_first_sale(sku.release_date, sku.first_sold_at, today)]
    mark_first_sold(session, first, order.placed_at)
    changed = _may_have_changed(session, order.lines)
    suspects = [line for line in order.lines if line.sku_id in changed]
    if not suspects:
        return
    reading = _read(session, [by_id[line.sku_id] for line in suspects])
    before = _answers(ctx, _given_back(reading, suspects), today)
    emit_changes(session, before, _answers(ctx, reading, today), order.placed_at)


def _may_have_changed(session: Session, lines: Sequence[PlacedLine]) -> set[int]:
    """The SKUs whose answer the order may have changed somewhere; the stock it left is read only for lines
    that took nothing but stock."""
    backordered = {line.sku_id: _units(line, PartKind.BACKORDERED) for line in lines}
    taken = [
        (line.sku_id, part.warehouse_id)
        for line in lines
        if not backordered[line.sku_id]
        for part in line.parts
        if part.kind is PartKind.ALLOCATED and part.warehouse_id is not None
    ]
    left: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for sku_id, free, buffer in reads.stock_left(session, taken):
        left[sku_id].append((free, buffer))
    return {
        line.sku_id
        for line in lines
        if rules.an_order_may_change_the_answer(backordered[line.sku_id], left[line.sku_id])
    }


def _units(line: PlacedLine, kind: PartKind) -> int:
    return sum(part.quantity for part in line.parts if part.kind is kind)


def _given_back(reading: _Reading, lines: Sequence[PlacedLine]) -> _Reading:
    """The reading as it was before these lines were placed: their stock free again, their promises unmade.

    Exact, because the order holds its SKUs' locks: nothing else changed their stock or supply meanwhile.
    """
    free = dict(reading.free)
    promised: dict[int, int] = defaultdict(int)
    for line in lines:
        for part in line.parts:
            if part.kind is PartKind.ALLOCATED and part.warehouse_id is not None:
                key = (line.sku_id, part.warehouse_id)
                free[key] = free.get(key, 0) + part.quantity
            elif part.kind is PartKind.BACKORDERED and part.po_line_id is not None:
                promised[part.po_line_id] += part.quantity
    supply = {
        channel_id: {
            sku_id: [replace(po, promised=po.promised - promised.get(po.po_line_id, 0)) for po in pos]
            for sku_id, pos in by_sku.items()
        }
        for channel_id, by_sku in reading.supply.items()
    }
    return replace(reading, free=free, supply=supply)
