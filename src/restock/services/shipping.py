"""Shipping orders: allocated units leave their warehouse, and the line and order statuses follow from the parts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from restock.domain.errors import Conflict
from restock.domain.events import OrderShipped
from restock.domain.lines import PartKind
from restock.domain.model import LineStatus, MovementKind
from restock.services.context import Context, use_case
from restock.services.fulfilling import end_line, locked_order, open_lines, settle
from restock.services.order_views import OrderView
from restock.store import order_reads as reads
from restock.store.ledger import must_move
from restock.store.schema import LinePart, Order, OrderLine


def _ship_line(session: Session, order: Order, line: OrderLine, parts: list[LinePart], now: datetime) -> None:
    """Every allocated unit of the line leaves its warehouse."""
    for part in parts:
        if part.kind != PartKind.ALLOCATED:
            continue
        assert part.warehouse_id is not None
        must_move(
            session,
            sku_id=part.sku_id,
            warehouse_id=part.warehouse_id,
            kind=MovementKind.SHIPMENT,
            now=now,
            on_hand_delta=-part.quantity,
            allocated_delta=-part.quantity,
            ref=f"order:{order.id}",
        )
        part.kind = PartKind.SHIPPED.value
    end_line(line, parts)


@use_case()
def ship_order(session: Session, ctx: Context, order_id: str) -> OrderView:
    """Ship every fully allocated line; lines still waiting for stock stay open."""
    order = locked_order(session, order_id)
    ready = [line for line in open_lines(session, order) if line.status == LineStatus.ALLOCATED.value]
    if not ready:
        raise Conflict(f"order {order_id} has no line ready to ship (status {order.status})")
    now = ctx.clock.now()
    parts = reads.parts_of_lines(session, [line.id for line in ready])
    for line in ready:
        _ship_line(session, order, line, parts[line.id], now)
    return settle(session, order, OrderShipped, ready, now)
