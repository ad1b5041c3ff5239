"""Ship windows: the dates we promise for a backorder, and how supplier lateness widens them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from restock.domain.model import ShipWindow

MIN_SLIPS_FOR_MEASURED_LATENESS = 3
"""Below this many observations a P90 says more about luck than about the supplier."""


def p90_lateness(slip_days: Sequence[int], default_days: int) -> int:
    """The 90th percentile of a supplier's past ETA slips (nearest-rank), or the default without history.

    Early arrivals count as zero slip: arriving early never narrows the window we promise.
    """
    if len(slip_days) < MIN_SLIPS_FOR_MEASURED_LATENESS:
        return default_days
    ordered = sorted(max(0, d) for d in slip_days)
    rank = math.ceil(0.9 * len(ordered))
    return ordered[rank - 1]


def ship_window(eta: date, handling_days: int, lateness_days: int) -> ShipWindow:
    """Earliest: the ETA plus handling; latest: that plus the supplier's measured lateness."""
    earliest = eta + timedelta(days=handling_days)
    return ShipWindow(earliest=earliest, latest=earliest + timedelta(days=lateness_days))


def within_wait(window: ShipWindow, today: date, max_wait_days: int) -> bool:
    """A promise is only offered when even its latest date is within what the SKU allows a shopper to wait."""
    return (window.latest - today).days <= max_wait_days


def is_delay(old: ShipWindow | None, new: ShipWindow | None) -> bool:
    """A promise slips when its new window ends later than the one the customer was last given.

    Losing the date entirely (no confirmed supply any more) is a slip as well.
    """
    if old is None:
        return False
    return new is None or new.latest > old.latest


def is_delayed(first_promised_latest: date | None, window: ShipWindow | None) -> bool:
    """A waiting backorder is delayed when its current window ends after the first date it was promised."""
    if first_promised_latest is None:
        return False
    return window is None or window.latest > first_promised_latest
