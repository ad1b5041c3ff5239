"""Demand history from real orders and imported files: by placement day, in the warehouse that serves it."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select
from statsforecast.models import CrostonSBA

from restock.domain.errors import InvalidInput, NotFound
from restock.planning.demand_file import parse_demand_csv
from restock.services import catalog, demand, orders
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import ImportedDemand
from tests.builders import confirmed_po, on_day, on_hand, order, standard_catalog
from tests.conftest import TODAY


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def series(history: pd.DataFrame, unique_id: str, column: str) -> dict[int, float]:
    """A column of one series by days before today, for readable expectations."""
    rows = history[history["unique_id"] == unique_id]
    return {(TODAY - ts.date()).days: float(v) for ts, v in zip(rows["ds"], rows[column], strict=True)}


def shop_with_a_stock_out(ctx: Context) -> None:
    """MUG in W1: 6 counted 10 days ago, 2 sold 8 days ago (and 1 more ordered but cancelled), the last 4
    sold 6 days ago; 4 days ago 3 more were backordered against a confirmed PO into W2."""
    standard_catalog(ctx)
    on_hand(on_day(ctx, days_ago(10)), "MUG", "W1", 6)
    order(on_day(ctx, days_ago(8)), "MUG", 2)
    cancelled = order(on_day(ctx, days_ago(8)), "MUG", 1)
    orders.cancel_order(on_day(ctx, days_ago(8)), cancelled.id)
    order(on_day(ctx, days_ago(6)), "MUG", 4)
    confirmed_po(on_day(ctx, days_ago(5)), "MUG", 10, eta_in_days=10, warehouse="W2")
    order(on_day(ctx, days_ago(4)), "MUG", 3)


def test_demand_counts_on_the_placement_day_in_the_warehouse_that_serves_it(ctx: Context) -> None:
    shop_with_a_stock_out(ctx)
    history = demand.demand_history(ctx, today=TODAY)
    assert set(history["unique_id"]) == {"MUG@W1", "MUG@W2"}
    sales_w1 = series(history, "MUG@W1", "sales")
    assert sorted(sales_w1) == list(range(1, 11))  # from the first movement to yesterday, zeros filled
    assert {day: units for day, units in sales_w1.items() if units} == {8: 2.0, 6: 4.0}  # cancelled: not demand
    # the backorder pegged to the PO into W2 is demand of W2, from the day it was placed
    assert series(history, "MUG@W2", "sales") == {4: 3.0, 3: 0.0, 2: 0.0, 1: 0.0}


def test_days_without_sellable_stock_are_censored_and_estimated_from_the_days_around(ctx: Context) -> None:
    shop_with_a_stock_out(ctx)
    history = demand.demand_history(ctx, today=TODAY)
    censored = series(history, "MUG@W1", "censored")
    assert [day for day, flag in sorted(censored.items()) if flag] == [1, 2, 3, 4, 5, 6]
    demand_w1 = series(history, "MUG@W1", "y")
    # the uncensored days (10..7) sold 0, 0, 2, 0: half a unit a day
    assert demand_w1[5] == pytest.approx(0.5)
    assert demand_w1[1] == pytest.approx(0.5)
    # the day the last units sold keeps its sales, which are more than the estimate
    assert demand_w1[6] == 4.0
    # W2 never had a movement: restock knows nothing of its stock, so nothing is censored
    assert not any(series(history, "MUG@W2", "censored").values())


def test_history_window_ends_yesterday_and_spans_the_days_asked(ctx: Context) -> None:
    shop_with_a_stock_out(ctx)
    history = demand.demand_history(ctx, today=TODAY, days=7)
    w1 = series(history, "MUG@W1", "sales")
    assert sorted(w1) == list(range(1, 8))
    assert w1[6] == 4.0
    with pytest.raises(InvalidInput):
        demand.demand_history(ctx, today=TODAY, days=0)


def imported_rows(ctx: Context) -> int:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(ImportedDemand)) or 0)


def test_imported_demand_joins_the_history_in_the_warehouse_it_names(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "5")
    text = (
        "sku,date,quantity,warehouse,channel\n"
        f"MUG,{days_ago(3)},4,W2,\n"
        f"MUG,{days_ago(2)},1,,market\n"  # the market's first warehouse is W2
        f"CUP,{days_ago(2)},7,W1,web\n"
    )
    summary = demand.import_demand(ctx, parse_demand_csv(text, today=TODAY))
    assert summary.to_json() == {
        "rows": 3,
        "skus": 2,
        "first_day": str(days_ago(3)),
        "last_day": str(days_ago(2)),
        "units": 12,
    }
    history = demand.demand_history(ctx, today=TODAY)
    assert series(history, "MUG@W2", "sales") == {3: 4.0, 2: 1.0, 1: 0.0}
    assert series(history, "CUP@W1", "sales") == {2: 7.0, 1: 0.0}


def test_importing_the_same_days_again_replaces_them(ctx: Context) -> None:
    standard_catalog(ctx)
    first = f"sku,date,quantity,warehouse\nMUG,{days_ago(3)},4,W1\nMUG,{days_ago(2)},5,W1\n"
    demand.import_demand(ctx, parse_demand_csv(first, today=TODAY))
    demand.import_demand(ctx, parse_demand_csv(first, today=TODAY))
    corrected = f"sku,date,quantity,warehouse\nMUG,{days_ago(3)},6,W1\n"
    demand.import_demand(ctx, parse_demand_csv(corrected, today=TODAY))
    assert imported_rows(ctx) == 2
    assert series(demand.demand_history(ctx, today=TODAY), "MUG@W1", "sales") == {3: 6.0, 2: 5.0, 1: 0.0}


def test_an_import_with_an_unknown_code_changes_nothing(ctx: Context) -> None:
    standard_catalog(ctx)
    text = f"sku,date,quantity,warehouse\nMUG,{days_ago(3)},4,W1\nNOPE,{days_ago(2)},1,W1\nMUG,{days_ago(1)},1,W9\n"
    with pytest.raises(NotFound, match=r"line 3: unknown SKU 'NOPE'.*line 4: unknown warehouse 'W9'"):
        demand.import_demand(ctx, parse_demand_csv(text, today=TODAY))
    assert imported_rows(ctx) == 0


def test_an_import_without_warehouse_needs_a_channel_when_there_are_several(ctx: Context) -> None:
    standard_catalog(ctx)
    with pytest.raises(NotFound, match="line 2: no warehouse"):
        demand.import_demand(ctx, parse_demand_csv(f"sku,date,quantity\nMUG,{days_ago(3)},4\n", today=TODAY))
    assert imported_rows(ctx) == 0


def test_a_shop_without_movements_or_orders_has_no_history_and_no_forecasts(ctx: Context) -> None:
    standard_catalog(ctx)
    assert demand.demand_history(ctx, today=TODAY).empty
    forecasts = demand.demand_forecasts(ctx, horizon=14)
    assert forecasts.summary.empty
    assert forecasts.path.empty


def test_forecasts_of_the_shop_come_per_sku_and_warehouse(ctx: Context) -> None:
    shop_with_a_stock_out(ctx)
    forecasts = demand.demand_forecasts(ctx, horizon=5)
    summary = forecasts.summary.set_index("unique_id")
    assert summary.loc["MUG@W1", ["sku", "warehouse"]].tolist() == ["MUG", "W1"]
    # ten days of history, the censored ones corrected (2 + 4 + 5 x 0.5 units): enough to fit a rare-demand
    # model, too short to backtest one. (It was `new` and got its mean, 0.85, when every series too short for
    # the full backtest did.)
    history = demand.demand_history(ctx, today=TODAY)
    mug = history.loc[history["unique_id"] == "MUG@W1", "y"].to_numpy()
    assert mug.sum() == pytest.approx(8.5)
    assert summary.loc["MUG@W1", ["demand_class", "model"]].tolist() == ["lumpy", "CrostonSBA"]
    assert summary.loc["MUG@W1", "demand_mean"] == pytest.approx(CrostonSBA().forecast(y=mug, h=5)["mean"][0])
    first_days = forecasts.path.groupby("unique_id")["ds"].min()
    assert (first_days == pd.Timestamp(TODAY)).all()
