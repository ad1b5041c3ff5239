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


_KEPT = (
    "order_line_id",
    "sku_id",
    "channel_id",
    "kind",
    "warehouse_id",
    "po_line_id",
    "priority",
    "placed_at",
    "window_earliest",
    "window_latest",
    "promised_latest",
    "delayed",
    "filled_by",
)
"""What the split-off units keep of their part: its line, its place in the queue, its peg and its promise."""


def split_off(session: Session, part: LinePart, quantity: int, **becomes: Any) -> LinePart:
    """`quantity` of a part's units become a part of their own beside it, changed by `becomes` (a kind, a
    warehouse, a shipment, who cancelled them); the part keeps the rest, its id and everything else.

    A fill, a partial shipment and a partial cancel all split a part so; the caller moves the stock or the
    promise the units held.
    """
    if not 0 < quantity < part.quantity:
        raise ValueError(f"a split takes 1 to {part.quantity - 1} of the part's {part.quantity} units, not {quantity}")
    part.quantity -= quantity
    new = LinePart(**{name: getattr(part, name) for name in _KEPT}, quantity=quantity)
    for name, value in becomes.items():
        setattr(new, name, value)
    session.add(new)
    return new
