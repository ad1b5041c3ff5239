"""The availability decision: in stock, backorder with an honest ship window, or out of stock."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from restock.domain.allocation import sellable
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
    backorder_window: ShipWindow | None = None
    """In stock, with more than the stock backorderable: the window of those further units ("more ship in
    9-12 days"). None when nothing beyond the stock can be backordered with a date."""

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


def shipping_days(window: ShipWindow, today: date) -> str:
    """A window as days from today, in words: "10-14 days", or "14 days" when both ends fall on one day."""
    low, high = window.days_from(today)
    low = max(low, 0)
    high = max(high, low)
    return f"{low} days" if low == high else f"{low}-{high} days"


def availability_message(
    state: AvailabilityState, today: date, window: ShipWindow | None = None, available_now: int = 0
) -> str:
    """What a shopper reads for an answer: every availability message comes from here.

    `window` is the answer's ship window, or for an in-stock answer the window of what may be backordered
    beyond the stock.
    """
    if state is AvailabilityState.IN_STOCK:
        if window is None:
            return MSG_IN_STOCK
        return f"In stock ({available_now}). More ship in {shipping_days(window, today)}."
    if state is AvailabilityState.OUT_OF_STOCK:
        return MSG_OUT_OF_STOCK
    if window is None:
        return MSG_BACKORDER_NO_DATE
    if state is AvailabilityState.PREORDER:
        return f"Pre-order. Estimated shipping: {shipping_days(window, today)}."
    return f"Temporarily out of stock. Available for backorder. Estimated shipping: {shipping_days(window, today)}."


def backorder_message(window: ShipWindow, today: date, preorder: bool) -> str:
    state = AvailabilityState.PREORDER if preorder else AvailabilityState.BACKORDER
    return availability_message(state, today, window)


def is_preorder(release_date: date | None, first_sold_at: datetime | None, today: date) -> bool:
    """A pre-order is a product not yet released: its release date is still ahead and it was never sold as a
    released product. Without a release date a SKU is never a pre-order (a product merely out of stock is a
    backorder: Google Merchant Center and schema.org reserve `preorder` for unreleased products)."""
    return release_date is not None and today < release_date and first_sold_at is None


def is_preorder_line(sku_is_preorder: bool, waiting: int) -> bool:
    """An order line is a pre-order when its SKU was a pre-order as it was placed and some of its units wait:
    units taken from early stock ship now, like any other."""
    return sku_is_preorder and waiting > 0


def is_first_sale(release_date: date | None, first_sold_at: datetime | None, today: date) -> bool:
    """An order for a SKU never sold before, placed while it is not a pre-order, is its first sale, whether or
    not it has a release date: from then on it is never a pre-order again, even if a release date is set or
    moved ahead later. Orders taken while it is a pre-order are pre-orders, not sales of a released product:
    they leave it a pre-order. `store.orders` marks the sale in the one-statement order by the same rule."""
    return first_sold_at is None and not is_preorder(release_date, first_sold_at, today)


def preorder_release(release_date: date | None, first_sold_at: datetime | None, today: date) -> date | None:
    """The release a SKU's new promises wait for: its release date while it is a pre-order, else None."""
    return release_date if is_preorder(release_date, first_sold_at, today) else None


def a_preorder_ships_from_its_release(window: ShipWindow, release: date | None) -> ShipWindow:
    """A pre-order never ships before its release: supply arriving earlier waits for the release date, so
    neither end of its window falls before it. `release` is `preorder_release` (None: not a pre-order)."""
    if release is None:
        return window
    return ShipWindow(max(window.earliest, release), max(window.latest, release))


def answer_changed(old: Availability, new: Availability) -> bool:
    """An answer counts as changed for integrations when its state changed or one of its windows moved; the
    units available now change with every order and alone do not count."""
    return (
        old.state is not new.state or old.ship_window != new.ship_window or old.backorder_window != new.backorder_window
    )


def an_order_may_change_the_answer(backordered: int, left: Iterable[tuple[int, int]]) -> bool:
    """Whether an order can have changed a SKU's answer on some channel, decided from what the order did alone.

    `left`: for each warehouse the order took stock from and each channel that warehouse serves, the free
    units left there and that channel's safety buffer. An order that took only stock changes no supply, so
    a channel's answer can change only where that stock ran out of sellable units (in stock before and after
    is the same answer). One that backordered units used up promise capacity (the window or the cap may
    move). `store.orders` applies the same rule in SQL to the one-statement order.
    """
    return backordered > 0 or any(sellable(free, buffer) == 0 for free, buffer in left)


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


def _promised(window: ShipWindow, backorderable: int, today: date, preorder: bool) -> Availability:
    """A backorder (a pre-order for a product not yet released) with the window of the earliest usable supply."""
    state = AvailabilityState.PREORDER if preorder else AvailabilityState.BACKORDER
    message = availability_message(state, today, window)
    return Availability(state, 0, backorderable, window, message, Reason.CONFIRMED_INBOUND)


def _in_stock(available_now: int, backorderable: int, window: ShipWindow | None, today: date) -> Availability:
    """On hand; the window of the backorderable units beyond the stock, when there are any with a date."""
    more = window if backorderable > 0 else None
    message = availability_message(AvailabilityState.IN_STOCK, today, more, available_now)
    return Availability(AvailabilityState.IN_STOCK, available_now, backorderable, None, message, Reason.ON_HAND, more)


def decide(
    policy: SkuPolicy,
    available_now: int,
    supply: Sequence[InboundSupply],
    today: date,
    preorder: bool = False,
) -> Availability:
    """Decide what a shopper sees for one SKU on one channel.

    `available_now` is already net of allocations and the channel's buffer. `preorder` (see `is_preorder`)
    marks a product not yet released: a backorder then shows as a pre-order, under exactly the same rules.
    """
    available_now = max(0, available_now)
    usable = promisable_supply(supply, policy, today) if policy.backorder is not BackorderPolicy.NEVER else []
    backorderable = (
        UNLIMITED_BACKORDER if policy.backorder is BackorderPolicy.ALWAYS else sum(s.capacity for s in usable)
    )
    window = usable[0].window if usable else None

    if available_now > 0:
        return _in_stock(available_now, backorderable, window, today)
    if policy.backorder is BackorderPolicy.NEVER:
        return Availability(AvailabilityState.OUT_OF_STOCK, 0, 0, None, MSG_OUT_OF_STOCK, Reason.BACKORDERS_DISABLED)
    if window is not None:
        return _promised(window, backorderable, today, preorder)
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
