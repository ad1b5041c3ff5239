"""Shipping: which units a shipment may take, and when an order's shipping policy lets it ship at all.

A shipment takes only allocated units (units held for the order in one warehouse): never a waiting unit, and
never more of a line than it holds. An order under the `complete` policy ships nothing until every open line is
wholly allocated; under `as_available` (the default) whatever is allocated may leave at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from restock.domain.errors import Conflict, InvalidInput
from restock.domain.model import ShippingPolicy, ShipWindow


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
