"""Cancelling part of a line: which units go, who may let them go, and what a delay notice's link still cancels.

A line's open units are its waiting (backordered) and allocated parts. A partial cancel gives back the units the
customer is least sure to get: waiting ones before allocated ones. Among the waiting parts, the undated ones go
first (no confirmed supply backs them), then the latest-promised ones, so the customer keeps the soonest; among
allocated parts, the newest first. A part only partly cancelled is split: the cancelled units become a released
part, the rest keeps its kind, its peg and its window.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from restock.domain.errors import Conflict
from restock.domain.lines import CancelLinkState, PartKind, cancel_link_state
from restock.domain.model import LineStatus, ShippingPolicy


class CancelledBy(enum.StrEnum):
    """Who cancelled: the wording a customer reads differs ("As you asked, ..." or "We had to cancel ...")."""

    MERCHANT = "merchant"
    """An admin key or the CLI: the shop cancelled."""
    CUSTOMER = "customer"
    """The customer, from the self-service link of a delay notice."""
    SHOP = "shop"
    """The storefront, on its customer's behalf (a storefront key)."""


CancelledByName = Literal["merchant", "customer", "shop"]

OPEN_KINDS = frozenset({PartKind.ALLOCATED, PartKind.BACKORDERED})


@dataclass(frozen=True)
class OpenPart:
    """What the cancel order looks at in an open part of a line."""

    id: int
    kind: PartKind
    quantity: int
    window_latest: date | None = None
    """The end of a waiting part's window; None for an undated backorder (and for allocated parts)."""


@dataclass(frozen=True)
class Release:
    """Units of one part to let go: all of it, or a split."""

    part_id: int
    kind: PartKind
    quantity: int


def release_order_key(part: OpenPart) -> tuple[int, int, int, int]:
    """The order in which a partial cancel takes units: waiting before allocated; undated waiting parts, then the
    latest-promised; newest part first as the stable tie-break (never a random pick)."""
    if part.kind is PartKind.BACKORDERED:
        undated = part.window_latest is None
        latest = -part.window_latest.toordinal() if part.window_latest is not None else 0
        return (0, 0 if undated else 1, latest, -part.id)
    return (1, 0, 0, -part.id)


def units_a_partial_cancel_releases(parts: Sequence[OpenPart], quantity: int | None) -> list[Release]:
    """The units `quantity` cancels of a line's open parts, in `release_order_key`'s order; None cancels all.

    A quantity above what is open is refused: nothing is cancelled then.
    """
    open_parts = sorted((p for p in parts if p.kind in OPEN_KINDS), key=release_order_key)
    open_units = sum(p.quantity for p in open_parts)
    wanted = open_units if quantity is None else quantity
    if wanted <= 0:
        raise Conflict("there is nothing left to cancel on this line")
    if wanted > open_units:
        raise Conflict(f"only {open_units} unit(s) of this line are still open; {wanted} cannot be cancelled")
    releases: list[Release] = []
    left = wanted
    for part in open_parts:
        if left == 0:
            break
        take = min(left, part.quantity)
        releases.append(Release(part.id, part.kind, take))
        left -= take
    return releases


def may_release(cancelled_by: CancelledBy, releases: Sequence[Release]) -> bool:
    """A merchant may cancel any open unit; a customer or a shop only units still waiting for stock (what is
    allocated is the merchant's to give back: it may already be picked)."""
    if cancelled_by is CancelledBy.MERCHANT:
        return True
    return all(release.kind is PartKind.BACKORDERED for release in releases)


@dataclass(frozen=True)
class NamedPart:
    """The waiting part a delay notice was about, as it stands now."""

    kind: PartKind
    quantity: int
    cancelled: bool
    """Released by a cancellation (rather than re-pegged onto other supply, its units living on in new parts)."""


@dataclass(frozen=True)
class LateUnits:
    """What a delay notice's cancel link can still do: how many late units it named, how many of them it can
    still cancel, and how many of them are cancelled already."""

    state: CancelLinkState
    named: int
    cancellable: int = 0
    cancelled: int = 0

    @property
    def arrived(self) -> int:
        """Named units no longer waiting nor cancelled: stock came for them and they ship with the order."""
        return max(0, self.named - self.cancellable - self.cancelled)


def late_units_a_cancel_link_cancels(
    named: NamedPart, late: int, line_status: LineStatus, waiting_on_line: int, cancelled_since: int
) -> LateUnits:
    """The link cancels exactly the late units its notice named, never what is allocated.

    While the named part still waits, its units are the late ones (fewer than named if stock came for some).
    Filled or shipped, nothing is left to cancel. Cancelled, the link has done its work. Re-pegged onto other
    supply (released, not cancelled), the late units are the line's waiting ones, up to the number named less
    what the customer cancelled since (`cancelled_since`), so a second click cancels nothing more.
    """
    if named.kind is PartKind.BACKORDERED:
        return LateUnits(CancelLinkState.CAN_CANCEL, late, cancellable=min(named.quantity, late))
    if named.kind is PartKind.ALLOCATED:
        return LateUnits(CancelLinkState.READY_TO_SHIP, late)
    if named.kind is PartKind.SHIPPED:
        return LateUnits(CancelLinkState.SHIPPED, late)
    if named.cancelled:
        return LateUnits(CancelLinkState.CANCELLED, late, cancelled=min(named.quantity, late))
    done = min(cancelled_since, late)
    still = min(late - done, waiting_on_line)
    if still > 0:
        return LateUnits(CancelLinkState.CAN_CANCEL, late, cancellable=still, cancelled=done)
    if done > 0:
        return LateUnits(CancelLinkState.CANCELLED, late, cancelled=done)
    return LateUnits(cancel_link_state(line_status), late)


class RestOfTheOrder(enum.StrEnum):
    """What cancelling a delay notice's late units would do to the rest of the order, as the notice says it."""

    NOTHING_LEFT = "nothing_left"
    """The late units are all of the order still to ship: there is no rest to speak of."""
    UNAFFECTED = "unaffected"
    """`as_available`: the rest ships as it is allocated, whether or not the late units wait."""
    SHIPS_NOW = "ships_now"
    """`complete`: the late units are all that holds the order back; without them the rest may ship at once."""
    STILL_WAITS = "still_waits"
    """`complete`: other units of the order wait too; without the late units it still waits for those."""


def what_cancelling_the_late_units_does_to_the_rest(
    policy: ShippingPolicy, rest_held: int, rest_waiting: int
) -> RestOfTheOrder:
    """What a delay notice may say of the rest of the order (the units still to ship beside the late ones: `rest_held`
    allocated, `rest_waiting` waiting for stock). Under `complete` the late units hold back the whole order, so "the
    rest is not affected" would be false there."""
    if rest_held + rest_waiting == 0:
        return RestOfTheOrder.NOTHING_LEFT
    if policy is ShippingPolicy.AS_AVAILABLE:
        return RestOfTheOrder.UNAFFECTED
    return RestOfTheOrder.SHIPS_NOW if rest_waiting == 0 else RestOfTheOrder.STILL_WAITS
