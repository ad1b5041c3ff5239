"""An end-to-end plan on a small catalog built through the use cases, on SQLite and PostgreSQL.

Today is 2026-11-27. The forecast is made by hand (flat, per SKU at W1) so the right answer can be
worked out here; the forecasting itself is tested on its own.

    MUG  $12.50  20 on hand         2/day (sd 1)   ACME 14 d $4.00 MOQ 24 pack 12 | FAST 3 d $5.00 MOQ 10 pack 5
    CUP   $5.00  100 on hand        1/day (sd 0.5) ACME $1.00 pack 6; PO (12) confirmed for Nov 20: overdue
    BOWL $20.00  3 on hand, all     1/day (sd 0)   ACME $3.00 pack 4; PO (10) confirmed for Nov 30, moved
                 allocated, 1 more                 to Dec 2; the backorder is pegged to it
                 backordered

Horizon: longest lead time + review = 14 + 7 = 21 days (Nov 28 .. Dec 18).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
import pytest

from restock.config import Settings
from restock.domain.errors import InvalidInput
from restock.services import catalog, purchasing, terms
from restock.services.context import Context
from restock.services.planning import (
    PlanReport,
    Progress,
    create_purchase_orders,
    daily_plan,
    load_plan_inputs,
    run_plan,
)
from tests.builders import on_day, on_hand, order, standard_catalog

DEMAND = {"MUG": (2.0, 1.0), "CUP": (1.0, 0.5), "BOWL": (1.0, 0.0)}


@dataclass(frozen=True)
class HandMadeForecasts:
    summary: pd.DataFrame
    path: pd.DataFrame


def flat_forecasts(ctx: Context, horizon: int, progress: Progress | None) -> HandMadeForecasts:
    today = ctx.clock.today()
    summary = pd.DataFrame(
        [
            {"unique_id": f"{s}/W1", "sku": s, "warehouse": "W1", "demand_mean": m, "demand_std": sd}
            for s, (m, sd) in DEMAND.items()
        ]
    )
    path = pd.DataFrame(
        [
            {
                "unique_id": f"{s}/W1",
                "sku": s,
                "warehouse": "W1",
                "ds": pd.Timestamp(today + timedelta(days=k)),
                "yhat": m,
            }
            for s, (m, _) in DEMAND.items()
            for k in range(1, horizon + 1)
        ]
    )
    return HandMadeForecasts(summary, path)


def shop(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "5.00")
    catalog.add_sku(ctx, "BOWL", "Bowl", "20.00")
    terms.set_supplier_terms(ctx, "ACME", "MUG", unit_cost="4.00", moq=24, pack_size=12)
    terms.set_supplier_terms(ctx, "FAST", "MUG", unit_cost="5.00", moq=10, pack_size=5)
    terms.set_supplier_terms(ctx, "ACME", "CUP", unit_cost="1.00", pack_size=6)
    terms.set_supplier_terms(ctx, "ACME", "BOWL", unit_cost="3.00", pack_size=4)
    terms.set_sku_planning(ctx, "MUG", service_level_pct="95")
    on_hand(ctx, "MUG", "W1", 20)
    on_hand(ctx, "CUP", "W1", 100)
    on_hand(ctx, "BOWL", "W1", 3)
    early = on_day(ctx, date(2026, 11, 10))
    cup_po = purchasing.create_po(early, "ACME", "W1", [("CUP", 12)]).id
    purchasing.confirm_po(early, cup_po, date(2026, 11, 20))
    bowl_po = purchasing.create_po(ctx, "ACME", "W1", [("BOWL", 10)]).id
    purchasing.confirm_po(ctx, bowl_po, date(2026, 11, 30))
    order(ctx, "BOWL", 4)  # 3 from stock, 1 backordered against the BOWL PO
    purchasing.change_eta(ctx, bowl_po, date(2026, 12, 2))


def plan(ctx: Context) -> PlanReport:
    return run_plan(ctx, flat_forecasts)


def test_the_right_skus_are_reordered_in_packs_and_moq_from_the_right_supplier(ctx: Context) -> None:
    """MUG runs out on Dec 8 (20 - 2 x 11 < 0): ACME (14 days) cannot deliver by then, FAST (3) can, so FAST
    although dearer. ss = 1.6449 x sqrt(3 x 1) = 2.85, ROP = 6 + 2.85 = 8.85 >= 20 - 2 x 7; order-up-to
    2 x 10 + 1.6449 x sqrt(10) = 25.20 -> 25.20 - 20 = 5.2 -> 6 -> MOQ 10 -> two packs of 5.
    BOWL: position 3 - 3 allocated - 1 backordered + 10 inbound = 9; ROP 14 (no variability) >= 9 - 7;
    order-up-to 21 - 9 = 12 = three packs of 4. Short from tomorrow until its PO lands on Dec 2 (-5 + 10 = 5),
    short again from Dec 7, which ACME's 14 days (Dec 11) cannot beat: flagged, 4 days late.
    CUP: 100 + 12 inbound - 7 is far above its ROP: nothing. The columns and the words show one decimal."""
    shop(ctx)
    report = plan(ctx)
    assert report.horizon_days == 21
    got = {(s.sku, s.warehouse): (s.supplier, s.quantity, s.late_supplier) for s in report.suggestions}
    assert got == {("MUG", "W1"): ("FAST", 10, False), ("BOWL", "W1"): ("ACME", 12, True)}
    mug = next(s for s in report.suggestions if s.sku == "MUG")
    assert (mug.safety_stock, mug.reorder_point, mug.order_up_to) == (2.8, 8.8, 25.2)
    assert mug.stockout_date == date(2026, 12, 8)
    assert "reorder point 8.8: order now; order-up-to 25.2 less position 20: need 5.2, then the MOQ" in mug.explanation
    assert (
        "need 5.2, then the MOQ of 10 -> 10; from FAST, the cheapest that arrives by the stock-out on 2026-12-08"
        in (mug.explanation)
    )
    bowl = next(s for s in report.suggestions if s.sku == "BOWL")
    assert (bowl.stockout_date, bowl.stockout_to_prevent, bowl.days_late) == (date(2026, 11, 28), date(2026, 12, 7), 4)
    assert "cannot arrive before the stock-out, 4 days late" in bowl.explanation
    assert (bowl.position, bowl.abc, bowl.service_level) == (9, "A", 0.98)  # revenue 20 of 50 a day, after MUG


def test_radar_flags_the_risks_and_sorts_by_revenue_at_risk(ctx: Context) -> None:
    """By Dec 18: MUG 20 - 42 = -22 units x $12.50 = 275; BOWL -1 - 21 + 10 = -12 x $20 = 240, short from
    Nov 28 while its PO (moved later than first confirmed) lands Dec 2; CUP's PO is overdue."""
    shop(ctx)
    radar = plan(ctx).radar
    assert [(r.sku, r.revenue_at_risk) for r in radar] == [("MUG", 275.0), ("BOWL", 240.0), ("CUP", 0.0)]
    flags = {r.sku: r.flags for r in radar}
    assert flags == {
        "MUG": ["stockout_before_receipt"],
        "BOWL": ["stockout_before_receipt", "supplier_slipping", "late_supplier"],
        "CUP": ["late_po"],
    }
    bowl = radar[1]
    assert (bowl.stockout_date, bowl.next_receipt) == (date(2026, 11, 28), date(2026, 12, 2))
    assert bowl.projected[:6] == [-2, -3, -4, -5, 4, 3]


def test_a_demand_spike_is_flagged_from_recent_demand(ctx: Context) -> None:
    shop(ctx)
    recent = pd.DataFrame([{"sku": "CUP", "warehouse": "W1", "recent_mean": 4.0}])
    cup = next(r for r in run_plan(ctx, flat_forecasts, recent=recent).radar if r.sku == "CUP")
    assert cup.flags == ["late_po", "demand_spike"]


def test_suggestions_become_draft_pos_one_per_supplier_and_warehouse(ctx: Context) -> None:
    shop(ctx)
    created = create_purchase_orders(ctx, plan(ctx).suggestions)
    assert [(po.supplier, po.warehouse, po.status, [(li.sku, li.ordered) for li in po.lines]) for po in created] == [
        ("ACME", "W1", "draft", [("BOWL", 12)]),
        ("FAST", "W1", "draft", [("MUG", 10)]),
    ]
    assert len(purchasing.list_pos(ctx, "draft")) == 2


def test_a_sku_without_supplier_terms_is_reported_not_reordered(ctx: Context) -> None:
    shop(ctx)
    catalog.add_sku(ctx, "LAMP", "Lamp", "30.00")
    on_hand(ctx, "LAMP", "W1", 1)
    DEMAND["LAMP"] = (1.0, 0.0)
    try:
        report = plan(ctx)
    finally:
        del DEMAND["LAMP"]
    assert report.without_terms == ["LAMP"]
    assert "LAMP" not in {s.sku for s in report.suggestions}
    assert "LAMP" in {r.sku for r in report.radar}


def test_a_suggestion_without_quantity_is_refused_and_creates_nothing(ctx: Context) -> None:
    shop(ctx)
    suggestions = plan(ctx).suggestions
    broken = [*suggestions, suggestions[0].model_copy(update={"sku": "CUP", "quantity": 0})]
    with pytest.raises(InvalidInput, match="no quantity"):
        create_purchase_orders(ctx, broken)
    assert purchasing.list_pos(ctx, "draft") == []


# ---------------------------------------------------------------- the worker's daily plan


def hand_made_plan(ctx: Context) -> PlanReport:
    return run_plan(ctx, flat_forecasts)


def draft_pos(ctx: Context) -> list[purchasing.POView]:
    return purchasing.list_pos(ctx, "draft")


def test_the_daily_plan_drafts_no_purchase_order_unless_the_merchant_asked_for_it(ctx: Context) -> None:
    shop(ctx)
    daily = daily_plan(ctx, hand_made_plan)
    assert daily.report.suggestions, "the shop needs reordering"
    assert daily.created == []
    assert draft_pos(ctx) == []


def drafting(ctx: Context) -> Context:
    """The worker as a merchant sets it up to draft POs: RESTOCK_PLAN_CREATE_POS=1."""
    asked = Settings.from_env({"RESTOCK_PLAN_CREATE_POS": "1"})
    assert asked.plan_creates_pos
    return replace(ctx, settings=replace(ctx.settings, plan_creates_pos=asked.plan_creates_pos))


def drafted_lines(ctx: Context) -> list[tuple[str, str, int]]:
    return sorted(
        (line.sku, po.warehouse, line.ordered) for po in draft_pos(ctx) for line in purchasing.show_po(ctx, po.id).lines
    )


def test_the_daily_plan_drafts_its_suggestions_and_planning_twice_drafts_nothing_new(ctx: Context) -> None:
    """The drafts count in the position: the same day's second run, and the next day's, find nothing to order
    (MUG: 20 + 10 drafted from FAST - 14 = 16 is above FAST's ROP 8.85; BOWL: 9 + 12 drafted = 21 is its
    order-up-to level, nothing more is wanted)."""
    shop(ctx)
    first = daily_plan(drafting(ctx), hand_made_plan)
    suggested = sorted((s.sku, s.warehouse, s.quantity) for s in first.report.suggestions)
    assert suggested == [("BOWL", "W1", 12), ("MUG", "W1", 10)]
    assert drafted_lines(ctx) == suggested
    assert [po.id for po in first.created] == [po.id for po in draft_pos(ctx)]
    again = daily_plan(drafting(ctx), hand_made_plan)
    tomorrow = daily_plan(on_day(drafting(ctx), date(2026, 11, 28)), hand_made_plan)
    assert (again.report.suggestions, again.created) == ([], [])
    assert (tomorrow.report.suggestions, tomorrow.created) == ([], [])
    assert drafted_lines(ctx) == suggested


def test_a_sent_but_unconfirmed_po_is_counted_and_not_suggested_again(ctx: Context) -> None:
    """The plan's suggestions drafted and sent (none confirmed): the next plan suggests nothing, and the radar
    expects MUG's 10 from FAST on Nov 30 (sent today + FAST's quoted 3 days: no history to measure)."""
    shop(ctx)
    for po in create_purchase_orders(ctx, plan(ctx).suggestions):
        purchasing.send_po(ctx, po.id)
    assert purchasing.list_pos(ctx, "draft") == []
    assert plan(ctx).suggestions == []
    mug = next(r for r in plan(ctx).radar if r.sku == "MUG")
    assert (mug.next_receipt, mug.projected[:4]) == (date(2026, 11, 30), [18, 16, 24, 22])


def test_a_suggestion_names_the_open_pos_it_counted(ctx: Context) -> None:
    """2 MUG sent to FAST today: position 22, 22 - 14 = 8 is still at or below ROP 8.85: order-up-to 25.20 - 22 ->
    4 -> MOQ 10, and the suggestion says which PO it counted, when it is expected."""
    shop(ctx)
    sent = purchasing.create_po(ctx, "FAST", "W1", [("MUG", 2)]).id
    purchasing.send_po(ctx, sent)
    mug = next(s for s in plan(ctx).suggestions if s.sku == "MUG")
    assert (mug.position, mug.quantity, mug.open_pos) == (22, 10, [f"PO {sent}"])
    assert mug.explanation.endswith(f"counted open POs: PO {sent} (2 sent, expected 2026-11-30)")


def test_a_sent_po_is_expected_its_suppliers_measured_p50_after_it_was_sent(ctx: Context) -> None:
    """FAST delivered MUG in 4, 5 and 9 days (P50 5, against its quote of 3): a PO sent on Nov 25 is expected on
    Nov 30; a draft made today from ACME (no history: its quote, 14 days) on Dec 11."""
    shop(ctx)
    for sent_on, lead in ((1, 4), (3, 5), (5, 9)):
        day = date(2026, 11, sent_on)
        po = purchasing.create_po(on_day(ctx, day), "FAST", "W1", [("MUG", 5)]).id
        purchasing.send_po(on_day(ctx, day), po)
        purchasing.receive_po(on_day(ctx, day + timedelta(days=lead)), po, [("MUG", 5)])
    sent = purchasing.create_po(on_day(ctx, date(2026, 11, 25)), "FAST", "W1", [("MUG", 2)]).id
    purchasing.send_po(on_day(ctx, date(2026, 11, 25)), sent)
    draft = purchasing.create_po(ctx, "ACME", "W1", [("MUG", 24)]).id
    inbound = load_plan_inputs(ctx).inbound.set_index("po_id")
    assert inbound.loc[sent, "expected"] == pd.Timestamp(2026, 11, 30)
    assert inbound.loc[draft, "expected"] == pd.Timestamp(2026, 12, 11)


@pytest.mark.parametrize("with_suppliers", [True, False])
def test_the_daily_plan_runs_on_a_shop_without_history_or_supplier_terms(ctx: Context, with_suppliers: bool) -> None:
    """The worker runs the plan from day one: a shop with only today's orders (no forecastable history), no
    supplier terms, and even no suppliers gets an empty plan, not an error."""
    if with_suppliers:
        standard_catalog(ctx)
    else:
        catalog.add_warehouse(ctx, "W1", "Main warehouse")
        catalog.add_channel(ctx, "web", ["W1"])
        catalog.add_sku(ctx, "MUG", "Mug", "12.50", "never")
    on_hand(ctx, "MUG", "W1", 5)
    order(ctx, "MUG", 2)
    daily = daily_plan(ctx)
    assert daily.report.suggestions == []
    assert daily.created == []


def test_suggestions_come_most_urgent_first_with_their_totals_per_supplier(ctx: Context) -> None:
    """BOWL is short from tomorrow, MUG from Dec 8: BOWL first. ACME: 12 BOWL x $3.00; FAST: 10 MUG x $5.00."""
    shop(ctx)
    report = plan(ctx)
    assert [(s.sku, s.stockout_date, s.unit_cost, s.value) for s in report.suggestions] == [
        ("BOWL", date(2026, 11, 28), 3.0, 36.0),
        ("MUG", date(2026, 12, 8), 5.0, 50.0),
    ]
    assert [t.to_json() for t in report.totals] == [
        {"supplier": "ACME", "lines": 1, "units": 12, "value": 36.0},
        {"supplier": "FAST", "lines": 1, "units": 10, "value": 50.0},
    ]
