"""The availability decision a shopper sees, rule by rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from restock.domain.availability import UNLIMITED_BACKORDER, decide, promisable_supply
from restock.domain.model import (
    AvailabilityState,
    BackorderPolicy,
    InboundSupply,
    Reason,
    ShipWindow,
    SkuPolicy,
)
from restock.domain.promise import ship_window

TODAY = date(2026, 11, 27)


def supply(po_line_id: int = 1, eta_in: int = 8, capacity: int = 10, confirmed: bool = True) -> InboundSupply:
    eta = TODAY + timedelta(days=eta_in)
    return InboundSupply(po_line_id, eta, confirmed, capacity, ship_window(eta, 2, 4) if confirmed else None)


def test_in_stock_when_units_are_on_hand() -> None:
    result = decide(SkuPolicy(), 3, [supply()], TODAY)
    assert result.state is AvailabilityState.IN_STOCK
    assert result.reason is Reason.ON_HAND
    assert result.available_now == 3
    assert result.backorderable == 10


def test_backorder_against_confirmed_inbound_with_the_seed_wording() -> None:
    result = decide(SkuPolicy(), 0, [supply(eta_in=8)], TODAY)
    assert result.state is AvailabilityState.BACKORDER
    assert result.reason is Reason.CONFIRMED_INBOUND
    assert result.ship_window == ShipWindow(date(2026, 12, 7), date(2026, 12, 11))
    assert result.message == ("Temporarily out of stock. Available for backorder. Estimated shipping: 10-14 days.")


def test_out_of_stock_with_the_seed_wording_when_nothing_is_coming() -> None:
    result = decide(SkuPolicy(), 0, [], TODAY)
    assert result.state is AvailabilityState.OUT_OF_STOCK
    assert result.reason is Reason.NO_CONFIRMED_SUPPLY
    assert result.message == "Out of stock. Notify me when available."
    assert result.backorderable == 0


def test_unconfirmed_purchase_orders_promise_nothing() -> None:
    result = decide(SkuPolicy(), 0, [supply(confirmed=False)], TODAY)
    assert result.state is AvailabilityState.OUT_OF_STOCK
    assert result.reason is Reason.NO_CONFIRMED_SUPPLY


def test_refuses_a_backorder_beyond_max_wait() -> None:
    result = decide(SkuPolicy(max_wait_days=10), 0, [supply(eta_in=8)], TODAY)  # latest ship in 14 days
    assert result.state is AvailabilityState.OUT_OF_STOCK
    assert result.reason is Reason.WAIT_EXCEEDS_LIMIT


def test_out_of_stock_when_the_backorder_cap_is_used_up() -> None:
    result = decide(SkuPolicy(), 0, [supply(capacity=0)], TODAY)
    assert result.state is AvailabilityState.OUT_OF_STOCK
    assert result.reason is Reason.BACKORDER_CAP_REACHED


def test_policy_never_disables_backorders_even_with_supply() -> None:
    result = decide(SkuPolicy(BackorderPolicy.NEVER), 0, [supply()], TODAY)
    assert result.state is AvailabilityState.OUT_OF_STOCK
    assert result.reason is Reason.BACKORDERS_DISABLED


def test_policy_always_sells_without_a_date_when_no_supply_is_confirmed() -> None:
    result = decide(SkuPolicy(BackorderPolicy.ALWAYS), 0, [], TODAY)
    assert result.state is AvailabilityState.BACKORDER
    assert result.ship_window is None
    assert result.reason is Reason.BACKORDER_WITHOUT_DATE
    assert result.backorderable == UNLIMITED_BACKORDER


def test_a_product_not_yet_released_shows_as_preorder_under_the_same_rules() -> None:
    result = decide(SkuPolicy(), 0, [supply()], TODAY, preorder=True)
    assert result.state is AvailabilityState.PREORDER
    assert result.message.startswith("Pre-order. Estimated shipping: 10-14 days")


def test_backorderable_counts_only_supply_within_the_wait() -> None:
    near, far = supply(1, eta_in=5, capacity=4), supply(2, eta_in=40, capacity=50)
    result = decide(SkuPolicy(max_wait_days=30), 0, [far, near], TODAY)
    assert result.backorderable == 4
    assert result.ship_window == near.window


def test_promisable_supply_is_earliest_eta_first() -> None:
    late, early = supply(1, eta_in=20), supply(2, eta_in=5)
    assert [s.po_line_id for s in promisable_supply([late, early], SkuPolicy(), TODAY)] == [2, 1]


@pytest.mark.parametrize(("limit", "expected"), [(100, 10), (50, 5), (0, 0)])
def test_policy_validation_accepts_limits_as_shares(limit: int, expected: int) -> None:
    from restock.domain.model import promise_cap

    assert promise_cap(10, 0, limit) == expected


def test_policy_rejects_a_limit_above_100_percent() -> None:
    with pytest.raises(ValueError, match="backorder_limit_pct"):
        SkuPolicy(backorder_limit_pct=150)


def test_an_overdue_eta_promises_nothing_new() -> None:
    result = decide(SkuPolicy(), 0, [supply(eta_in=-2)], TODAY)
    assert result.state is AvailabilityState.OUT_OF_STOCK
    assert result.reason is Reason.CONFIRMED_ETA_PASSED


def test_supply_due_today_is_still_promisable() -> None:
    assert decide(SkuPolicy(), 0, [supply(eta_in=0)], TODAY).state is AvailabilityState.BACKORDER
