"""The backorder-policy advice on hand-built measures: which waits pay, and what the change is expected to do."""

from __future__ import annotations

from dataclasses import replace

import pytest

from restock.domain.model import BackorderPolicy
from restock.planning.advice import (
    SkuMeasures,
    WaitRecord,
    advise_backorder_policy,
    backorder_value,
    broken_promise_chance,
    expected_change,
)

NEVER, CONFIRMED, ALWAYS = BackorderPolicy.NEVER, BackorderPolicy.CONFIRMED, BackorderPolicy.ALWAYS

# A lamp at 20.00 bought for 12.00 (margin 8.00) from a supplier that breaks 2% of its promises, selling on 60 of
# 90 days. Customers keep backorders promised up to 14 days and drop those promised longer.
FAST_RELIABLE = SkuMeasures(
    sku="LAMP",
    policy=CONFIRMED,
    max_wait_days=30,
    price=20.0,
    unit_cost=12.0,
    days=90,
    selling_days=60,
    demand=180.0,
    lost_units=4.0,
    waits=(
        WaitRecord(0, 7, backordered=20, cancelled=1),
        WaitRecord(8, 14, backordered=20, cancelled=2),
        WaitRecord(15, 21, backordered=10, cancelled=7),
        WaitRecord(22, 30, backordered=10, cancelled=8),
    ),
    broken_chance=0.02,
    replenish_days=10,
)


def test_a_backorder_is_worth_its_margin_kept_less_what_cancellations_and_broken_promises_cost() -> None:
    # 8.00 x 0.7 kept - 20.00 x (0.3 x 0.3 cancelled + 0.5 x 0.1 broken)
    assert backorder_value(FAST_RELIABLE, 0.3, 0.1) == pytest.approx(5.6 - 20 * (0.09 + 0.05))


def test_high_cancellation_only_beyond_14_days_limits_the_wait_to_14() -> None:
    advice = advise_backorder_policy(FAST_RELIABLE)
    assert (advice.policy, advice.max_wait_days) == (CONFIRMED, 14)
    assert advice.why == (
        "customers cancel 75% of backorders promised more than 14 days (8% up to 14): "
        "the backorders beyond 14 days cost more than they earned"
    )
    assert advice.command == "restock sku set LAMP --backorder confirmed --max-wait 14"
    # the 20 backorders promised 15-30 days: 5 kept (lost now), 15 cancellations saved, 5 x 2% broken promises
    expected = advice.expected
    assert (expected.kept_sales, expected.cancellations) == (-5, -15)
    assert expected.broken_promises == pytest.approx(-0.1)
    assert expected.net_value == pytest.approx(-5 * 8 + 20 * (0.3 * 15 + 0.5 * 0.1))
    assert expected.net_value > 0


def test_an_unreliable_supplier_and_a_thin_margin_advise_never() -> None:
    thin = replace(FAST_RELIABLE, unit_cost=19.0, broken_chance=0.4, waits=(WaitRecord(0, 7, 10, 1),))
    advice = advise_backorder_policy(thin)
    assert (advice.policy, advice.command) == (NEVER, "restock sku set LAMP --backorder never")
    assert advice.why.startswith("a backorder earns 1.00, customers cancel 10% of backorders promised 0-7 days")
    assert "40% of its suppliers' POs came later than their ship windows allow" in advice.why
    assert advice.expected.kept_sales == -9  # the 9 kept backorders are refused


def test_with_no_wait_measured_a_margin_that_cannot_pay_for_broken_promises_advises_never() -> None:
    unmeasured = replace(FAST_RELIABLE, unit_cost=19.5, waits=(), broken_chance=None)
    advice = advise_backorder_policy(unmeasured)
    assert advice.policy is NEVER
    assert "a promise is assumed to break 10% of the time (too few POs measured)" in advice.why  # as P90 windows


def test_reliable_supplier_low_cancellation_and_lost_demand_advise_always() -> None:
    keeps_waiting = replace(
        FAST_RELIABLE,
        lost_units=30.0,
        waits=(WaitRecord(0, 7, 20, 1), WaitRecord(8, 14, 20, 1)),
        undated=WaitRecord(0, None, 10, 1),
    )
    advice = advise_backorder_policy(keeps_waiting)
    assert (advice.policy, advice.max_wait_days) == (ALWAYS, 30)
    assert advice.why == (
        "out-of-stock days lost 30 units (17% of demand) and customers kept 90% of undated backorders: "
        "take them undated too"
    )
    # the lost demand, less the 10% measured cancelling at worst; undated backorders promise no date to break
    assert (advice.expected.kept_sales, advice.expected.cancellations) == (pytest.approx(27), pytest.approx(3))
    assert advice.expected.broken_promises == 0


def test_undated_backorders_need_a_measured_wait_as_long_as_replenishing() -> None:
    slow_supplier = replace(FAST_RELIABLE, lost_units=30.0, waits=FAST_RELIABLE.waits[:2], replenish_days=40)
    advice = advise_backorder_policy(slow_supplier)
    assert (advice.policy, advice.max_wait_days) == (CONFIRMED, 30)  # the 14 days measured say nothing of 40
    assert advice.expected.kept_sales == 0  # that is the policy it has


def test_a_sku_that_sells_rarely_is_not_taken_undated() -> None:
    rare = replace(FAST_RELIABLE, selling_days=5, lost_units=30.0, waits=FAST_RELIABLE.waits[:2])
    assert advise_backorder_policy(rare).policy is CONFIRMED


def test_a_never_sku_that_loses_demand_is_advised_backorders_at_most_what_it_lost() -> None:
    never = replace(FAST_RELIABLE, policy=NEVER, waits=(), lost_units=12.0, selling_days=5)
    advice = advise_backorder_policy(never)
    assert (advice.policy, advice.max_wait_days) == (CONFIRMED, 30)
    assert advice.why.startswith("a backorder earns 8.00 and 2% of its suppliers' POs came later than their ship")
    expected = advice.expected
    assert (expected.kept_sales, expected.up_to) == (12, True)  # nobody measured cancelling: an upper bound
    assert expected.broken_promises == pytest.approx(12 * 0.02)


def test_nothing_to_judge_by_keeps_the_policy() -> None:
    idle = replace(FAST_RELIABLE, selling_days=0, waits=(), demand=0.0, lost_units=0.0)
    advice = advise_backorder_policy(idle)
    assert (advice.policy, advice.max_wait_days, advice.changes(idle)) == (CONFIRMED, 30, False)
    assert advice.why == "nothing sold or backordered in 90 days: nothing to judge by"
    uncosted = advise_backorder_policy(replace(FAST_RELIABLE, unit_cost=None))
    assert (uncosted.policy, uncosted.max_wait_days) == (CONFIRMED, 30)
    assert uncosted.why.startswith("no unit cost recorded")
    never_short = advise_backorder_policy(replace(FAST_RELIABLE, policy=NEVER, waits=(), lost_units=0.0))
    assert never_short.policy is NEVER
    assert never_short.why == "no demand lost to a stock-out in 90 days: backorders would win nothing"


def test_waits_with_too_few_backorders_do_not_count() -> None:
    few = replace(FAST_RELIABLE, waits=(*FAST_RELIABLE.waits[:2], WaitRecord(15, 21, 4, 4)))
    assert advise_backorder_policy(few).max_wait_days == 30  # 4 cancelled of 4 is not yet a measure


def test_a_promise_breaks_when_the_po_is_later_than_its_window_allows() -> None:
    # late by 0, 3, 5 and 9 days against windows with 4 days of slack: 2 of 4 broke
    assert broken_promise_chance([(0, 4), (3, 4), (5, 4), (9, 4)], minimum=3) == 0.5
    assert broken_promise_chance([(9, 4)], minimum=3) is None


def test_keeping_the_policy_expects_no_change() -> None:
    assert expected_change(FAST_RELIABLE, CONFIRMED, 30).kept_sales == 0


def test_always_stays_until_the_undated_backorders_measured_lose_money() -> None:
    always = replace(FAST_RELIABLE, policy=ALWAYS, waits=FAST_RELIABLE.waits[:2], lost_units=0.0, selling_days=5)
    assert advise_backorder_policy(always).policy is ALWAYS  # no undated backorder measured: no evidence
    abandoned = replace(always, undated=WaitRecord(0, None, 10, 8))
    advice = advise_backorder_policy(abandoned)
    assert (advice.policy, advice.max_wait_days) == (CONFIRMED, 30)
    assert advice.why.startswith("customers cancel 80% of undated backorders: each is worth -")
    # the 2 undated backorders kept are lost, the 8 cancellations saved
    assert (advice.expected.kept_sales, advice.expected.cancellations) == (-2, -8)
