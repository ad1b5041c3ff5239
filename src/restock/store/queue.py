"""The waiting queue in SQL: its order, for the set-based fill and the listings, and the listings themselves.

Mirrors `restock.domain.allocation.fill_key` and `queue_key` (the rule lives there); the store needs it as
an ORDER BY so that a running sum decides the whole fill in one query. `tests/property/test_fill_order_sql.py`
checks on random queues that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, case, func, select
from sqlalchemy.orm import Session

from restock.domain.lines import PartKind
from restock.store.schema import ChannelWarehouse, LinePart, OrderLine, POLine, Sku


def queue_order_by() -> list[Any]:
    """`domain.allocation.queue_key` as ORDER BY terms: priority (high first), placed time, id."""
    return [LinePart.priority.desc(), LinePart.placed_at, LinePart.id]


def fill_order_by(receiving_po_line_id: int | None) -> list[Any]:
    """`domain.allocation.fill_key` as ORDER BY terms: pegged to the PO line being received, then the queue."""
    pegged_here = case((LinePart.po_line_id == (receiving_po_line_id or -1), 0), else_=1)
    return [pegged_here, *queue_order_by()]


@dataclass(frozen=True)
class QueueFilter:
    """Which waiting backorders a listing shows (None: no condition)."""

    sku_id: int | None = None
    warehouse_id: int | None = None
    placed_before: datetime | None = None
    delayed: bool | None = None


def waiting_queue(session: Session, wanted: QueueFilter, limit: int) -> list[Row[Any]]:
    """Waiting parts in the queue's order, by name: order_id, sku, quantity, placed_at, po_id, window_earliest,
    window_latest, delayed, priority."""
    query = (
        select(
            OrderLine.order_id,
            Sku.code.label("sku"),
            LinePart.quantity,
            LinePart.placed_at,
            POLine.po_id,
            LinePart.window_earliest,
            LinePart.window_latest,
            LinePart.delayed,
            LinePart.priority,
        )
        .join(OrderLine, OrderLine.id == LinePart.order_line_id)
        .join(Sku, Sku.id == LinePart.sku_id)
        .outerjoin(POLine, POLine.id == LinePart.po_line_id)
        .where(LinePart.kind == PartKind.BACKORDERED.value, *_conditions(wanted))
        .order_by(*queue_order_by())
        .limit(limit)
    )
    return list(session.execute(query))


def _conditions(wanted: QueueFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.sku_id is not None:
        conditions.append(LinePart.sku_id == wanted.sku_id)
    if wanted.warehouse_id is not None:
        serving = select(ChannelWarehouse.channel_id).where(ChannelWarehouse.warehouse_id == wanted.warehouse_id)
        conditions.append(LinePart.channel_id.in_(serving))
    if wanted.placed_before is not None:
        conditions.append(LinePart.placed_at <= wanted.placed_before)
    if wanted.delayed is not None:
        conditions.append(LinePart.delayed.is_(wanted.delayed))
    return conditions


def queue_totals(session: Session) -> tuple[int, int, datetime | None]:
    """Lines waiting, units waiting, and when the oldest waiting backorder was placed."""
    lines, units, oldest = session.execute(
        select(
            func.count(func.distinct(LinePart.order_line_id)),
            func.coalesce(func.sum(LinePart.quantity), 0),
            func.min(LinePart.placed_at),
        ).where(LinePart.kind == PartKind.BACKORDERED.value)
    ).one()
    return int(lines), int(units), oldest
