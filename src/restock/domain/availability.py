"""The availability decision: in stock, backorder with an honest ship window, or out of stock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from restock.domain.model import (
    MAX_QUANTITY,
    AvailabilityState,
    BackorderPolicy,
    InboundSupply,
    Reason,
    ShipWindow,
    SkuPolicy,
)
from restock.domain.promise import within_wait

UNLIMITED_BACKORDER = MAX_QUANTITY
"""What `always` allows beyond confirmed supply: bounded by the request bound, never by supply."""

MSG_IN_STOCK = "In stock."
MSG_OUT_OF_STOCK = "Out of stock. Notify me when available."
MSG_BACKORDER_NO_DATE = "Temporarily out of stock. Available for backorder. Shipping date to be confirmed."
MSG_ARCHIVED = "No longer available."


@dataclass(frozen=True)
class Availability:
    state: AvailabilityState
    available_now: int
    backorderable: int
    ship_window: ShipWindow | None
    message: str
    reason: Reason

    @property
    def purchasable(self) -> int:
        return self.available_now + self.backorderable


def an_archived_sku_is_out_of_stock() -> Availability:
    """An archived SKU is no longer sold: out of stock whatever is on hand or inbound, and its message does not
    invite the shopper to wait for it."""
    return Availability(AvailabilityState.OUT_OF_STOCK, 0, 0, None, MSG_ARCHIVED, Reason.ARCHIVED)


def is_overdue(supply: InboundSupply, today: date) -> bool:
    """A confirmed ETA that has passed without the goods is no longer a date anyone can promise from."""
    return supply.eta is not None and supply.eta < today


def promisable_supply(supply: Sequence[InboundSupply], policy: SkuPolicy, today: date) -> list[InboundSupply]:
    """Supply a backorder may be pegged to, earliest ETA first: confirmed, dated, not overdue, within the wait,
    with room. An overdue PO keeps the backorders already pegged to it, but takes no new ones until the
    supplier confirms a new date (invariant 7)."""
    usable = [
        s
        for s in supply
        if s.eta_confirmed
        and s.window is not None
        and s.capacity > 0
        and not is_overdue(s, today)
        and within_wait(s.window, today, policy.max_wait_days)
    ]
    return sorted(usable, key=lambda s: (s.eta, s.po_line_id))


def backorder_message(window: ShipWindow, today: date, preorder: bool) -> str:
    low, high = window.days_from(today)
    low = max(low, 0)
    high = max(high, low)
    if preorder:
        return f"Pre-order. Estimated shipping: {low}-{high} days."
    return f"Temporarily out of stock. Available for backorder. Estimated shipping: {low}-{high} days."


def _why_no_promise(supply: Sequence[InboundSupply], policy: SkuPolicy, today: date) -> Reason:
    dated = [s for s in supply if s.eta_confirmed and s.window is not None]
    if not dated:
        return Reason.NO_CONFIRMED_SUPPLY
    dated = [s for s in dated if not is_overdue(s, today)]
    if not dated:
        return Reason.CONFIRMED_ETA_PASSED
    if not any(within_wait(s.window, today, policy.max_wait_days) for s in dated if s.window):
        return Reason.WAIT_EXCEEDS_LIMIT
    return Reason.BACKORDER_CAP_REACHED


def _promised(window: ShipWindow, backorderable: int, today: date, never_stocked: bool) -> Availability:
    """A backorder (a pre-order for a first release) with the window of the earliest usable supply."""
    state = AvailabilityState.PREORDER if never_stocked else AvailabilityState.BACKORDER
    message = backorder_message(window, today, never_stocked)
    return Availability(state, 0, backorderable, window, message, Reason.CONFIRMED_INBOUND)


def decide(
    policy: SkuPolicy,
    available_now: int,
    supply: Sequence[InboundSupply],
    today: date,
    never_stocked: bool = False,
) -> Availability:
    """Decide what a shopper sees for one SKU on one channel.

    `available_now` is already net of allocations and the channel's buffer. `never_stocked` marks a
    first release: a backorder then shows as a pre-order, under exactly the same rules.
    """
    available_now = max(0, available_now)
    usable = promisable_supply(supply, policy, today) if policy.backorder is not BackorderPolicy.NEVER else []
    backorderable = (
        UNLIMITED_BACKORDER if policy.backorder is BackorderPolicy.ALWAYS else sum(s.capacity for s in usable)
    )
    window = usable[0].window if usable else None

    if available_now > 0:
        return Availability(
            AvailabilityState.IN_STOCK, available_now, backorderable, None, MSG_IN_STOCK, Reason.ON_HAND
        )
    if policy.backorder is BackorderPolicy.NEVER:
        return Availability(AvailabilityState.OUT_OF_STOCK, 0, 0, None, MSG_OUT_OF_STOCK, Reason.BACKORDERS_DISABLED)
    if window is not None:
        return _promised(window, backorderable, today, never_stocked)
    if policy.backorder is BackorderPolicy.ALWAYS:
        return Availability(
            AvailabilityState.BACKORDER,
            0,
            UNLIMITED_BACKORDER,
            None,
            MSG_BACKORDER_NO_DATE,
            Reason.BACKORDER_WITHOUT_DATE,
        )
    return Availability(
        AvailabilityState.OUT_OF_STOCK, 0, 0, None, MSG_OUT_OF_STOCK, _why_no_promise(supply, policy, today)
    )
