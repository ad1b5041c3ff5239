"""The waiting queue's order in SQL, for the set-based fill and the queue listings.

Mirrors `restock.domain.allocation.fill_key` and `queue_key` (the rule lives there); the store needs it as
an ORDER BY so that a running sum decides the whole fill in one query. `tests/property/test_fill_order_sql.py`
checks on random queues that the two agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case

from restock.store.schema import LinePart


def queue_order_by() -> list[Any]:
    """`domain.allocation.queue_key` as ORDER BY terms: priority (high first), placed time, id."""
    return [LinePart.priority.desc(), LinePart.placed_at, LinePart.id]


def fill_order_by(receiving_po_line_id: int | None) -> list[Any]:
    """`domain.allocation.fill_key` as ORDER BY terms: pegged to the PO line being received, then the queue."""
    pegged_here = case((LinePart.po_line_id == (receiving_po_line_id or -1), 0), else_=1)
    return [pegged_here, *queue_order_by()]
