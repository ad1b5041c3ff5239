"""A placed order before it is stored: the order, its lines and their parts, as the cover plans decided them.

Both ways of storing an order (the general path and PostgreSQL's one-statement path) are fed this one shape;
the store turns it into rows. Statuses are not stored fields here but derived from the parts
(`domain.lines`), so what is written is what the rules say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from restock.domain.address import DeliveryAddress
from restock.domain.allocation import Take
from restock.domain.cover import Peg
from restock.domain.lines import PartKind, line_status, order_status
from restock.domain.model import LineStatus, OrderStatus, ShippingPolicy, ShipWindow
from restock.domain.promise import is_delayed


@dataclass(frozen=True)
class PlacedPart:
    """Units of a line: allocated from a warehouse, or waiting (pegged to a PO line, or undated)."""

    kind: PartKind
    quantity: int
    warehouse_id: int | None = None
    po_line_id: int | None = None
    window: ShipWindow | None = None
    promised_latest: date | None = None
    delayed: bool = False


@dataclass(frozen=True)
class PlacedLine:
    sku_id: int
    quantity: int
    parts: tuple[PlacedPart, ...]
    """Allocated parts first, then waiting ones."""

    @property
    def status(self) -> LineStatus:
        return line_status(part.kind for part in self.parts)


@dataclass(frozen=True)
class PlacedOrder:
    id: str
    channel_id: int
    email: str
    priority: int
    placed_at: datetime
    idempotency_key: str | None
    request_hash: str
    lines: tuple[PlacedLine, ...]
    external_ref: str | None = None
    """The shop's own order number, unique per channel."""
    customer_name: str | None = None
    delivery_address: DeliveryAddress | None = None
    shipping_policy: ShippingPolicy | None = None
    """This order's override of its channel's shipping policy; None follows the channel."""

    @property
    def status(self) -> OrderStatus:
        return order_status(line.status for line in self.lines)


@dataclass(frozen=True)
class Backorder:
    """Who is waiting: the facts a waiting part copies from its line and order."""

    order_line_id: int
    sku_id: int
    channel_id: int
    priority: int
    placed_at: datetime
    promised_latest: date | None = None
    """The latest date the customer was first given; None for a new promise."""


def allocated_part(take: Take[int]) -> PlacedPart:
    return PlacedPart(PartKind.ALLOCATED, take.quantity, warehouse_id=take.source)


def waiting_part(peg: Peg, first_promised_latest: date | None = None) -> PlacedPart:
    """A waiting part; delayed when its window (or the lack of one) is worse than the first promise."""
    window = peg.window
    promised_latest = first_promised_latest or (window.latest if window else None)
    return PlacedPart(
        PartKind.BACKORDERED,
        peg.quantity,
        po_line_id=peg.po_line_id,
        window=window,
        promised_latest=promised_latest,
        delayed=is_delayed(promised_latest, window),
    )


def placed_line(sku_id: int, quantity: int, takes: tuple[Take[int], ...], pegs: tuple[Peg, ...]) -> PlacedLine:
    """A line as its cover plan covers it: the stock taken, then the supply pegged."""
    parts = tuple(allocated_part(take) for take in takes) + tuple(waiting_part(peg) for peg in pegs)
    return PlacedLine(sku_id, quantity, parts)
