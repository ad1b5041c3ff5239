"""Shipping: which units a shipment may take, and when an order's shipping policy lets it ship at all.

A shipment takes only allocated units (units held for the order in one warehouse): never a waiting unit, and
never more of a line than it holds. An order under the `complete` policy ships nothing until every open line is
wholly allocated; under `as_available` (the default) whatever is allocated may leave at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from restock.domain.catalog import web_address
from restock.domain.errors import Conflict, InvalidInput
from restock.domain.model import ShippingPolicy, ShipWindow

MAX_CARRIER = 100
MAX_TRACKING_NUMBER = 200
MAX_TRACKING_URL = 2000
"""The columns' widths (`shipments.carrier`, `tracking_number`, `tracking_url`)."""


def carrier(value: str) -> str:
    """Who carries a parcel, as the shipped e-mail names it: 1-`MAX_CARRIER` printable characters, not blank."""
    return _printable(value, "a carrier", MAX_CARRIER)


def tracking_number(value: str) -> str:
    """The carrier's number for a parcel: 1-`MAX_TRACKING_NUMBER` printable characters, not blank (carriers print
    some with spaces, so spaces inside are kept)."""
    return _printable(value, "a tracking number", MAX_TRACKING_NUMBER)


def tracking_url(value: str) -> str:
    """Where the customer follows the parcel: the e-mail links to it, so it is held to the one rule for an address a
    shopper opens (`domain.catalog.web_address`: absolute http(s), a host, printable ASCII, no spaces)."""
    return web_address(value, "tracking URL", MAX_TRACKING_URL)


def _printable(value: str, what: str, longest: int) -> str:
    if not value.strip() or len(value) > longest or not value.isprintable():
        raise InvalidInput(f"{what} is 1-{longest} printable characters")
    return value


@dataclass(frozen=True)
class HeldPart:
    """Allocated units of one order line in one warehouse: what a shipment may take from."""

    part_id: int
    line_id: int
    sku: str
    warehouse_id: int
    quantity: int


@dataclass(frozen=True)
class Take:
    """Units a shipment takes from one held part: all of it, or the first `quantity` (the rest stays held)."""

    part: HeldPart
    quantity: int

    @property
    def whole(self) -> bool:
        return self.quantity == self.part.quantity


def effective_shipping_policy(order_override: str | None, channel_policy: str) -> ShippingPolicy:
    """An order's own policy where it has one, else its channel's."""
    return ShippingPolicy(order_override or channel_policy)


def order_may_ship(policy: ShippingPolicy, units_waiting: int) -> bool:
    """Under `complete` an order ships only once nothing of it waits for stock; `as_available` ships what is held."""
    return policy is ShippingPolicy.AS_AVAILABLE or units_waiting == 0


def pick_list_order(
    cross_dock: bool, placed_at: datetime, order_id: str, warehouse: str
) -> tuple[bool, datetime, str, str]:
    """The pick list's order: entries with units a receipt just brought (cross-docking: they stand at the dock, not
    on a shelf) first, then the oldest order first; the order id and the warehouse code break ties, so the order is
    total and a page boundary is exact. `store.shipments.pick_entries` sorts the same way in SQL."""
    return (not cross_dock, placed_at, order_id, warehouse)


def a_complete_order_ships_when_its_last_line_arrives(
    policy: ShippingPolicy, own: ShipWindow | None, order_waiting: Sequence[ShipWindow | None]
) -> ShipWindow | None:
    """When a waiting line ships, as the customer is told it: under `as_available` in its own window; under
    `complete` with the whole order, once its last waiting line arrives (the latest earliest day to the latest last
    day of the order's waiting lines), and with no date at all if any of them has none (invariant 7)."""
    if policy is ShippingPolicy.AS_AVAILABLE:
        return own
    windows = [own, *order_waiting]
    if any(window is None for window in windows):
        return None
    dated = [window for window in windows if window is not None]
    return ShipWindow(max(w.earliest for w in dated), max(w.latest for w in dated))


def units_a_shipment_takes(held: Sequence[HeldPart], requested: Mapping[str, int] | None = None) -> list[Take]:
    """What a shipment takes: every held unit (`requested` None), or the named SKUs' quantities from their held parts,
    in part order. Asking for more of a SKU than the order holds of it is refused whole (nothing ships)."""
    if requested is None:
        return [Take(part, part.quantity) for part in held]
    by_sku: dict[str, list[HeldPart]] = defaultdict(list)
    for part in held:
        by_sku[part.sku].append(part)
    takes: list[Take] = []
    for sku, wanted in requested.items():
        holding = sum(part.quantity for part in by_sku[sku])
        if wanted > holding:
            raise InvalidInput(f"cannot ship {wanted} of {sku}: only {holding} allocated and ready to ship")
        takes += _take_from(by_sku[sku], wanted)
    return takes


def _take_from(parts: Iterable[HeldPart], wanted: int) -> list[Take]:
    takes = []
    for part in parts:
        if wanted == 0:
            break
        quantity = min(part.quantity, wanted)
        takes.append(Take(part, quantity))
        wanted -= quantity
    return takes


def shipments_by_warehouse(takes: Sequence[Take]) -> dict[int, list[Take]]:
    """One shipment per warehouse the units leave from, in the order the warehouses first appear."""
    grouped: dict[int, list[Take]] = {}
    for take in takes:
        grouped.setdefault(take.part.warehouse_id, []).append(take)
    return grouped


def nothing_to_ship(order_id: str, policy: ShippingPolicy, units_held: int, units_waiting: int) -> Conflict | None:
    """Why an order cannot ship now, as the refusal says it; None when something can ship."""
    if units_held == 0:
        return Conflict(f"order {order_id} has nothing allocated to ship")
    if not order_may_ship(policy, units_waiting):
        return Conflict(
            f"order {order_id} ships complete: {units_waiting} unit(s) still wait for stock, so nothing ships yet"
        )
    return None
