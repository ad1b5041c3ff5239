"""An order line over its parts: what it promises, and what state it and its order are in.

A line is covered by parts: allocated from a warehouse, backordered (waiting, pegged to a PO line or
undated), shipped, or released (cancelled). Everything a customer reads about a line (its window, its
status) is derived from those parts here, so the order page, the e-mails and the periodic updates agree.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Literal

from restock.domain.model import LineStatus, OrderStatus, ShipWindow


class PartKind(enum.StrEnum):
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    SHIPPED = "shipped"
    RELEASED = "released"


PartKindName = Literal["allocated", "backordered", "shipped", "released"]


def line_window(waiting: Sequence[ShipWindow | None]) -> ShipWindow | None:
    """A line's promise spans the windows of its waiting parts; one undated part leaves the whole line undated.

    Invariant 7: a customer is never promised a date for units no confirmed supply backs. No waiting part: no
    window (the line is covered by stock).
    """
    if not waiting or any(window is None for window in waiting):
        return None
    dated = [window for window in waiting if window is not None]
    return ShipWindow(min(w.earliest for w in dated), max(w.latest for w in dated))


def line_status(kinds: Iterable[PartKind]) -> LineStatus:
    """A line waits while any part waits; else it is allocated while any part is held; else shipped; else cancelled."""
    present = set(kinds)
    if PartKind.BACKORDERED in present:
        return LineStatus.BACKORDERED
    if PartKind.ALLOCATED in present:
        return LineStatus.ALLOCATED
    if PartKind.SHIPPED in present:
        return LineStatus.SHIPPED
    return LineStatus.CANCELLED


OPEN_LINE_STATUSES = frozenset({LineStatus.ALLOCATED, LineStatus.BACKORDERED})


def order_status(line_statuses: Iterable[LineStatus | str]) -> OrderStatus:
    """An order is open while any line is; else shipped if anything shipped; else cancelled."""
    present = {LineStatus(status) for status in line_statuses}
    if present & OPEN_LINE_STATUSES:
        return OrderStatus.OPEN
    if LineStatus.SHIPPED in present:
        return OrderStatus.SHIPPED
    return OrderStatus.CANCELLED


class CancelLinkState(enum.StrEnum):
    """What a customer can still do with the cancel link of a line (the page the link opens says which)."""

    CAN_CANCEL = "can_cancel"
    CANCELLED = "cancelled"
    """By this link or otherwise."""
    READY_TO_SHIP = "ready_to_ship"
    """The stock came: the line is allocated and no longer waits."""
    SHIPPED = "shipped"


CancelLinkStateName = Literal["can_cancel", "cancelled", "ready_to_ship", "shipped"]

_CANCEL_LINK_STATES = {
    LineStatus.BACKORDERED: CancelLinkState.CAN_CANCEL,
    LineStatus.CANCELLED: CancelLinkState.CANCELLED,
    LineStatus.ALLOCATED: CancelLinkState.READY_TO_SHIP,
    LineStatus.SHIPPED: CancelLinkState.SHIPPED,
}


def cancel_link_state(status: LineStatus | str) -> CancelLinkState:
    """Only a line still waiting can be cancelled from a delay notice's link."""
    return _CANCEL_LINK_STATES[LineStatus(status)]
