"""The waiting queue, in the order arriving stock will fill it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from restock.config import utc_iso
from restock.domain.model import ShipWindow
from restock.services.availability import window_json
from restock.services.context import Context, use_case
from restock.store import repo
from restock.store.queue import queue_order_by
from restock.store.schema import ChannelWarehouse, LinePart, OrderLine, POLine, Sku


@dataclass(frozen=True)
class BackorderView:
    order: str
    sku: str
    quantity: int
    placed_at: datetime
    po: int | None
    ship_window: ShipWindow | None
    delayed: bool
    priority: int

    def to_json(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "sku": self.sku,
            "quantity": self.quantity,
            "placed_at": utc_iso(self.placed_at),
            "po": self.po,
            "ship_window": window_json(self.ship_window),
            "delayed": self.delayed,
            "priority": self.priority,
        }


def _window(earliest: date | None, latest: date | None) -> ShipWindow | None:
    return ShipWindow(earliest, latest) if earliest and latest else None


@use_case(readonly=True)
def waiting_backorders(
    session: Session,
    ctx: Context,
    sku_code: str | None = None,
    limit: int = 10_000,
    warehouse_code: str | None = None,
    placed_before: datetime | None = None,
    delayed: bool | None = None,
) -> list[BackorderView]:
    """Waiting backorders by priority, then order time, then id: the fill order (before the pegged-first rule,
    which depends on which PO is being received)."""
    query = (
        select(
            OrderLine.order_id,
            Sku.code,
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
        .where(LinePart.kind == "backordered")
        .order_by(*queue_order_by())
        .limit(limit)
    )
    if sku_code:
        query = query.where(LinePart.sku_id == repo.sku_by_code(session, sku_code).id)
    if warehouse_code:
        serving = select(ChannelWarehouse.channel_id).where(
            ChannelWarehouse.warehouse_id == repo.warehouse_by_code(session, warehouse_code).id
        )
        query = query.where(LinePart.channel_id.in_(serving))
    if placed_before is not None:
        query = query.where(LinePart.placed_at <= placed_before)
    if delayed is not None:
        query = query.where(LinePart.delayed.is_(delayed))
    return [
        BackorderView(order, sku, qty, placed_at, po, _window(e, lt), delayed, priority)
        for order, sku, qty, placed_at, po, e, lt, delayed, priority in session.execute(query)
    ]


@dataclass(frozen=True)
class QueueStats:
    waiting_lines: int
    waiting_units: int
    oldest_placed_at: datetime | None


@use_case(readonly=True)
def queue_stats(session: Session, ctx: Context) -> QueueStats:
    """How long the queue is and how old its oldest backorder: what an operator alerts on."""
    lines, units, oldest = session.execute(
        select(
            func.count(func.distinct(LinePart.order_line_id)),
            func.coalesce(func.sum(LinePart.quantity), 0),
            func.min(LinePart.placed_at),
        ).where(LinePart.kind == "backordered")
    ).one()
    return QueueStats(int(lines), int(units), oldest)
