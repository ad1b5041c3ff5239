"""Ship windows: the dates we promise for a backorder, and how supplier lateness widens them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from restock.domain.model import ShipWindow

MIN_SLIPS_FOR_MEASURED_LATENESS = 3
"""Below this many observations a P90 says more about luck than about the supplier."""


def nearest_rank(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest observed value with at least `share` of values at or below it.

    Always one of the observations, so a P90 "lead time" is a lead time that really happened.
    """
    if not values:
        raise ValueError("a percentile of no observations is undefined")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def lateness_days(
    first_confirmed_eta: date | None, received_on: date | None, eta: date | None, today: date
) -> int | None:
    """How late one PO was (or already is) against the first date its supplier confirmed; None: not measurable.

    Received (at least in part): the first receipt's date minus the first confirmed ETA (negative when early).
    Still open: its ETA moved later, or it is overdue without a word, counts as late by the current ETA or
    today, whichever is later. A PO never confirmed has no promise to be late against.
    """
    if first_confirmed_eta is None:
        return None
    if received_on is not None:
        return (received_on - first_confirmed_eta).days
    if eta is not None and max(eta, today) > first_confirmed_eta:
        return (max(eta, today) - first_confirmed_eta).days
    return None


def measured_p90_lateness(slip_days: Sequence[int]) -> int | None:
    """The 90th percentile (nearest-rank) of a supplier's lateness observations; None below the minimum history.

    Early arrivals count as zero: arriving early never narrows the window we promise.
    """
    if len(slip_days) < MIN_SLIPS_FOR_MEASURED_LATENESS:
        return None
    return int(nearest_rank([max(0, d) for d in slip_days], 0.9))


def p90_lateness(slip_days: Sequence[int], default_days: int) -> int:
    """The measured P90 lateness of a supplier, or the default window width without enough history."""
    measured = measured_p90_lateness(slip_days)
    return default_days if measured is None else measured


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
