"""When a SKU is a pre-order, when an answer counts as changed, and what an in-stock answer says about more."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from restock.domain.availability import (
    Availability,
    a_preorder_ships_from_its_release,
    an_order_may_change_the_answer,
    answer_changed,
    availability_message,
    decide,
    is_first_sale,
    is_preorder,
    preorder_release,
)
from restock.domain.model import AvailabilityState, BackorderPolicy, InboundSupply, Reason, ShipWindow, SkuPolicy
from restock.domain.promise import ship_window

TODAY = date(2026, 11, 27)
AHEAD = TODAY + timedelta(days=20)
SOLD = datetime(2026, 11, 1, 9, 30)


def supply(po_line_id: int = 1, eta_in: int = 8, capacity: int = 10) -> InboundSupply:
    eta = TODAY + timedelta(days=eta_in)
    return InboundSupply(po_line_id, eta, True, capacity, ship_window(eta, 2, 4))


def test_a_preorder_needs_a_release_date() -> None:
    assert not is_preorder(None, None, TODAY)  # never stocked, never sold: still a backorder, not a pre-order
    assert is_preorder(AHEAD, None, TODAY)


def test_a_product_released_today_or_before_is_a_backorder() -> None:
    assert not is_preorder(TODAY, None, TODAY)
    assert not is_preorder(TODAY - timedelta(days=3), None, TODAY)
    assert is_preorder(TODAY + timedelta(days=1), None, TODAY)


def test_a_product_sold_once_is_a_backorder_even_with_a_release_date_ahead() -> None:
    assert not is_preorder(AHEAD, SOLD, TODAY)


def test_pre_orders_are_not_the_first_sale_but_an_order_after_the_release_is() -> None:
    assert not is_first_sale(AHEAD, None, TODAY)  # a pre-order leaves it a pre-order
    assert is_first_sale(TODAY, None, TODAY)
    assert not is_first_sale(TODAY, SOLD, TODAY)  # sold already: nothing to record


def test_a_sku_sold_without_a_release_date_has_its_first_sale() -> None:
    """Marked whether or not it has a release date: a release date set later cannot make it a pre-order again."""
    assert is_first_sale(None, None, TODAY)
    assert is_first_sale(TODAY - timedelta(days=3), None, TODAY)
    assert not is_first_sale(None, SOLD, TODAY)
    assert not is_preorder(AHEAD, SOLD, TODAY)


def test_a_preorder_never_ships_before_its_release() -> None:
    early = ShipWindow(TODAY + timedelta(days=10), TODAY + timedelta(days=14))
    assert preorder_release(AHEAD, None, TODAY) == AHEAD
    assert a_preorder_ships_from_its_release(early, AHEAD) == ShipWindow(AHEAD, AHEAD)  # arrives well before
    straddling = ShipWindow(AHEAD - timedelta(days=2), AHEAD + timedelta(days=3))
    assert a_preorder_ships_from_its_release(straddling, AHEAD) == ShipWindow(AHEAD, AHEAD + timedelta(days=3))
    later = ShipWindow(AHEAD + timedelta(days=1), AHEAD + timedelta(days=5))
    assert a_preorder_ships_from_its_release(later, AHEAD) == later
    for release_date, sold in [(AHEAD, SOLD), (None, None), (TODAY, None)]:  # not a pre-order: its PO's window
        assert preorder_release(release_date, sold, TODAY) is None
        assert a_preorder_ships_from_its_release(early, preorder_release(release_date, sold, TODAY)) == early


def test_the_decision_labels_a_dated_backorder_of_a_preorder_product_a_preorder() -> None:
    preorder = decide(SkuPolicy(), 0, [supply()], TODAY, is_preorder(AHEAD, None, TODAY))
    assert preorder.state is AvailabilityState.PREORDER
    assert preorder.message == "Pre-order. Estimated shipping: 10-14 days."
    assert decide(SkuPolicy(), 0, [supply()], TODAY, is_preorder(AHEAD, SOLD, TODAY)).state is (
        AvailabilityState.BACKORDER
    )
    assert decide(SkuPolicy(), 4, [supply()], TODAY, preorder=True).state is AvailabilityState.IN_STOCK


def test_an_in_stock_answer_carries_the_window_of_what_may_be_backordered_beyond_the_stock() -> None:
    result = decide(SkuPolicy(), 11, [supply(eta_in=7)], TODAY)
    assert result.state is AvailabilityState.IN_STOCK
    assert result.ship_window is None
    assert result.backorder_window == ShipWindow(date(2026, 12, 6), date(2026, 12, 10))
    assert result.message == "In stock (11). More ship in 9-13 days."


def test_an_in_stock_answer_without_backorderable_supply_has_no_backorder_window() -> None:
    for policy, options in [
        (SkuPolicy(), []),
        (SkuPolicy(), [supply(capacity=0)]),
        (SkuPolicy(BackorderPolicy.NEVER), [supply()]),
        (SkuPolicy(max_wait_days=5), [supply(eta_in=8)]),
        (SkuPolicy(BackorderPolicy.ALWAYS), []),  # backorderable, but with no date to tell
    ]:
        result = decide(policy, 3, options, TODAY)
        assert (result.backorder_window, result.message) == (None, "In stock."), policy


def test_a_window_of_one_day_reads_as_one_number_of_days() -> None:
    window = ShipWindow(TODAY + timedelta(days=14), TODAY + timedelta(days=14))
    assert availability_message(AvailabilityState.BACKORDER, TODAY, window) == (
        "Temporarily out of stock. Available for backorder. Estimated shipping: 14 days."
    )
    assert availability_message(AvailabilityState.IN_STOCK, TODAY, window, 2) == "In stock (2). More ship in 14 days."


def _answer(state: AvailabilityState, now: int = 0, window: ShipWindow | None = None) -> Availability:
    return Availability(state, now, 10, window, "", Reason.ON_HAND)


def test_an_answer_counts_as_changed_when_its_state_or_a_window_moves_not_its_units() -> None:
    early = ShipWindow(TODAY, TODAY + timedelta(days=4))
    late = ShipWindow(TODAY + timedelta(days=7), TODAY + timedelta(days=11))
    in_stock = _answer(AvailabilityState.IN_STOCK, 5)
    assert not answer_changed(in_stock, _answer(AvailabilityState.IN_STOCK, 1))
    assert answer_changed(in_stock, _answer(AvailabilityState.OUT_OF_STOCK))
    assert answer_changed(_answer(AvailabilityState.BACKORDER, 0, early), _answer(AvailabilityState.BACKORDER, 0, late))
    assert answer_changed(_answer(AvailabilityState.BACKORDER, 0, early), _answer(AvailabilityState.PREORDER, 0, early))
    more_soon = Availability(AvailabilityState.IN_STOCK, 5, 10, None, "", Reason.ON_HAND, early)
    more_later = Availability(AvailabilityState.IN_STOCK, 4, 10, None, "", Reason.ON_HAND, late)
    assert answer_changed(more_soon, more_later)


def test_an_order_may_change_the_answer_only_when_it_backordered_or_left_no_sellable_unit() -> None:
    assert not an_order_may_change_the_answer(0, [(5, 0), (5, 2)])
    assert an_order_may_change_the_answer(0, [(5, 0), (2, 2)])  # the careful channel's buffer is all that is left
    assert an_order_may_change_the_answer(0, [(0, 0)])
    assert an_order_may_change_the_answer(3, [])
    assert not an_order_may_change_the_answer(0, [])
