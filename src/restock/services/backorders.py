"""The waiting queue, in the order arriving stock will fill it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from restock.domain.model import part_window
from restock.services.context import Context, use_case
from restock.services.views import BackorderOut, window_of
from restock.store import repo
from restock.store.queue import QueueFilter, queue_totals, waiting_queue

BackorderView = BackorderOut


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
            order=row.order_id,
            sku=row.sku,
            quantity=row.quantity,
            placed_at=row.placed_at,
            po=row.po_id,
            ship_window=window_of(part_window(row.window_earliest, row.window_latest)),
            delayed=row.delayed,
            priority=row.priority,
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
