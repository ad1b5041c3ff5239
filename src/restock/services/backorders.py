"""The waiting queue, in the order arriving stock will fill it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from restock.config import utc_iso
from restock.domain.model import ShipWindow, part_window
from restock.services.availability import window_json
from restock.services.context import Context, use_case
from restock.store import repo
from restock.store.queue import QueueFilter, queue_totals, waiting_queue


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
    wanted = QueueFilter(
        sku_id=repo.sku_by_code(session, sku_code).id if sku_code else None,
        warehouse_id=repo.warehouse_by_code(session, warehouse_code).id if warehouse_code else None,
        placed_before=placed_before,
        delayed=delayed,
    )
    return [
        BackorderView(
            row.order_id,
            row.sku,
            row.quantity,
            row.placed_at,
            row.po_id,
            part_window(row.window_earliest, row.window_latest),
            row.delayed,
            row.priority,
        )
        for row in waiting_queue(session, wanted, limit)
    ]


@dataclass(frozen=True)
class QueueStats:
    waiting_lines: int
    waiting_units: int
    oldest_placed_at: datetime | None


@use_case(readonly=True)
def queue_stats(session: Session, ctx: Context) -> QueueStats:
    """How long the queue is and how old its oldest backorder: what an operator alerts on."""
    return QueueStats(*queue_totals(session))
