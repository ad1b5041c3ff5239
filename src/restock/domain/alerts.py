"""When a shopper waiting for a SKU hears about it, and how many hear at once: pure rules."""

from __future__ import annotations

from restock.domain.model import AvailabilityState

BUYABLE = frozenset({AvailabilityState.IN_STOCK, AvailabilityState.BACKORDER, AvailabilityState.PREORDER})


def is_buyable(state: AvailabilityState) -> bool:
    return state in BUYABLE


def became_buyable(old: AvailabilityState, new: AvailabilityState) -> bool:
    """The moment "notify me" subscribers are waiting for: from out of stock to something they can buy."""
    return old is AvailabilityState.OUT_OF_STOCK and is_buyable(new)


def sellable_quantity(state: AvailabilityState, available_now: int, backorderable: int) -> int:
    """What a shopper can actually buy right now: stock on hand, or else the room left for backorders."""
    if state is AvailabilityState.IN_STOCK:
        return available_now
    if is_buyable(state):
        return backorderable
    return 0


def alert_batch_size(sellable: int, multiple: int) -> int:
    """How many subscribers to tell at once: a multiple of what can be bought, so 500 people do not race
    for 3 units; at least one while anything can be bought."""
    return max(1, sellable * multiple) if sellable > 0 else 0
