"""What a customer reads about a ship window and an order: one function each, for every e-mail.

A window is worded here and nowhere else, so no sentence says "14-14 days", and a line without a confirmed
date (`domain.lines.line_window` is None: one of its parts is undated) never shows a date anywhere.
"""

from __future__ import annotations

from datetime import date

from restock.domain.model import ShipWindow

UNDATED = "no confirmed date yet; we write to you when it arrives"
"""A line no confirmed supply dates: no date, and the one promise restock keeps (the e-mail when it is filled)."""


def days_phrase(first: int, last: int) -> str:
    """A span of days as a person says it: "1 day", "14 days", "10-14 days" (never "14-14 days")."""
    if first == last:
        return "1 day" if first == 1 else f"{first} days"
    return f"{first}-{last} days"


def window_has_passed(window: ShipWindow | None, today: date) -> bool:
    """A window whose last day is behind us: the units are late, and no sentence may say their date holds."""
    return window is not None and window.latest < today


def window_words(window: ShipWindow | None, today: date) -> str:
    """A ship window as of `today`: "shipping in 10-14 days (2026-12-07 to 2026-12-11)".

    Counted from `today`, the day the customer reads it (or, for what they were told before, the day they were
    told). A one-day window shows one date; a window already open says "within"; a window already past says
    it is late rather than "in 0 days". No window: no date at all.
    """
    if window is None:
        return UNDATED
    first, last = window.days_from(today)
    latest = window.latest.isoformat()
    if window_has_passed(window, today):
        return f"late: it was due to ship by {latest}"
    if last == 0:
        return f"shipping today ({latest})"
    if first <= 0:
        return f"shipping within {days_phrase(last, last)} (by {latest})"
    if first == last:
        return f"shipping in {days_phrase(first, last)} ({latest})"
    return f"shipping in {days_phrase(first, last)} ({window.earliest.isoformat()} to {latest})"


def order_words(order_id: str, external_ref: str | None) -> str:
    """The order as the customer knows it: the shop's order number ("#1001") where it sent one, else restock's id."""
    if not external_ref:
        return order_id
    return external_ref if external_ref.startswith("#") else f"#{external_ref}"
