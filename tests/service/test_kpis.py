"""The business figures on a hand-built history, on both databases: every number worked out by hand below.

The shop (`standard_catalog`, plus a cup and a bowl), over the 30 days before TODAY (day -n is n days ago):

- MUG (12.50; ACME offers it at 5.00, FAST at 4.50): 5 counted into W1 on day -20. Order A (web, 3) on -18, all
  from stock, shipped on -17. A PO of 10 into W1, confirmed on -16 for -10 (window -8..-4: handling 2 days, the
  default lateness 4). On -15 order B (web, 4): 2 from stock, 2 backordered, promised by -4 (a wait of 11 days);
  order C (web, 3): all backordered, promised by -4. The customer cancels 1 of C on -12. The PO arrives on -10 and
  fills B's 2 and C's 2. B ships whole on -9 (promise kept); C ships on -2 (2 days late). W1 has no sellable unit
  at the end of days -15..-11. A shopper signs up on the market channel (which W1 does not serve) on -13.
- CUP (8.00, policy always; FAST at 3.00): order D (market, 2) on -6, both undated backorders (no stock, no
  supply); the shop cancels 1 on -3.
- BOWL (20.00, policy never, no supplier terms): two sign-ups on web on -7 and -5.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from restock.domain.cancelling import CancelledBy
from restock.domain.errors import InvalidInput, NotFound
from restock.services import catalog, orders, purchasing, shipping, subscriptions, terms
from restock.services.context import Context
from restock.services.kpis import KpiQuery, KpiReport, business_kpis
from tests.builders import confirmed_po, on_day, on_hand, order, standard_catalog
from tests.conftest import TODAY


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def on(ctx: Context, n: int) -> Context:
    return on_day(ctx, days_ago(n))


def shop_with_a_month_of_history(ctx: Context) -> None:
    standard_catalog(ctx)
    a_month_of_history(ctx)


def a_month_of_history(ctx: Context) -> None:
    """The module's history, on `standard_catalog`."""
    catalog.add_sku(ctx, "CUP", "Cup", "8.00", "always")
    catalog.add_sku(ctx, "BOWL", "Bowl", "20.00", "never")
    terms.set_supplier_terms(ctx, "ACME", "MUG", unit_cost="5.00")
    terms.set_supplier_terms(ctx, "FAST", "MUG", unit_cost="4.50")
    terms.set_supplier_terms(ctx, "FAST", "CUP", unit_cost="3.00")
    on_hand(on(ctx, 20), "MUG", "W1", 5)
    a = order(on(ctx, 18), "MUG", 3)
    shipping.ship(on(ctx, 17), a.id)
    po = confirmed_po(on(ctx, 16), "MUG", 10, eta_in_days=6)
    b = order(on(ctx, 15), "MUG", 4)
    c = order(on(ctx, 15), "MUG", 3)
    subscriptions.subscribe(on(ctx, 13), "MUG", "market", "early@example.com")
    orders.cancel_line(on(ctx, 12), c.id, "MUG", 1, by=CancelledBy.CUSTOMER)
    purchasing.receive_po(on(ctx, 10), po, [("MUG", 10)])
    shipping.ship(on(ctx, 9), b.id)
    subscriptions.subscribe(on(ctx, 7), "BOWL", "web", "one@example.com")
    d = order(on(ctx, 6), "CUP", 2, channel="market")
    subscriptions.subscribe(on(ctx, 5), "BOWL", "web", "two@example.com")
    orders.cancel_line(on(ctx, 3), d.id, "CUP", 1, by=CancelledBy.SHOP)
    shipping.ship(on(ctx, 2), c.id)


def kpis(ctx: Context, channel: str | None = None, sku: str | None = None, supplier: str | None = None) -> KpiReport:
    return business_kpis(ctx, KpiQuery(channel=channel, sku=sku, supplier=supplier, days=30))


# MUG@W1's demand: 3 on -18, 6 on -15 (2 + 2 + the 2 of C not cancelled), nothing else. Its 15 days with stock
# (-20..-16, -10..-1) sold 3: 0.2 a day estimates each censored day (-15..-11; all 15 days are within 14 days of each).
# Day -15 sold 6, more than that: kept. Days -14..-11 lose 0.2 each: 0.8 units, 10.00 at 12.50.
# Its average demand over its 20 days: (3 + 6 + 4 x 0.2) / 20 = 0.49 a day. CUP@W2 (market's warehouse, where its
# undated backorder counts): 1 unit (the one not cancelled) over its 6 days, -6..-1.
MUG_DEMAND = (3 + 6 + 4 * 0.2) / 20
CUP_DEMAND = 1 / 6


def test_kpis_on_a_hand_built_month_are_the_figures_worked_out_by_hand(ctx: Context) -> None:
    shop_with_a_month_of_history(ctx)
    report = kpis(ctx)
    assert (report.first_day, report.last_day) == (days_ago(30), days_ago(1))
    totals = report.totals
    # 4 lines, 12 units; from stock: A's 3 and B's 2
    assert (totals.lines, totals.units, totals.units_from_stock) == (4, 12, 5)
    assert totals.fill_rate == pytest.approx(5 / 12, abs=1e-4)
    assert (totals.backorder_lines, totals.backorder_rate) == (3, 0.75)  # B, C, D
    # B kept its promise, C broke it by 2 days; D was promised no date
    assert (totals.promises_due, totals.promises_kept, totals.promises_broken) == (2, 1, 1)
    assert (totals.promise_kept_rate, totals.average_delay_days) == (0.5, 2.0)
    # backordered: B 2, C 3, D 2; cancelled: 1 of C, 1 of D
    assert (totals.backordered_units, totals.cancelled_backorder_units) == (7, 2)
    assert totals.backorder_cancellation_rate == pytest.approx(2 / 7, abs=1e-4)
    assert (totals.lost_units, totals.lost_value) == (pytest.approx(0.8), pytest.approx(10.0))
    assert totals.signups == 3
    # on hand now: 5 - 3 + 10 - 4 - 2 = 6 mugs, at the lowest cost (FAST's 4.50)
    assert (totals.on_hand, totals.inventory_value, totals.uncosted_units, totals.sellable) == (6, 27.0, 0, 6)
    assert totals.demand_per_day == pytest.approx(MUG_DEMAND + CUP_DEMAND, abs=1e-4)
    assert totals.days_of_cover == pytest.approx(6 / (MUG_DEMAND + CUP_DEMAND), abs=1e-3)
    waits = {b.wait: (b.backordered_units, b.cancelled_units, b.cancellation_rate) for b in report.cancellation_by_wait}
    assert waits == {"8-14": (5, 1, 0.2), "undated": (2, 1, 0.5)}


def test_kpis_per_channel_sku_and_supplier_split_the_same_history(ctx: Context) -> None:
    shop_with_a_month_of_history(ctx)
    report = kpis(ctx)
    channels = {g.code: (g.lines, g.units_from_stock, g.promises_kept, g.signups, g.on_hand) for g in report.by_channel}
    assert channels == {"web": (3, 5, 1, 2, None), "market": (1, 0, 0, 1, None)}  # stock is not a channel's
    skus = {g.code: g for g in report.by_sku}
    mug, cup = skus["MUG"], skus["CUP"]
    assert (mug.units, mug.fill_rate, mug.backorder_cancellation_rate, mug.lost_value) == (10, 0.5, 0.2, 10.0)
    assert mug.days_of_cover == pytest.approx(6 / MUG_DEMAND, abs=1e-3)
    assert (cup.units, cup.fill_rate, cup.promises_due, cup.lost_units, cup.days_of_cover) == (2, 0.0, 0, 0.0, 0.0)
    assert skus["BOWL"].signups == 2
    suppliers = {g.code: (g.lines, g.units, g.inventory_value) for g in report.by_supplier}
    assert suppliers == {"ACME": (3, 10, 27.0), "FAST": (4, 12, 27.0)}  # a SKU counts under each supplier


def test_kpis_daily_series_puts_each_figure_on_its_day(ctx: Context) -> None:
    shop_with_a_month_of_history(ctx)
    daily = {(TODAY - d.day).days: d for d in kpis(ctx).daily}
    assert sorted(daily) == list(range(1, 31))
    assert (daily[15].lines, daily[15].units_from_stock, daily[15].promises_due, daily[15].promises_kept) == (
        2,
        2,
        2,
        1,
    )
    assert daily[14].lost_units == pytest.approx(0.2)
    assert daily[13].signups == 1
    assert daily[20].lines == 0
    assert daily[20].fill_rate is None  # no order that day: no rate, not 100%
    # mugs on hand at the end of each day: 5 counted, 3 shipped, 10 received, 4 and 2 shipped
    assert [daily[n].on_hand for n in (21, 20, 17, 11, 10, 9, 2, 1)] == [0, 5, 2, 2, 12, 8, 6, 6]
    assert daily[10].inventory_value == 12 * 4.5


def test_kpis_for_one_channel_sku_or_supplier_keep_only_theirs(ctx: Context) -> None:
    shop_with_a_month_of_history(ctx)
    market = kpis(ctx, channel="market").totals
    assert (market.lines, market.backordered_units, market.signups, market.lost_units, market.on_hand) == (
        1,
        2,
        1,
        None,
        None,
    )
    mug = kpis(ctx, sku="MUG").totals
    assert (mug.lines, mug.on_hand, mug.lost_units) == (3, 6, pytest.approx(0.8))
    acme = kpis(ctx, supplier="ACME")
    assert (acme.totals.units, acme.totals.signups) == (10, 1)
    assert [g.code for g in acme.by_sku] == ["MUG"]


def test_kpis_refuse_unknown_codes_and_windows_out_of_range(ctx: Context) -> None:
    standard_catalog(ctx)
    with pytest.raises(NotFound, match="unknown channel 'nope'"):
        kpis(ctx, channel="nope")
    with pytest.raises(NotFound, match="unknown supplier"):
        kpis(ctx, supplier="NOPE")
    for days in (0, 366):
        with pytest.raises(InvalidInput, match="days must be from 1 to 365"):
            business_kpis(ctx, KpiQuery(days=days))


def test_kpis_of_a_shop_without_history_are_zero_counts_and_no_rates(ctx: Context) -> None:
    standard_catalog(ctx)
    report = kpis(ctx)
    totals = report.totals
    assert (totals.lines, totals.units, totals.signups, totals.promises_due) == (0, 0, 0, 0)
    assert (totals.fill_rate, totals.promise_kept_rate, totals.average_delay_days) == (None, None, None)
    assert (totals.on_hand, totals.inventory_value, totals.days_of_cover) == (0, 0.0, None)
    assert (len(report.daily), report.by_sku, report.cancellation_by_wait) == (30, [], [])
