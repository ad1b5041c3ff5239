"""What the core tells the world: one frozen dataclass per outbox topic.

A use case builds an event and emits it in its own transaction (invariant 6); the store writes it as the
message's JSON payload (`store.outbox`), the worker reads it back into the same class and hands it to the
topic's handler (`notify.handlers`). A field's name is its key in the payload; fields marked `key_only`
only make the message's deduplication key and are not in the payload (an event read back from a message
has none: its key is the stored message's `dedup_key`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import ClassVar

from restock.domain.cancelling import CancelledBy
from restock.domain.model import AvailabilityState, LineStatus, OrderStatus, Reason, ShippingPolicy, ShipWindow

KEY_ONLY = "key_only"
"""Field metadata: the field makes the deduplication key and stays out of the payload."""


_KEY_ONLY = {KEY_ONLY: True}
"""A field that identifies this one message (a part id, a notice's random suffix, a day), not its content."""


class Topic(enum.StrEnum):
    """Outbox topics: the events the core writes, and the deliveries the worker derives from them."""

    ORDER_PLACED = "order_placed"
    BACKORDER_FILLED = "backorder_filled"
    BACKORDER_DELAYED = "backorder_delayed"
    BACKORDER_UNPROMISED = "backorder_unpromised"
    BACKORDER_STILL_WAITING = "backorder_still_waiting"
    ORDER_SHIPPED = "order_shipped"
    ORDER_CANCELLED = "order_cancelled"
    PO_CANCELLED = "po_cancelled"
    AVAILABILITY_CHANGED = "availability_changed"
    RESTOCK_ALERT_DUE = "restock_alert_due"
    PLAN_RUN_RECORDED = "plan_run_recorded"
    EMAIL = "email"
    """An e-mail the worker derived from an event, sent (and retried) on its own."""
    WEBHOOK = "webhook"
    """A webhook delivery the worker derived from an event, posted (and retried) on its own."""


def _key(topic: Topic, *parts: object) -> str:
    """`topic:part:part...`; a key-only part missing means the event was read back from its message."""
    if None in parts:
        raise ValueError("an event read back from a message has no key of its own: its key is the message's dedup_key")
    return ":".join([topic, *map(str, parts)])


@dataclass(frozen=True, kw_only=True)
class LineSnapshot:
    """An order line as the order events tell it: how much ships now, how much waits, and until when."""

    sku: str
    quantity: int
    allocated: int
    backordered: int
    status: LineStatus
    ship_window: ShipWindow | None
    delayed: bool
    shipped: int = 0
    """Units of the line already shipped (`allocated` is what is held now, not yet shipped)."""
    preorder: bool = False
    """A pre-order: its SKU was not released yet when the order was placed, and the line has units waiting
    (`domain.availability.is_preorder_line`). Set on the confirmation; later events leave it False."""


@dataclass(frozen=True, kw_only=True)
class OrderSnapshot:
    """An order and its lines at the moment of the event."""

    id: str
    email: str
    status: OrderStatus
    channel: str
    placed_at: datetime
    lines: tuple[LineSnapshot, ...]
    external_ref: str | None = None
    """The shop's own order number, where it sent one: what the customer knows the order by."""
    customer_name: str | None = None
    shipping_policy: ShippingPolicy = ShippingPolicy.AS_AVAILABLE
    """The order's effective policy: under `complete` nothing ships until the whole order is allocated."""

    @property
    def waiting_lines(self) -> tuple[LineSnapshot, ...]:
        """The lines with units still waiting for stock."""
        return tuple(line for line in self.lines if line.backordered)


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(OrderSnapshot):
    """An order was placed: what the confirmation e-mail and the order and backorder webhooks are made from."""

    topic: ClassVar[Topic] = Topic.ORDER_PLACED

    @property
    def dedup_key(self) -> str:
        return _key(self.topic, self.id)


@dataclass(frozen=True, kw_only=True)
class _LinesEnded(OrderSnapshot):
    """Lines of an order ended (lines end once, so their ids make the key unique)."""

    topic: ClassVar[Topic]
    lines_ended: tuple[int, ...]

    @property
    def dedup_key(self) -> str:
        return _key(self.topic, self.id, ",".join(map(str, self.lines_ended)))


@dataclass(frozen=True, kw_only=True)
class ShippedLine:
    """Units of one order line a shipment took."""

    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class ShipmentSnapshot:
    """One shipment: the units that left one warehouse together, and how the customer can follow them."""

    id: str
    warehouse: str
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    shipped_at: datetime
    lines: tuple[ShippedLine, ...]


@dataclass(frozen=True, kw_only=True)
class OrderShipped(_LinesEnded):
    """Units of an order shipped: the shipments (one per warehouse), and the order as it now reads (what still
    waits, with its window). `lines_ended` are the lines that shipped whole with it. A line may ship in several
    shipments, so the shipments' ids (each ships once) make the key."""

    topic: ClassVar[Topic] = Topic.ORDER_SHIPPED
    shipments: tuple[ShipmentSnapshot, ...] = ()

    @property
    def dedup_key(self) -> str:
        if not self.shipments:
            return super().dedup_key
        return _key(self.topic, self.id, ",".join(s.id for s in self.shipments))


@dataclass(frozen=True, kw_only=True)
class CancelledUnits:
    """How many units of one line a cancellation took."""

    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class UnitsToCome:
    """What is still on an order after a cancellation, per line: units held for it, units still waiting."""

    sku: str
    held: int
    """Allocated and not shipped yet."""
    waiting: int
    ship_window: ShipWindow | None


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(_LinesEnded):
    """Units of an order were cancelled: whole lines (`lines_ended`) or part of one (then no line may end)."""

    topic: ClassVar[Topic] = Topic.ORDER_CANCELLED
    cancelled_by: CancelledBy = CancelledBy.MERCHANT
    cancelled: tuple[CancelledUnits, ...] = ()
    """The units this cancellation took, per line (an event written before partial cancels has none)."""
    to_come: tuple[UnitsToCome, ...] = ()
    """The order's open lines after it: what still ships or waits."""
    released_parts: tuple[int, ...] | None = field(default=None, metadata=_KEY_ONLY)
    """The parts that now hold the cancelled units: a partial cancel ends no line, so these make its key."""

    @property
    def dedup_key(self) -> str:
        if self.lines_ended or self.released_parts is None:
            return super().dedup_key
        return _key(self.topic, self.id, "", ",".join(map(str, self.released_parts)))


@dataclass(frozen=True, kw_only=True)
class _AboutALine:
    """An event about units of one order line: which order and line, which SKU, how many."""

    order: str
    line: int
    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class BackorderFilled(_AboutALine):
    """Units arrived for a waiting part of a line: it ships now. One event per filled part."""

    topic: ClassVar[Topic] = Topic.BACKORDER_FILLED
    warehouse: str
    external_ref: str | None = None
    """The shop's order number, where it sent one (the e-mail names the order by it)."""
    part: int | None = field(default=None, metadata=_KEY_ONLY)

    @property
    def dedup_key(self) -> str:
        return _key(self.topic, self.part)


@dataclass(frozen=True, kw_only=True)
class BackorderDelayed(_AboutALine):
    """A waiting part's window now ends later than the one the customer was last given."""

    topic: ClassVar[Topic] = Topic.BACKORDER_DELAYED
    email: str
    channel: str
    old_window: ShipWindow | None
    new_window: ShipWindow | None
    first_promised_latest: date | None
    external_ref: str | None = None
    """The shop's order number, where it sent one (the e-mail names the order by it)."""
    told_on: date | None = None
    """The day the customer was given `old_window` (the order's placement or the last news about the line), so
    the notice repeats that promise as it was worded then; None in notices written before it was kept."""
    line_undated: bool = False
    """Another waiting part of the line has no date: the line has none (`domain.lines.line_window`), the customer
    was told none for it, and the notice gives none either, old or new."""
    part: int | None = field(default=None, metadata=_KEY_ONLY)
    notice: str | None = field(default=None, metadata=_KEY_ONLY)
    """Random: a date can slip to the same day twice, and each notice is a message of its own."""

    @property
    def dedup_key(self) -> str:
        return _key(self.topic, self.part, self.notice)

    @staticmethod
    def part_in_key(dedup_key: str) -> int | None:
        """The part a stored notice is about (`part` is key-only: an event read back has it only in its key)."""
        _, _, rest = dedup_key.partition(":")
        part, _, _ = rest.partition(":")
        return int(part) if part.isdigit() else None


@dataclass(frozen=True, kw_only=True)
class BackorderUnpromised(BackorderDelayed):
    """A waiting part lost its window altogether (its supply went away): `new_window` is None."""

    topic: ClassVar[Topic] = Topic.BACKORDER_UNPROMISED


def delay_notice_type(new_window: ShipWindow | None) -> type[BackorderDelayed]:
    """A later window is a delay; no window at all is an un-promise (the same notice, another topic)."""
    return BackorderDelayed if new_window is not None else BackorderUnpromised


@dataclass(frozen=True, kw_only=True)
class BackorderStillWaiting(_AboutALine):
    """The periodic "still on its way" update of a line quiet for a while; `quantity` is what still waits."""

    topic: ClassVar[Topic] = Topic.BACKORDER_STILL_WAITING
    email: str
    placed_at: datetime
    ship_window: ShipWindow | None
    external_ref: str | None = None
    """The shop's order number, where it sent one (the e-mail names the order by it)."""
    on: date | None = field(default=None, metadata=_KEY_ONLY)
    """The day the update is sent: at most one per line per day."""

    @property
    def dedup_key(self) -> str:
        return _key(self.topic, self.line, self.on and self.on.isoformat())


@dataclass(frozen=True, kw_only=True)
class AvailabilityChanged:
    """What shoppers see for a SKU on a channel changed (`domain.availability.answer_changed`): its state, or a
    window. Carries the new answer and the old one (the `old_...` fields)."""

    topic: ClassVar[Topic] = Topic.AVAILABILITY_CHANGED
    sku: str
    channel: str
    old_state: AvailabilityState
    new_state: AvailabilityState
    available_now: int
    backorderable: int
    ship_window: ShipWindow | None
    reason: Reason
    backorder_window: ShipWindow | None = None
    old_available_now: int = 0
    old_backorderable: int = 0
    old_ship_window: ShipWindow | None = None
    old_backorder_window: ShipWindow | None = None
    old_reason: Reason | None = None
    notice: str | None = field(default=None, metadata=_KEY_ONLY)
    """Random: the same change can happen again, each time a message of its own."""

    @property
    def dedup_key(self) -> str:
        return _key(self.topic, self.sku, self.channel, self.notice)


@dataclass(frozen=True, kw_only=True)
class RestockAlertDue:
    """Still buyable an hour after the last batch of subscribers was told: time to tell the next batch."""

    topic: ClassVar[Topic] = Topic.RESTOCK_ALERT_DUE
    sku: str
    channel: str
    at: datetime | None = field(default=None, metadata=_KEY_ONLY)

    @property
    def dedup_key(self) -> str:
        return _key(self.topic, self.sku, self.channel, self.at and self.at.isoformat())


@dataclass(frozen=True, kw_only=True)
class POCancelled:
    """A purchase order was cancelled; its backorders were moved (their own notices follow)."""

    topic: ClassVar[Topic] = Topic.PO_CANCELLED
    po: int
    repegged_parts: int

    @property
    def dedup_key(self) -> str:
        return _key(self.topic, self.po)


@dataclass(frozen=True, kw_only=True)
class PlanRunRecorded:
    """A replenishment plan run was stored: its summary goes to the purchasing contact (RESTOCK_PLAN_NOTIFY)."""

    topic: ClassVar[Topic] = Topic.PLAN_RUN_RECORDED
    run: int
    to: str

    @property
    def dedup_key(self) -> str:
        return _key(self.topic, self.run)


Event = (
    OrderPlaced
    | OrderShipped
    | OrderCancelled
    | BackorderFilled
    | BackorderDelayed
    | BackorderStillWaiting
    | AvailabilityChanged
    | RestockAlertDue
    | POCancelled
    | PlanRunRecorded
)
"""Every event the core emits (BackorderUnpromised is a BackorderDelayed)."""

EVENT_TYPES: dict[Topic, type[Event]] = {
    cls.topic: cls
    for cls in (
        OrderPlaced,
        OrderShipped,
        OrderCancelled,
        BackorderFilled,
        BackorderDelayed,
        BackorderUnpromised,
        BackorderStillWaiting,
        AvailabilityChanged,
        RestockAlertDue,
        POCancelled,
        PlanRunRecorded,
    )
}
"""The class of each event topic (the derived `email` and `webhook` deliveries are not events)."""
