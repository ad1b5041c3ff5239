"""How a customer reads a ship window and an order's name: one wording for every e-mail."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from restock.domain.events import BackorderDelayed
from restock.domain.lines import line_window
from restock.domain.model import ShipWindow
from restock.domain.wording import UNDATED, days_phrase, order_words, window_words
from restock.store.outbox import event_of

TODAY = date(2026, 12, 1)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SAME_DAYS_TWICE = re.compile(r"\b(\d+)-\1 days")


def on(days: int) -> date:
    return TODAY + timedelta(days=days)


def test_a_span_of_one_number_of_days_reads_as_that_number() -> None:
    assert days_phrase(14, 14) == "14 days"
    assert days_phrase(1, 1) == "1 day"
    assert days_phrase(10, 14) == "10-14 days"


def test_a_one_day_window_shows_one_date() -> None:
    assert window_words(ShipWindow(on(14), on(14)), TODAY) == f"shipping in 14 days ({on(14).isoformat()})"


def test_a_window_shows_its_days_and_both_dates() -> None:
    expected = f"shipping in 10-14 days ({on(10).isoformat()} to {on(14).isoformat()})"
    assert window_words(ShipWindow(on(10), on(14)), TODAY) == expected


def test_a_window_already_open_or_past_never_reads_in_zero_days() -> None:
    assert window_words(ShipWindow(on(-2), on(3)), TODAY) == f"shipping within 3 days (by {on(3).isoformat()})"
    assert window_words(ShipWindow(on(0), on(0)), TODAY) == f"shipping today ({TODAY.isoformat()})"
    assert window_words(ShipWindow(on(-5), on(-1)), TODAY) == f"late: it was due to ship by {on(-1).isoformat()}"


def test_an_undated_line_has_no_date() -> None:
    assert window_words(None, TODAY) == UNDATED
    assert not ISO_DATE.search(UNDATED)


windows = st.builds(
    lambda start, width: ShipWindow(on(start), on(start + width)), st.integers(-20, 90), st.integers(0, 30)
)


@given(st.one_of(st.none(), windows), st.integers(-10, 10))
def test_a_window_never_reads_n_to_n_days_and_shows_its_latest_date(window: ShipWindow | None, shift: int) -> None:
    today = on(shift)
    words = window_words(window, today)
    assert not SAME_DAYS_TWICE.search(words)
    assert not re.search(r"\b(0|1) days\b|\bin 0\b", words)
    if window is None:
        assert not ISO_DATE.search(words)
        return
    assert window.latest.isoformat() in words
    if window.earliest == window.latest or window.earliest <= today:
        assert len(ISO_DATE.findall(words)) == 1


@given(st.lists(st.one_of(st.none(), windows), min_size=1, max_size=5))
def test_a_line_with_an_undated_part_has_no_date_in_its_words(parts: list[ShipWindow | None]) -> None:
    words = window_words(line_window(parts), TODAY)
    assert (ISO_DATE.search(words) is None) == (None in parts)


def test_an_order_is_named_by_the_shops_number_where_there_is_one() -> None:
    assert order_words("ord_1", "1001") == "#1001"
    assert order_words("ord_1", "#1001") == "#1001"
    assert order_words("ord_1", None) == "ord_1"


def test_a_delay_notice_written_before_the_told_day_was_kept_still_reads_back() -> None:
    """Fields added to an event later have defaults: a message already in the outbox at an upgrade is read."""
    payload = {
        "order": "o1",
        "line": 7,
        "sku": "A-1",
        "quantity": 2,
        "email": "a@example.com",
        "channel": "web",
        "old_window": {"earliest": "2026-12-05", "latest": "2026-12-08"},
        "new_window": {"earliest": "2026-12-09", "latest": "2026-12-12"},
        "first_promised_latest": "2026-12-08",
    }
    event = event_of("backorder_delayed", payload)
    assert isinstance(event, BackorderDelayed)
    assert (event.told_on, event.external_ref, event.line_undated) == (None, None, False)
