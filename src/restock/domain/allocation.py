"""How an order line is covered: stock first (warehouses in the channel's order), then promised supply.

The functions here make the first plan from a snapshot; the store then applies each step with a
guarded UPDATE, so a concurrent order that got there first only shrinks the plan, never oversells.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Take(Generic[K]):
    source: K
    quantity: int


def take_in_order(need: int, sources: Sequence[tuple[K, int]]) -> tuple[list[Take[K]], int]:
    """Take `need` units from sources in the given order, as much as each has; return the takes and what is left.

    Used for warehouses (in the channel's order) and for inbound supply (earliest ETA first): the
    preference lives in the order of `sources`, so one function serves both.
    """
    takes: list[Take[K]] = []
    left = need
    for source, room in sources:
        if left == 0:
            break
        quantity = min(left, room)
        if quantity > 0:
            takes.append(Take(source, quantity))
            left -= quantity
    return takes, left


@dataclass(frozen=True)
class WaitingPart:
    """What the fill order looks at in a waiting backorder part."""

    id: int
    po_line_id: int | None
    priority: int
    placed_at: datetime


def queue_key(part: WaitingPart) -> tuple[int, datetime, int]:
    """The waiting queue's order: higher order priority first, then first come first served, then the part's id.

    The id is a stable tie-break: two backorders placed in the same microsecond are never a random pick.
    """
    return (-part.priority, part.placed_at, part.id)


def fill_key(part: WaitingPart, receiving_po_line_id: int | None) -> tuple[int, int, datetime, int]:
    """The order in which arriving stock fills waiting backorders (invariant 3).

    Backorders pegged to the PO line being received come first (their promise rests on it), then the
    queue's order (`queue_key`). `store.queue.fill_order_by` is the same rule as an SQL ORDER BY.
    """
    pegged_here = receiving_po_line_id is not None and part.po_line_id == receiving_po_line_id
    return (0 if pegged_here else 1, *queue_key(part))


def sellable(free: int, safety_buffer: int) -> int:
    """Units of a warehouse's free stock a channel may sell: all but the channel's safety buffer.

    `store.ledger` applies the same rule to a claim as `min_free_after` (free stock left after it).
    """
    return max(0, free - safety_buffer)
