"""Line parts: the units of order lines, allocated, waiting, shipped or released, and the queue they form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from restock.domain.lines import PartKind
from restock.store.queue import queue_order_by
from restock.store.schema import LinePart, table

_parts = table(LinePart)


def insert_parts_returning_ids(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert parts (see `store.placed.part_row`); their ids in the order of `rows`."""
    if not rows:
        return []
    return list(session.execute(insert(_parts).returning(_parts.c.id), rows).scalars())


def waiting_parts_pegged_to(session: Session, po_line_ids: Sequence[int]) -> list[LinePart]:
    """Backorders pegged to these PO lines, in the queue's order (`domain.allocation.queue_key`)."""
    return list(
        session.scalars(
            select(LinePart)
            .where(LinePart.po_line_id.in_(po_line_ids), LinePart.kind == PartKind.BACKORDERED.value)
            .order_by(*queue_order_by())
        )
    )
