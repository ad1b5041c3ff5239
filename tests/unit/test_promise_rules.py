"""Ship windows and supplier lateness."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from restock.domain.model import ShipWindow, promise_cap
from restock.domain.promise import is_delay, p90_lateness, ship_window, within_wait


def test_window_is_eta_plus_handling_to_that_plus_lateness() -> None:
    assert ship_window(date(2026, 12, 5), 2, 4) == ShipWindow(date(2026, 12, 7), date(2026, 12, 11))


def test_default_lateness_while_a_supplier_has_too_little_history() -> None:
    assert p90_lateness([], 4) == 4
    assert p90_lateness([10, 12], 4) == 4


def test_p90_lateness_is_the_nearest_rank_percentile_of_slips() -> None:
    slips = [0, 0, 1, 1, 2, 2, 3, 5, 8, 20]
    assert p90_lateness(slips, 4) == 8


def test_early_arrivals_count_as_zero_slip() -> None:
    assert p90_lateness([-5, -3, -1, -2], 4) == 0


def test_wait_limit_is_measured_to_the_latest_promised_date() -> None:
    window = ShipWindow(date(2026, 12, 7), date(2026, 12, 11))
    assert within_wait(window, date(2026, 11, 27), 14)
    assert not within_wait(window, date(2026, 11, 27), 13)


def test_a_delay_is_a_window_that_ends_later_or_disappears() -> None:
    old = ShipWindow(date(2026, 12, 7), date(2026, 12, 11))
    assert is_delay(old, ShipWindow(date(2026, 12, 8), date(2026, 12, 12)))
    assert is_delay(old, None)
    assert not is_delay(old, ShipWindow(date(2026, 12, 1), date(2026, 12, 11)))
    assert not is_delay(None, old)


@given(st.integers(1, 10_000), st.integers(0, 10_000), st.integers(0, 100))
def test_promise_cap_never_exceeds_the_open_quantity(ordered: int, received: int, limit: int) -> None:
    received = min(received, ordered)
    cap = promise_cap(ordered, received, limit)
    assert 0 <= cap <= ordered - received


@given(st.lists(st.integers(-30, 60), min_size=3, max_size=200))
def test_p90_lateness_is_one_of_the_observed_slips_and_at_least_most_of_them(slips: list[int]) -> None:
    p90 = p90_lateness(slips, 4)
    clipped = [max(0, s) for s in slips]
    assert p90 in clipped
    assert sum(1 for s in clipped if s <= p90) >= 0.9 * len(clipped)
