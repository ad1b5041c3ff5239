"""Each daily plan run is stored with its suggestions and drafts, listed, shown, and compared with the one before.

The shop and the hand-made forecasts are test_plan's: on Nov 27 the plan suggests BOWL (12 from ACME, short
from tomorrow) and MUG (10 from FAST, short from Dec 8); CUP is well stocked.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from restock.domain.errors import InvalidInput, NotFound
from restock.services import plan_runs, purchasing, stock, terms
from restock.services.context import Context
from restock.services.planning import PlanReport, daily_plan
from tests.builders import on_day
from tests.service.test_plan import hand_made_plan, shop


def drafting(ctx: Context) -> Context:
    return replace(ctx, settings=replace(ctx.settings, plan_creates_pos=True))


def test_the_daily_plan_is_stored_with_its_suggestions_in_order_and_the_drafts_it_made(ctx: Context) -> None:
    shop(ctx)
    daily = daily_plan(drafting(ctx), hand_made_plan)
    run = daily.run
    assert (run.today, run.source, run.lines, run.units, run.value) == (date(2026, 11, 27), "daily", 2, 22, 86.0)
    assert run.inputs_at == daily.report.inputs_at.replace(tzinfo=None)
    assert run.demand_until == date(2026, 11, 27)  # the hand-made forecasts start on the 28th
    assert run.drafts == [po.id for po in daily.created] == [po.id for po in purchasing.list_pos(ctx, "draft")]
    assert (run.at_risk, run.revenue_at_risk) == (3, 515.0)  # MUG 275 + BOWL 240, and CUP's late PO
    shown = plan_runs.show_plan_run(ctx, run.id)
    assert [(s.sku, s.supplier, s.quantity, s.unit_cost, s.value, s.stockout_date) for s in shown.suggestions] == [
        ("BOWL", "ACME", 12, 3.0, 36.0, date(2026, 11, 28)),
        ("MUG", "FAST", 10, 5.0, 50.0, date(2026, 12, 8)),
    ]
    assert [s.explanation for s in shown.suggestions] == [s.explanation for s in daily.report.suggestions]
    assert [t.to_json() for t in shown.totals] == [t.to_json() for t in daily.report.totals]
    assert [(po.supplier, po.warehouse, po.lines) for po in shown.purchase_orders] == [
        ("ACME", "W1", 1),
        ("FAST", "W1", 1),
    ]
    assert plan_runs.list_plan_runs(ctx) == [run]


def test_a_run_whose_drafting_fails_is_not_stored_and_drafts_nothing(ctx: Context) -> None:
    """Run and drafts commit together: a suggestion the drafting refuses leaves neither."""
    shop(ctx)

    def broken_plan(ctx: Context) -> PlanReport:
        report = hand_made_plan(ctx)
        bad = report.suggestions[-1].model_copy(update={"quantity": 0})
        return report.model_copy(update={"suggestions": [*report.suggestions, bad]})

    with pytest.raises(InvalidInput, match="no quantity"):
        daily_plan(drafting(ctx), broken_plan)
    assert plan_runs.list_plan_runs(ctx) == []
    assert purchasing.list_pos(ctx, "draft") == []


def test_a_run_is_compared_with_the_one_before_new_dropped_and_changed(ctx: Context) -> None:
    """Nov 28: MUG got 100 more (no longer suggested: dropped), CUP lost 95 (5 + 12 on order - 7 is below its
    reorder point of about 17: new), BOWL now comes in packs of 5 (15, not 12: changed)."""
    shop(ctx)
    first = daily_plan(ctx, hand_made_plan).run
    next_day = on_day(ctx, date(2026, 11, 28))
    stock.adjust_stock(next_day, "MUG", "W1", 100, "count")
    stock.adjust_stock(next_day, "CUP", "W1", -95, "count")
    terms.set_supplier_terms(next_day, "ACME", "BOWL", unit_cost="3.00", pack_size=5)
    second = daily_plan(next_day, hand_made_plan).run
    compared = plan_runs.compare_plan_runs(ctx)
    assert (compared.run.id, compared.before.id) == (second.id, first.id)
    assert [(s.sku, s.supplier, s.quantity) for s in compared.new] == [("CUP", "ACME", 12)]
    assert [(s.sku, s.quantity) for s in compared.dropped] == [("MUG", 10)]
    assert [(c.sku, c.quantity_before, c.quantity, c.value_before, c.value) for c in compared.changed] == [
        ("BOWL", 12, 15, 36.0, 45.0)
    ]
    assert compared.unchanged == 0
    assert [t.to_json() for t in compared.totals] == [
        {
            "supplier": "ACME",
            "lines_before": 1,
            "lines": 2,
            "units_before": 12,
            "units": 27,
            "value_before": 36.0,
            "value": 57.0,
        },
        {
            "supplier": "FAST",
            "lines_before": 1,
            "lines": 0,
            "units_before": 10,
            "units": 0,
            "value_before": 50.0,
            "value": 0.0,
        },
    ]
    assert plan_runs.compare_plan_runs(ctx, first.id, second.id).new == compared.dropped  # the other way round
    assert [r.id for r in plan_runs.list_plan_runs(ctx)] == [second.id, first.id]


def test_comparing_needs_two_runs_that_exist(ctx: Context) -> None:
    shop(ctx)
    with pytest.raises(NotFound, match="no plan run is stored yet"):
        plan_runs.compare_plan_runs(ctx)
    first = daily_plan(ctx, hand_made_plan).run
    with pytest.raises(NotFound, match=f"plan run {first.id} is the first one stored"):
        plan_runs.compare_plan_runs(ctx)
    with pytest.raises(NotFound, match="no plan run 999"):
        plan_runs.compare_plan_runs(ctx, 999)
    with pytest.raises(NotFound, match="no plan run 999"):
        plan_runs.compare_plan_runs(ctx, first.id, 999)
    with pytest.raises(InvalidInput, match="compared with itself"):
        plan_runs.compare_plan_runs(ctx, first.id, first.id)
    with pytest.raises(NotFound, match="no plan run 999"):
        plan_runs.show_plan_run(ctx, 999)
    with pytest.raises(InvalidInput, match="from 1 to 1000"):
        plan_runs.list_plan_runs(ctx, 0)
