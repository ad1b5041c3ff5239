"""Fill-on-receipt, set-based: free stock in a warehouse goes to the waiting backorders it can serve.

The queue order is `restock.domain.allocation.fill_key`, as `store.queue.fill_order_by`'s ORDER BY. A running sum over
that order says which backorders the free units cover; every covered backorder part becomes an
allocated part in one UPDATE, and the side effects (promise capacity returned, line status, the ledger
movement, one outbox message per filled part) are each one statement (or one bulk insert), whatever the
queue length.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, and_, bindparam, cast, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, aliased

from restock.domain.errors import Conflict
from restock.domain.events import BackorderFilled, Topic
from restock.domain.lines import PartKind
from restock.domain.model import MAX_BALANCE, LineStatus, MovementKind, fits_in_a_balance
from restock.store.ledger import Change, ensure_stock_row, move, must_move
from restock.store.outbox import OUTBOX, event_row
from restock.store.parts import split_off
from restock.store.queue import fill_order_by
from restock.store.schema import (
    ChannelWarehouse,
    LinePart,
    Order,
    OrderLine,
    POLine,
    Sku,
    Stock,
    Warehouse,
)
from restock.store.together import writes_in_one_statement


@dataclass(frozen=True)
class FillResult:
    batch: str
    units: int
    parts: int


def _queue(sku_id: int, warehouse_id: int, receiving_po_line_id: int | None):  # type: ignore[no-untyped-def]
    """Waiting backorders this warehouse can serve, with the running total in fill order."""
    running = func.sum(LinePart.quantity).over(order_by=fill_order_by(receiving_po_line_id))
    return (
        select(LinePart.id, LinePart.quantity, running.label("upto"))
        .where(
            LinePart.sku_id == sku_id,
            LinePart.kind == PartKind.BACKORDERED.value,
            LinePart.channel_id.in_(_serving(warehouse_id)),
        )
        .subquery("queue")
    )


def _serving(warehouse_id: int) -> Any:
    return select(ChannelWarehouse.channel_id).where(ChannelWarehouse.warehouse_id == warehouse_id)


def stock_arrives(
    session: Session,
    *,
    sku_id: int,
    warehouse_id: int,
    quantity: int,
    kind: MovementKind,
    now: datetime,
    ref: str,
    reason: str | None = None,
    receiving_po_line_id: int | None = None,
) -> FillResult:
    """Units arrive at a warehouse (a receipt, found stock, a transfer in): booked in the ledger, then given to
    the waiting backorders they can serve before any of them is free stock (invariant 3)."""
    ensure_stock_row(session, sku_id, warehouse_id)
    change = Change(
        sku_id=sku_id, warehouse_id=warehouse_id, kind=kind, now=now, on_hand_delta=quantity, reason=reason, ref=ref
    )
    if not move(session, **change):
        _refuse_overflow(session, sku_id, warehouse_id, quantity)
        must_move(session, **change)  # not an overflow: the data is inconsistent, and must_move says so
    return fill_waiting_backorders(
        session, sku_id=sku_id, warehouse_id=warehouse_id, now=now, receiving_po_line_id=receiving_po_line_id, ref=ref
    )


def _refuse_overflow(session: Session, sku_id: int, warehouse_id: int, quantity: int) -> None:
    on_hand = session.scalar(select(Stock.on_hand).where(Stock.sku_id == sku_id, Stock.warehouse_id == warehouse_id))
    if on_hand is not None and not fits_in_a_balance(on_hand + quantity):
        raise Conflict(
            f"the warehouse would hold {on_hand + quantity:,} units of this SKU; "
            f"at most {MAX_BALANCE:,} fit in one balance"
        )


def fill_waiting_backorders(
    session: Session,
    *,
    sku_id: int,
    warehouse_id: int,
    now: datetime,
    receiving_po_line_id: int | None = None,
    ref: str | None = None,
) -> FillResult:
    """Give the warehouse's free units of a SKU to waiting backorders, in fill order; partial fills allowed."""
    batch = uuid.uuid4().hex
    units = session.scalar(
        select(Stock.on_hand - Stock.allocated).where(Stock.sku_id == sku_id, Stock.warehouse_id == warehouse_id)
    )
    if not units or units <= 0:
        return FillResult(batch, 0, 0)

    _allocate_in_fill_order(session, sku_id, warehouse_id, int(units), receiving_po_line_id, batch)
    filled = select(LinePart).where(LinePart.filled_by == batch).subquery("filled")
    total, count = session.execute(select(func.coalesce(func.sum(filled.c.quantity), 0), func.count())).one()
    if count == 0:
        return FillResult(batch, 0, 0)
    _return_promises(session, batch)
    _mark_lines_allocated(session, batch)
    move(
        session,
        sku_id=sku_id,
        warehouse_id=warehouse_id,
        kind=MovementKind.ALLOCATION,
        now=now,
        allocated_delta=int(total),
        reason="backorders filled",
        ref=ref or f"fill:{batch}",
    )
    _write_filled_messages(session, batch, now)
    return FillResult(batch, int(total), int(count))


def _allocate_in_fill_order(
    session: Session, sku_id: int, warehouse_id: int, units: int, receiving_po_line_id: int | None, batch: str
) -> None:
    """The backorders the running sum covers whole become allocated parts of `batch`; the one it covers
    only in part is split."""
    queue = _queue(sku_id, warehouse_id, receiving_po_line_id)
    partial = session.execute(
        select(queue.c.id, queue.c.quantity, queue.c.upto).where(
            queue.c.upto - queue.c.quantity < units, queue.c.upto > units
        )
    ).first()
    full_ids = select(queue.c.id).where(queue.c.upto <= units)
    session.execute(
        update(LinePart)
        .where(LinePart.id.in_(full_ids), LinePart.kind == PartKind.BACKORDERED.value)
        .values(kind=PartKind.ALLOCATED.value, warehouse_id=warehouse_id, filled_by=batch)
        .execution_options(synchronize_session=False)
    )
    if partial is not None:
        take = units - (partial.upto - partial.quantity)
        _split_partial(session, part_id=partial.id, take=take, warehouse_id=warehouse_id, batch=batch)


def _split_partial(session: Session, *, part_id: int, take: int, warehouse_id: int, batch: str) -> None:
    """The one backorder the units only partly cover: shrink it and add an allocated part for what it got."""
    part = session.get_one(LinePart, part_id)
    split_off(session, part, take, kind=PartKind.ALLOCATED.value, warehouse_id=warehouse_id, filled_by=batch)
    session.flush()


def _return_promises(session: Session, batch: str) -> None:
    """Filled backorders no longer rest on their PO line: give that promise capacity back."""
    per_line = (
        select(LinePart.po_line_id, func.sum(LinePart.quantity).label("filled"))
        .where(LinePart.filled_by == batch, LinePart.po_line_id.is_not(None))
        .group_by(LinePart.po_line_id)
        .subquery("per_line")
    )
    session.execute(
        update(POLine)
        .where(POLine.id == per_line.c.po_line_id)
        .values(promised=POLine.promised - per_line.c.filled)
        .execution_options(synchronize_session=False)
    )


def _mark_lines_allocated(session: Session, batch: str) -> None:
    """`domain.lines.line_status` in SQL, for the lines this fill touched: a line waits while any part waits;
    with no part waiting any more, its filled parts make it allocated. `tests/property/test_fill_line_status_sql.py`
    checks on random queues and receipts that the stored statuses are that rule over the stored parts."""
    waiting = aliased(LinePart)
    touched = select(LinePart.order_line_id).where(LinePart.filled_by == batch)
    session.execute(
        update(OrderLine)
        .where(
            OrderLine.id.in_(touched),
            OrderLine.status == LineStatus.BACKORDERED.value,
            ~exists().where(and_(waiting.order_line_id == OrderLine.id, waiting.kind == PartKind.BACKORDERED.value)),
        )
        .values(status=LineStatus.ALLOCATED.value)
        .execution_options(synchronize_session=False)
    )


def _write_filled_messages(session: Session, batch: str, now: datetime) -> None:
    """One `backorder_filled` outbox message per filled part, all in one bulk insert."""
    filled = session.execute(
        select(LinePart.id, OrderLine.order_id, OrderLine.id.label("line_id"), Sku.code, LinePart.quantity)
        .add_columns(Warehouse.code.label("warehouse"), Order.external_ref)
        .join_from(LinePart, OrderLine, LinePart.order_line_id == OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Sku, Sku.id == LinePart.sku_id)
        .join(Warehouse, Warehouse.id == LinePart.warehouse_id)
        .where(LinePart.filled_by == batch)
        .order_by(LinePart.id)
    )
    events = [
        BackorderFilled(
            order=part.order_id,
            line=part.line_id,
            sku=part.code,
            quantity=part.quantity,
            warehouse=part.warehouse,
            external_ref=part.external_ref,
            part=part.id,
        )
        for part in filled
    ]
    _insert_messages(session, Topic.BACKORDER_FILLED, now, [event_row(event, now) for event in events])


_MESSAGES = func.json_array_elements(cast(bindparam("messages", type_=Text), postgresql.JSON)).table_valued("value")
_FROM_JSON = insert(OUTBOX).from_select(
    ["topic", "dedup_key", "payload", "created_at", "attempts"],
    select(
        bindparam("topic", type_=String),
        _MESSAGES.c.value.op("->>")(0),
        _MESSAGES.c.value.op("->>")(1),
        bindparam("created_at", type_=DateTime),
        bindparam("attempts", type_=Integer),
    ),
)


def _insert_messages(session: Session, topic: Topic, now: datetime, messages: list[dict[str, Any]]) -> None:
    """Outbox rows of one topic and time in one statement. On PostgreSQL their keys and payloads travel as one
    JSON document the statement unpacks (a fill can write tens of thousands at once, and one text parameter
    is much cheaper to send and parse than that many rows or a text array); elsewhere one executemany."""
    if not messages:
        return
    if writes_in_one_statement(session.get_bind()):
        document = json.dumps([[m["dedup_key"], m["payload"]] for m in messages])
        session.execute(_FROM_JSON, {"messages": document, "topic": topic, "created_at": now, "attempts": 0})
    else:
        session.execute(insert(OUTBOX), messages)
