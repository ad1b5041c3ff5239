"""Reading an order: what the customer and the merchant see of it, derived from its lines' parts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from restock.config import utc_iso
from restock.domain.lines import PartKind, line_window
from restock.domain.model import ShipWindow, part_window
from restock.services.availability import window_json
from restock.services.context import Context, use_case
from restock.store import order_reads as reads
from restock.store import repo
from restock.store.schema import Channel, LinePart, Order, OrderLine


@dataclass(frozen=True)
class LineView:
    id: int
    sku: str
    quantity: int
    allocated: int
    backordered: int
    shipped: int
    status: str
    ship_window: ShipWindow | None
    delayed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "quantity": self.quantity,
            "allocated": self.allocated,
            "backordered": self.backordered,
            "status": self.status,
            "ship_window": window_json(self.ship_window),
            "delayed": self.delayed,
        }


@dataclass(frozen=True)
class OrderView:
    id: str
    status: str
    channel: str
    email: str
    placed_at: datetime
    lines: list[LineView] = field(default_factory=list)
    replayed: bool = False
    """True when an idempotent retry returned the first result instead of placing again."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "channel": self.channel,
            "placed_at": utc_iso(self.placed_at),
            "lines": [line.to_json() for line in self.lines],
        }


def _line_view(line: OrderLine, sku_code: str, parts: Sequence[LinePart]) -> LineView:
    waiting = [p for p in parts if p.kind == PartKind.BACKORDERED]
    return LineView(
        id=line.id,
        sku=sku_code,
        quantity=line.quantity,
        allocated=sum(p.quantity for p in parts if p.kind in (PartKind.ALLOCATED, PartKind.SHIPPED)),
        backordered=sum(p.quantity for p in waiting),
        shipped=sum(p.quantity for p in parts if p.kind == PartKind.SHIPPED),
        status=line.status,
        ship_window=line_window([part_window(p.window_earliest, p.window_latest) for p in waiting]),
        delayed=any(p.delayed for p in waiting),
    )


def order_view(session: Session, order: Order, replayed: bool = False) -> OrderView:
    rows = reads.lines_with_sku_codes(session, order.id)
    parts = reads.parts_of_lines(session, [line.id for line, _ in rows])
    channel = session.get_one(Channel, order.channel_id)
    return OrderView(
        id=order.id,
        status=order.status,
        channel=channel.code,
        email=order.email,
        placed_at=order.placed_at,
        lines=[_line_view(line, code, parts[line.id]) for line, code in rows],
        replayed=replayed,
    )


@use_case(readonly=True)
def show_order(session: Session, ctx: Context, order_id: str) -> OrderView:
    return order_view(session, repo.order(session, order_id))
