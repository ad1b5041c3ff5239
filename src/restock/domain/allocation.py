"""How an order line is covered: stock first (warehouses in the channel's order), then promised supply.

The functions here make the first plan from a snapshot; the store then applies each step with a
guarded UPDATE, so a concurrent order that got there first only shrinks the plan, never oversells.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
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


FILL_ORDER: tuple[str, ...] = ("pegged_to_receipt", "priority", "placed_at", "id")
"""The order in which arriving stock fills waiting backorders (invariant 3).

1. backorders pegged to the PO line that is being received (their promise rests on it);
2. higher order priority first;
3. first come, first served by order time;
4. the backorder's id as a stable tie-break: never a random pick.
The store turns this into one SQL ORDER BY so that the fill is set-based.
"""
