"""The statements of the order hot path: placing an order is the busiest write a shop makes.

Plain Core statements on tables (not ORM entities) skip the unit-of-work bookkeeping. The reads are built
once, at import. The writes go in as few round trips as the database allows: an order holds its SKUs'
locks from its first statement to its commit, and every round trip in between is time in which the next
order for a popular SKU waits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NoReturn

from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    DateTime,
    Insert,
    Select,
    Table,
    bindparam,
    exists,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from restock.domain.errors import NotFound
from restock.domain.events import OrderPlaced
from restock.domain.model import BackorderPolicy, SkuPolicy
from restock.domain.placed import PlacedOrder
from restock.store.ledger import guarded_change, record_of
from restock.store.outbox import OUTBOX, event_row
from restock.store.placed import line_row, order_row, owner_of, part_row, part_rows
from restock.store.schema import Channel, ChannelWarehouse, LinePart, Order, OrderLine, Sku, Stock, table
from restock.store.together import insert_together

_sku, _channel, _serves = table(Sku), table(Channel), table(ChannelWarehouse)
_ORDER_CONTEXT_UNLOCKED = (
    select(
        _sku.c.id.label("sku_id"),
        _sku.c.code,
        _sku.c.backorder_policy,
        _sku.c.max_wait_days,
        _sku.c.backorder_limit_pct,
        _sku.c.archived_at,
        _sku.c.release_date,
        _sku.c.first_sold_at,
        _channel.c.id.label("channel_id"),
        _channel.c.safety_buffer,
        _channel.c.shipping_policy,
        _serves.c.warehouse_id,
    )
    .select_from(_sku.join(_channel, true()).outerjoin(_serves, _serves.c.channel_id == _channel.c.id))
    .where(_sku.c.code.in_(bindparam("codes", expanding=True)), _channel.c.code == bindparam("channel"))
    .order_by(_sku.c.id, _serves.c.rank)
)
# The SKU locks, in id order: see restock.store.repo.lock_skus.
_ORDER_CONTEXT = _ORDER_CONTEXT_UNLOCKED.with_for_update(of=_sku, key_share=True)
_stock = table(Stock)
_READ_CONTEXT = (
    select(
        _sku.c.id.label("sku_id"),
        _sku.c.backorder_policy,
        _sku.c.max_wait_days,
        _sku.c.backorder_limit_pct,
        _sku.c.archived_at,
        _sku.c.release_date,
        _sku.c.first_sold_at,
        _channel.c.id.label("channel_id"),
        _channel.c.safety_buffer,
        _serves.c.warehouse_id,
        (_stock.c.on_hand - _stock.c.allocated).label("free"),
    )
    .select_from(
        _sku.join(_channel, true())
        .outerjoin(_serves, _serves.c.channel_id == _channel.c.id)
        .outerjoin(_stock, (_stock.c.sku_id == _sku.c.id) & (_stock.c.warehouse_id == _serves.c.warehouse_id))
    )
    .where(_sku.c.code == bindparam("sku"), _channel.c.code == bindparam("channel"))
    .order_by(_serves.c.rank)
)
_orders, _lines, _parts = table(Order), table(OrderLine), table(LinePart)


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    code: str
    safety_buffer: int
    warehouse_ids: tuple[int, ...]
    """In the order orders take stock from them."""
    shipping_policy: str = "as_available"
    """The channel's: what an order placed on it follows unless it has its own."""


@dataclass(frozen=True)
class SkuInfo:
    id: int
    code: str
    policy: SkuPolicy
    release_date: date | None = None
    first_sold_at: datetime | None = None
    """With `release_date`: whether it is a pre-order (`domain.availability.is_preorder`)."""
    archived: bool = False
    """Archived: no new orders, out of stock for shoppers (`restock.domain.catalog`)."""


def order_context(
    session: Session, channel_code: str, sku_codes: list[str], lock: bool = True
) -> tuple[ChannelInfo, dict[str, SkuInfo]]:
    """The channel (with its warehouses in allocation order) and the SKUs of an order, in one query that
    also takes the SKUs' locks unless told not to. Only when something is missing do more queries find out what."""
    statement = _ORDER_CONTEXT if lock else _ORDER_CONTEXT_UNLOCKED
    rows = session.execute(statement, {"codes": sku_codes, "channel": channel_code}).all()
    if not rows:
        _raise_what_is_missing(session, channel_code, sku_codes)
    first = rows[0]
    warehouses = tuple(r.warehouse_id for r in rows if r.sku_id == first.sku_id and r.warehouse_id)
    channel = ChannelInfo(first.channel_id, channel_code, first.safety_buffer, warehouses, first.shipping_policy)
    skus = {row.code: _sku_of(row, row.code) for row in rows}
    missing = [code for code in sku_codes if code not in skus]
    if missing:
        raise NotFound(f"unknown SKU {missing[0]!r}" if len(missing) == 1 else f"unknown SKUs {missing!r}")
    return channel, skus


def _raise_what_is_missing(session: Session, channel_code: str, sku_codes: list[str]) -> NoReturn:
    if session.scalar(select(_channel.c.id).where(_channel.c.code == channel_code)) is None:
        raise NotFound(f"unknown channel {channel_code!r}")
    raise NotFound(f"unknown SKU {sku_codes[0]!r}" if len(sku_codes) == 1 else f"unknown SKUs {sku_codes!r}")


def read_context(
    session: Session, sku_code: str, channel_code: str
) -> tuple[SkuInfo, ChannelInfo, dict[tuple[int, int], int]]:
    """A SKU, a channel with its warehouses in order, and the SKU's free units there, in one query (no locks)."""
    rows = session.execute(_READ_CONTEXT, {"sku": sku_code, "channel": channel_code}).all()
    if not rows:
        _raise_what_is_missing(session, channel_code, [sku_code])
    first = rows[0]
    sku = _sku_of(first, sku_code)
    served = [row for row in rows if row.warehouse_id is not None]
    channel = ChannelInfo(first.channel_id, channel_code, first.safety_buffer, tuple(r.warehouse_id for r in served))
    free = {(sku.id, r.warehouse_id): int(r.free) for r in served if r.free is not None}
    return sku, channel, free


def _sku_of(row: Any, code: str) -> SkuInfo:
    """The SKU of a row of either context query, with what tells whether it is a pre-order."""
    return SkuInfo(
        row.sku_id, code, _policy_of(row), row.release_date, row.first_sold_at, archived=row.archived_at is not None
    )


def _policy_of(row: Any) -> SkuPolicy:
    """A row of either context query, read by column name."""
    return SkuPolicy(BackorderPolicy(row.backorder_policy), row.max_wait_days, row.backorder_limit_pct)


def insert_order(session: Session, order: PlacedOrder) -> dict[int, int]:
    """The order row and its lines, in one round trip on PostgreSQL; each line's id by its SKU's id.

    The order row claims its idempotency key here: a racing duplicate fails on it and rolls back whole.
    """
    lines = [line_row(order, line) for line in order.lines]
    returning = (_lines.c.id, _lines.c.sku_id)
    rows = insert_together(session, (_orders, [order_row(order)]), (_lines, lines), returning=returning)
    return {int(row.sku_id): int(row.id) for row in rows}


def insert_parts(session: Session, order: PlacedOrder, line_ids: dict[int, int], confirmation: OrderPlaced) -> None:
    """The lines' parts and the order's outbox message, in one round trip on PostgreSQL."""
    insert_together(
        session, (_parts, part_rows(order, line_ids)), (OUTBOX, [event_row(confirmation, confirmation.placed_at)])
    )


def claim_and_place(
    session: Session, claim: dict[str, Any], order: PlacedOrder, confirmation: OrderPlaced, may_be_first_sale: bool
) -> int | None:
    """PostgreSQL: claim a one-line order's stock and write the whole order, in one statement; the line's id, or
    None when the claim's guard refused it (then nothing at all was written).

    The order's rows are written only from the claim's row, so they exist exactly when the stock was taken,
    and the SKU's lock is held for this one round trip and the commit. The part is linked to the line the
    statement inserts (its `order_line_id` here is a placeholder).
    """
    [placed] = order.lines
    [first_part] = placed.parts
    line, part = line_row(order, placed), part_row(owner_of(order, placed, 0), first_part)
    order_values, message = order_row(order), event_row(confirmation, confirmation.placed_at)
    statement = _claim_and_place_statement(
        tuple(order_values), tuple(line), tuple(part), tuple(message), may_be_first_sale
    )
    values = (
        claim | _named(_orders, order_values) | _named(_lines, line) | _named(_parts, part) | _named(OUTBOX, message)
    )
    if may_be_first_sale:
        values |= {"first_sale_at": order.placed_at, "first_sale_day": order.placed_at.date()}
    line_id = session.execute(statement, values).scalar()
    return None if line_id is None else int(line_id)


@functools.cache
def _claim_and_place_statement(
    order: tuple[str, ...], line: tuple[str, ...], part: tuple[str, ...], message: tuple[str, ...], first_sale: bool
) -> Select[Any]:
    # The SKU's lock first, as every use case takes it (see restock.store.repo.lock_skus): the change waits for it.
    sku_locked = (
        select(_sku.c.id)
        .where(_sku.c.id == bindparam("sku"), _sku.c.archived_at.is_(None))  # archived meanwhile: no claim
        .with_for_update(key_share=True)
        .cte("sku_locked")
    )
    moved = guarded_change(exists(select(sku_locked.c.id)), _leaves_every_channel_something_to_sell())
    movement = record_of(moved).cte("movement")
    new_order = _from_row(_orders, order, moved).cte("new_order")
    new_line = _from_row(_lines, line, moved).returning(_lines.c.id).cte("new_line")
    new_part = _from_row(_parts, part, new_line, {"order_line_id": new_line.c.id}).cte("new_part")
    new_message = _from_row(OUTBOX, message, moved).cte("new_message")
    ctes = [sku_locked, moved, movement, new_order, new_line, new_part, new_message]
    if first_sale:
        ctes.append(_first_sale(moved))
    return select(new_line.c.id).add_cte(*ctes)


def _first_sale(moved: CTE) -> CTE:
    """Mark the SKU first sold when the claim was made and the order is its first sale: in SQL, the rule of
    `domain.availability.is_first_sale` (never sold, and not a pre-order: no release date, or it has come).
    A racing order that marked it first keeps its moment."""
    return (
        update(_sku)
        .where(
            _sku.c.id == bindparam("sku"),
            _sku.c.first_sold_at.is_(None),
            or_(_sku.c.release_date.is_(None), _sku.c.release_date <= bindparam("first_sale_day", type_=Date)),
            exists(select(moved.c.sku_id)),
        )
        .values(first_sold_at=bindparam("first_sale_at", type_=DateTime))
        .cte("first_sale")
    )


def _leaves_every_channel_something_to_sell() -> ColumnElement[bool]:
    """The claim leaves sellable units for every channel the warehouse serves: then it cannot change an
    availability answer (`domain.availability.an_order_may_change_the_answer`, in SQL: sellable is free stock
    beyond the buffer), and the one statement may place it. Otherwise the general path does, and writes the
    change with the order."""
    free_after = (_stock.c.on_hand + bindparam("on_hand_delta")) - (_stock.c.allocated + bindparam("allocated_delta"))
    runs_out = (
        select(_serves.c.channel_id)
        .join(_channel, _channel.c.id == _serves.c.channel_id)
        .where(_serves.c.warehouse_id == _stock.c.warehouse_id, free_after <= _channel.c.safety_buffer)
    )
    return ~exists(runs_out)


def _from_row(
    target: Table, columns: tuple[str, ...], source: CTE, linked: dict[str, ColumnElement[Any]] | None = None
) -> Insert:
    """INSERT one row of parameters for every row `source` has (one or none)."""
    linked = linked or {}
    values = [linked.get(c, bindparam(f"{target.name}__{c}", type_=target.c[c].type)) for c in columns]
    return insert(target).from_select(list(columns), select(*values).select_from(source))


def _named(target: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {f"{target.name}__{column}": value for column, value in row.items()}
