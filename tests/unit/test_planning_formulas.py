"""The planning formulas reproduce published textbook examples, and behave as the theory says.

Source of every number: S. Chopra and P. Meindl, *Supply Chain Management: Strategy, Planning, and
Operation*, Pearson (6th edition, 2016): chapter 11 (cycle inventory: EOQ) and chapter 12 (safety
inventory). Each test rounds as the book does (whole units; the book's sigma_L shown to the unit).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from restock.planning import eoq, fill_rate_safety_factor, reorder_point, safety_stock
from restock.planning.formulas import lead_time_demand_std, order_up_to_level, standard_normal_loss, whole_packs


def test_safety_stock_for_a_cycle_service_level_matches_chopra_meindl_lego_example() -> None:
    """Chopra & Meindl 6th ed., ch. 12, "Evaluating safety inventory given CSL" (Lego at Walmart):
    weekly demand 2,500 boxes (sd 500), lead time 2 weeks, CSL 90% -> sigma_L = 707, safety inventory 906."""
    assert round(lead_time_demand_std(2_500, 500, 2, 0)) == 707
    assert round(safety_stock(2_500, 500, 2, 0, 0.90)) == 906


def test_reorder_point_is_lead_time_demand_plus_safety_stock_as_in_the_lego_example() -> None:
    """Same example: expected demand over the lead time D_L = 2 x 2,500 = 5,000; ROP = D_L + ss = 5,906."""
    assert round(reorder_point(2_500, 500, 2, 0, 0.90)) == 5_906


def test_safety_stock_with_lead_time_uncertainty_matches_chopra_meindl_palms_example() -> None:
    """Chopra & Meindl 6th ed., ch. 12, "Impact of lead time uncertainty on safety inventory" (Palms at B&M):
    daily demand 2,500 (sd 500), lead time 7 days (sd 7 days), CSL 90% -> sigma_L = 17,550, ss = 22,491."""
    assert round(lead_time_demand_std(2_500, 500, 7, 7)) == 17_550
    assert round(safety_stock(2_500, 500, 7, 7, 0.90)) == 22_491


def test_eoq_matches_chopra_meindl_best_buy_example() -> None:
    """Chopra & Meindl 6th ed., ch. 11, "Economic order quantity" (Best Buy computers): 1,000 units a month,
    $4,000 per order, unit cost $500, holding 20% a year -> EOQ = sqrt(2 x 12,000 x 4,000 / 100) = 980."""
    assert round(eoq(12_000, 4_000, 0.20 * 500)) == 980


def test_fill_rate_safety_factor_matches_chopra_meindl_fill_rate_example() -> None:
    """Chopra & Meindl 6th ed., ch. 12, "Evaluating safety inventory given desired fill rate" (Lego):
    lot size 10,000, sigma_L = 707, fill rate 97.5% -> ESC = 250 and safety inventory 67."""
    k = fill_rate_safety_factor(0.975, 10_000, 707)
    assert round(k * 707) == 67
    assert standard_normal_loss(k) * 707 == pytest.approx(250, abs=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: safety_stock(10, 2, 5, 1, 1.0), "service_level"),
        (lambda: safety_stock(10, 2, 5, 1, 0.0), "service_level"),
        (lambda: safety_stock(-1, 2, 5, 1, 0.9), "demand_mean"),
        (lambda: safety_stock(10, -2, 5, 1, 0.9), "demand_std"),
        (lambda: safety_stock(10, 2, -5, 1, 0.9), "lead_time_mean"),
        (lambda: safety_stock(10, 2, 5, math.nan, 0.9), "lead_time_std"),
        (lambda: reorder_point(10, 2, 5, 1, 95), "service_level"),
        (lambda: eoq(1_000, 50, 0), "holding_cost_per_unit_year"),
        (lambda: eoq(-1_000, 50, 2), "annual_demand"),
        (lambda: eoq(1_000, math.inf, 2), "order_cost"),
        (lambda: fill_rate_safety_factor(1.0, 100, 10), "fill_rate"),
        (lambda: fill_rate_safety_factor(0.98, 0, 10), "order_quantity"),
        (lambda: fill_rate_safety_factor(0.98, 100, 0), "lead_time_demand_std"),
    ],
)
def test_arguments_without_meaning_are_refused_naming_the_argument(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


demand = st.floats(0, 1e4)
spread = st.floats(0, 1e3)
lead = st.floats(0, 365)
level = st.floats(0.5, 0.999)


@given(demand, spread, lead, spread, level, level)
def test_more_service_never_needs_less_safety_stock(
    d: float, sd: float, lt: float, slt: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    assert safety_stock(d, sd, lt, slt, low) <= safety_stock(d, sd, lt, slt, high) + 1e-9


@given(demand, spread, lead, spread, level, st.floats(0, 100))
def test_a_less_reliable_supplier_never_needs_less_safety_stock(
    d: float, sd: float, lt: float, slt: float, csl: float, extra: float
) -> None:
    assert safety_stock(d, sd, lt, slt, csl) <= safety_stock(d, sd, lt, slt + extra, csl) + 1e-9


@given(demand, spread, lead, spread, level)
def test_reorder_point_covers_expected_lead_time_demand_from_a_50_percent_level_up(
    d: float, sd: float, lt: float, slt: float, csl: float
) -> None:
    assert reorder_point(d, sd, lt, slt, csl) >= d * lt - 1e-6


@given(st.floats(1, 1e7), st.floats(0.01, 1e5), st.floats(0.01, 1e4), st.floats(1.01, 100))
def test_eoq_grows_with_the_square_root_of_demand(annual: float, cost: float, holding: float, factor: float) -> None:
    assert eoq(annual * factor, cost, holding) == pytest.approx(eoq(annual, cost, holding) * math.sqrt(factor))


@given(st.floats(0.5, 0.9999), st.floats(0.5, 0.9999), st.floats(1, 1e5), st.floats(0.1, 1e4))
def test_a_higher_fill_rate_needs_a_larger_safety_factor(a: float, b: float, quantity: float, sigma: float) -> None:
    low, high = sorted((a, b))
    k_low = fill_rate_safety_factor(low, quantity, sigma)
    k_high = fill_rate_safety_factor(high, quantity, sigma)
    assert k_low <= k_high + 1e-9
    assert standard_normal_loss(k_high) * sigma == pytest.approx((1 - high) * quantity, rel=1e-6, abs=1e-9)


@given(st.lists(st.tuples(demand, spread, lead, spread, level, st.integers(1, 60)), min_size=1, max_size=20))
def test_the_catalog_wide_formulas_give_each_sku_what_the_one_sku_formulas_give_it(
    catalog: list[tuple[float, float, float, float, float, int]],
) -> None:
    """The planner calls the same functions on arrays (one element per SKU): element by element, to the bit."""
    d, sd, lt, slt, csl, review = (np.array(column, dtype=np.float64) for column in zip(*catalog, strict=True))
    safety, rop = safety_stock(d, sd, lt, slt, csl), reorder_point(d, sd, lt, slt, csl)
    up_to = order_up_to_level(d, sd, lt, slt, csl, review)
    for i, (di, sdi, lti, slti, csli, ri) in enumerate(catalog):
        assert safety[i] == safety_stock(di, sdi, lti, slti, csli)
        assert rop[i] == reorder_point(di, sdi, lti, slti, csli)
        assert up_to[i] == order_up_to_level(di, sdi, lti, slti, csli, float(ri))


def test_the_order_up_to_level_covers_the_lead_time_plus_the_review_period() -> None:
    """d (L + R) + z sqrt((L + R) sigma_d^2 + d^2 sigma_L^2): 2/day (sd 1), 10 + 7 days, 95% -> 34 + 6.78."""
    assert order_up_to_level(2.0, 1.0, 10.0, 0.0, 0.95, 7.0) == pytest.approx(40.7819, abs=1e-4)
    assert order_up_to_level(2.0, 1.0, 10.0, 0.0, 0.95, 7.0) == reorder_point(2.0, 1.0, 17.0, 0.0, 0.95)


def test_an_array_with_one_meaningless_element_is_refused_naming_the_argument_and_the_value() -> None:
    with pytest.raises(ValueError, match=r"service_level must be strictly between 0 and 1.*got 1\.0"):
        safety_stock(np.array([10.0, 10.0]), np.array([2.0, 2.0]), np.ones(2), np.ones(2), np.array([0.9, 1.0]))


@pytest.mark.parametrize(
    ("wanted", "moq", "pack", "ordered"),
    [(20.78, 24, 12, 24), (5.0, 1, 4, 8), (0.0, 24, 12, 0), (1e-10, 5, 5, 0), (12.0, 1, 12, 12), (12.2, 1, 12, 24)],
)
def test_an_order_is_whole_packs_of_at_least_the_moq_and_nothing_when_nothing_is_wanted(
    wanted: float, moq: int, pack: int, ordered: int
) -> None:
    assert whole_packs(wanted, float(moq), float(pack)) == ordered
    assert list(whole_packs(np.array([wanted]), np.array([float(moq)]), np.array([float(pack)]))) == [ordered]
