"""Vocabulary of the domain as small immutable value objects and enums.

Each enum whose values an API schema spells as a `Literal` has a `...Name` alias beside it with the same
values (`tests/unit/test_vocabulary.py` checks that they agree), so the schema and the domain cannot drift.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Literal

MAX_QUANTITY = 1_000_000
"""Upper bound for any quantity in a request: larger numbers are typos or attacks, never orders."""

MAX_BALANCE = 2_000_000_000
"""Most units one warehouse may hold of one SKU: below the 32-bit columns' limit, with room to spare."""


def fits_in_a_balance(on_hand_after: int) -> bool:
    """A balance never passes `MAX_BALANCE` (the ledger's guarded UPDATE applies the same bound in SQL)."""
    return on_hand_after <= MAX_BALANCE


class BackorderPolicy(enum.StrEnum):
    NEVER = "never"
    CONFIRMED = "confirmed"
    ALWAYS = "always"


BackorderPolicyName = Literal["never", "confirmed", "always"]


class POStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    CONFIRMED = "confirmed"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


POStatusName = Literal["draft", "sent", "confirmed", "partially_received", "received", "cancelled"]

OPEN_PO_STATUSES = frozenset({POStatus.DRAFT, POStatus.SENT, POStatus.CONFIRMED, POStatus.PARTIALLY_RECEIVED})
PROMISABLE_PO_STATUSES = frozenset({POStatus.CONFIRMED, POStatus.PARTIALLY_RECEIVED})


class LineStatus(enum.StrEnum):
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


LineStatusName = Literal["allocated", "backordered", "shipped", "cancelled"]


class OrderStatus(enum.StrEnum):
    OPEN = "open"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


OrderStatusName = Literal["open", "shipped", "cancelled"]


class ShippingPolicy(enum.StrEnum):
    """When an order's allocated units may leave: as they are allocated, or only once the whole order is."""

    AS_AVAILABLE = "as_available"
    COMPLETE = "complete"


ShippingPolicyName = Literal["as_available", "complete"]


class AvailabilityState(enum.StrEnum):
    IN_STOCK = "in_stock"
    BACKORDER = "backorder"
    PREORDER = "preorder"
    OUT_OF_STOCK = "out_of_stock"


AvailabilityStateName = Literal["in_stock", "backorder", "preorder", "out_of_stock"]


class MovementKind(enum.StrEnum):
    """Why a stock ledger entry moved on-hand or allocated units."""

    RECEIPT = "receipt"
    """Units of a purchase order arrived."""
    SHIPMENT = "shipment"
    """Allocated units left the warehouse with an order."""
    ADJUSTMENT = "adjustment"
    """A count found more or fewer units than the books said (or the opening count)."""
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    ALLOCATION = "allocation"
    """Units were set aside for orders (placed, or waiting backorders filled)."""
    RELEASE = "release"
    """Allocated units went back to free stock (a cancelled line)."""


class Role(enum.StrEnum):
    """What an API key may do: a storefront places its channel's orders, a warehouse moves stock, an admin all."""

    STOREFRONT = "storefront"
    WAREHOUSE = "warehouse"
    ADMIN = "admin"


RoleName = Literal["storefront", "warehouse", "admin"]


class IdempotencyState(enum.StrEnum):
    """An Idempotency-Key's record: its request is still running, or its answer is recorded."""

    IN_FLIGHT = "in_flight"
    DONE = "done"


class SubscriptionStatus(enum.StrEnum):
    """A restock alert subscription: still waiting for stock, told, or withdrawn by the shopper."""

    WAITING = "waiting"
    NOTIFIED = "notified"
    UNSUBSCRIBED = "unsubscribed"


SubscriptionStatusName = Literal["waiting", "notified", "unsubscribed"]


class MessageStatus(enum.StrEnum):
    """An outbox message: waiting to be delivered (or retried), delivered, or dead after its last attempt."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


MessageStatusName = Literal["pending", "delivered", "dead"]


class Reason(enum.StrEnum):
    ON_HAND = "on_hand"
    CONFIRMED_INBOUND = "confirmed_inbound"
    BACKORDER_WITHOUT_DATE = "backorder_without_date"
    NO_CONFIRMED_SUPPLY = "no_confirmed_supply"
    CONFIRMED_ETA_PASSED = "confirmed_eta_passed"
    WAIT_EXCEEDS_LIMIT = "wait_exceeds_limit"
    BACKORDER_CAP_REACHED = "backorder_cap_reached"
    BACKORDERS_DISABLED = "backorders_disabled"
    ARCHIVED = "archived"
    """The SKU is archived: no longer sold, whatever is on hand or inbound."""


MAX_WAIT_DAYS = 3650
"""The longest a SKU's backorders may wait (ten years): beyond it, a wait is no promise."""


@dataclass(frozen=True)
class SkuPolicy:
    """What a merchant allows for one SKU when it is not on hand."""

    backorder: BackorderPolicy = BackorderPolicy.CONFIRMED
    max_wait_days: int = 30
    backorder_limit_pct: int = 100

    def __post_init__(self) -> None:
        if not 0 <= self.max_wait_days <= MAX_WAIT_DAYS:
            raise ValueError(f"max_wait_days must be between 0 and {MAX_WAIT_DAYS}")
        if not 0 <= self.backorder_limit_pct <= 100:
            raise ValueError("backorder_limit_pct must be between 0 and 100")


@dataclass(frozen=True, order=True)
class ShipWindow:
    earliest: date
    latest: date

    def days_from(self, today: date) -> tuple[int, int]:
        return (self.earliest - today).days, (self.latest - today).days


def part_window(earliest: date | None, latest: date | None) -> ShipWindow | None:
    """A stored window: both dates, or none (a half-stored window is no promise)."""
    return ShipWindow(earliest, latest) if earliest is not None and latest is not None else None


@dataclass(frozen=True)
class InboundSupply:
    """Room left on one open PO line to promise backorders against.

    `capacity` is already net of what is promised: cap(open quantity) - promised.
    """

    po_line_id: int
    eta: date | None
    eta_confirmed: bool
    capacity: int
    window: ShipWindow | None


def promise_cap(ordered: int, received: int, backorder_limit_pct: int) -> int:
    """Units of a PO line that may be promised: the open quantity scaled by the SKU's limit, rounded down.

    Rounding down keeps invariant 1 (never promise a unit that may not come).
    """
    return max(0, (ordered - received) * backorder_limit_pct // 100)
