"""Rules of purchase orders that need no database: what an ETA may be.

`restock.services.purchasing` applies them when a PO is confirmed or re-dated; `restock.services.imports` checks a
whole file against them before anything is written, so both refuse the same dates with the same words.
"""

from __future__ import annotations

from datetime import date, timedelta

from restock.domain.errors import InvalidInput

MAX_ETA_AHEAD = timedelta(days=730)
"""Further out than this, a date is a guess, not something a supplier commits to (and a window built on it)."""


def eta_within_reach(eta: date, today: date) -> date:
    """An ETA is not in the past (nothing can arrive yesterday) and at most `MAX_ETA_AHEAD` away."""
    if eta < today:
        raise InvalidInput(f"an ETA must not be in the past (today is {today}, got {eta})")
    if eta > today + MAX_ETA_AHEAD:
        raise InvalidInput(f"an ETA more than {MAX_ETA_AHEAD.days} days ahead is not a date anyone can keep")
    return eta
