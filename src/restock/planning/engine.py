"""The replenishment plan and the shortage-risk radar for every SKU x warehouse at once.

Pure and vectorised: pandas merges and numpy arrays over all rows (and a rows x days matrix for the
projection); nothing loops per SKU or per day. The inputs are plain frames that
restock.services.planning loads in one transaction, so a test can build them by hand. Each rule is one
named function: the formulas in restock.planning.formulas, the service level in .policy, the projection
in .projection, the supplier in .suppliers, the quantity in .quantities, the radar in .radar.

The rules, in the order they are applied:

1. Service level: the SKU's own override, else that of its ABC class (revenue = forecast units x price).
2. Projection: stock available to customers (on hand - allocated - waiting backorders) minus the
   cumulated forecast path plus every open PO line on its expected day (its confirmed ETA, else sent or
   drafted + the supplier's P50 lead time: .inbound; an overdue one counts on the first day), day by day
   over the horizon; the first day below zero is the projected stock-out.
3. Per candidate supplier (its recorded terms and measured lead time): safety stock
   z x sqrt(L sigma_d^2 + d^2 sigma_L^2), reorder point d L + safety stock, order-up-to level
   d (L + R) + z x sqrt((L + R) sigma_d^2 + d^2 sigma_L^2) for a review period R.
4. Supplier: among those whose P90 lead time delivers by the stock-out a new PO must prevent (the first
   day from which the projection stays below zero: a shortage an open PO ends is not one), the lowest landed
   cost adjusted for reliability, unit cost x (1 + RELIABILITY_PENALTY x (1 - on-time rate)) / fill rate;
   when none can, the fastest, flagged `late_supplier` with the `days_late` it misses by. A row whose latest
   open PO's supplier delivers in time and needs no new order is judged against that one (.open_supplier:
   planning twice orders nothing new).
5. Reorder when the inventory position (on hand - allocated - waiting backorders + every open PO line,
   draft, sent or confirmed), less the demand expected before the next review, is at or below the reorder point;
   order up to the order-up-to level (or the EOQ, at least what keeps the position above the reorder
   point until the next review), at least the MOQ, rounded up to whole packs.
6. Radar flags per row: `stockout_before_receipt` or `stockout_after_receipt` (the projected
   stock-out comes before the next receipt, or after it), `backorders_uncovered` (waiting backorders
   neither free stock nor any open PO covers), `late_po` (an open PO's ETA has passed),
   `supplier_slipping` (an open PO's ETA moved past its first confirmed date, or its supplier is on
   time less than SLIPPING_ON_TIME of the time), `demand_spike` (last RECENT_DAYS' demand above the
   forecast by SPIKE_SIGMAS standard errors and by at least SPIKE_RATIO), `late_supplier`; revenue at
   risk is the units short (the largest projected shortfall, or the uncovered backorders when more)
   x price, and every row at risk has a `reason` in words built from its flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from restock.config import Settings
from restock.planning.columns import (
    CANDIDATE_COLUMNS,
    CHOSEN_COLUMNS,
    INBOUND_COLUMNS,
    KEY,
    RECENT_COLUMNS,
    SKU_COLUMNS,
    STOCK_COLUMNS,
    text_keys,
)
from restock.planning.explain import explanations
from restock.planning.open_supplier import choose_keeping_open_suppliers
from restock.planning.policy import with_service_levels
from restock.planning.projection import ForecastLike, horizon_days, project, stockout_dates
from restock.planning.quantities import DAYS_PER_YEAR, with_quantities
from restock.planning.radar import (
    FLAGS,
    RECENT_DAYS,
    SLIPPING_ON_TIME,
    SPIKE_RATIO,
    SPIKE_SIGMAS,
    at_risk,
    with_risks,
)
from restock.planning.suppliers import (
    RELIABILITY_PENALTY,
    days_late,
    evaluate_candidates,
    late_supplier,
    stockout_to_prevent,
)

__all__ = [
    "CANDIDATE_COLUMNS",
    "CHOSEN_COLUMNS",
    "DAYS_PER_YEAR",
    "FLAGS",
    "INBOUND_COLUMNS",
    "KEY",
    "RECENT_COLUMNS",
    "RECENT_DAYS",
    "RELIABILITY_PENALTY",
    "SKU_COLUMNS",
    "SLIPPING_ON_TIME",
    "SPIKE_RATIO",
    "SPIKE_SIGMAS",
    "STOCK_COLUMNS",
    "ForecastLike",
    "PlanInputs",
    "PlanResult",
    "build_plan",
    "plan_horizon",
]


@dataclass(frozen=True)
class PlanInputs:
    """The frames of restock.planning.columns' *_COLUMNS. A SKU x warehouse is planned when it has stock, a
    forecast or inbound supply."""

    today: date
    stock: pd.DataFrame
    skus: pd.DataFrame
    candidates: pd.DataFrame
    inbound: pd.DataFrame
    recent: pd.DataFrame


@dataclass(frozen=True)
class PlanResult:
    """rows: one per SKU x warehouse with every figure of the plan; radar: the rows at risk, worst first;
    projection: projected stock, rows in the order of `rows`, one column per day of `days`."""

    rows: pd.DataFrame
    radar: pd.DataFrame
    days: list[date]
    projection: npt.NDArray[np.float64]

    @property
    def suggestions(self) -> pd.DataFrame:
        return self.rows[self.rows["quantity"] > 0].reset_index(drop=True)


def plan_horizon(inputs: PlanInputs) -> int:
    """Days to forecast for these inputs (see projection.horizon_days)."""
    return horizon_days(inputs.candidates, inputs.skus)


def _positions(inputs: PlanInputs, forecasts: ForecastLike) -> pd.DataFrame:
    """Every SKU x warehouse with stock, a forecast or inbound supply, with its SKU's settings."""
    frames = [inputs.stock[KEY], forecasts.summary[KEY], inputs.inbound[KEY]]
    keys = pd.concat([text_keys(frame) for frame in frames]).drop_duplicates()
    rows = keys.merge(inputs.stock[STOCK_COLUMNS], on=KEY, how="left")
    for column in ("on_hand", "allocated", "backorders"):
        rows[column] = pd.to_numeric(rows[column]).fillna(0).astype("int64")
    return rows.merge(inputs.skus[SKU_COLUMNS], on="sku", how="inner").sort_values(KEY, kind="stable")


def _with_demand(positions: pd.DataFrame, forecasts: ForecastLike, recent: pd.DataFrame) -> pd.DataFrame:
    """The forecast daily demand, its one-day error and the recent daily demand of each row (0 without)."""
    demand = text_keys(forecasts.summary[[*KEY, "demand_mean", "demand_std"]])
    rows = positions.merge(demand, on=KEY, how="left").merge(text_keys(recent[RECENT_COLUMNS]), on=KEY, how="left")
    for column in ("demand_mean", "demand_std", "recent_mean"):
        rows[column] = pd.to_numeric(rows[column]).astype("float64").fillna(0.0).clip(lower=0.0)
    return rows


def _with_chosen_supplier(
    rows: pd.DataFrame, candidates: pd.DataFrame, inbound: pd.DataFrame, today: date
) -> pd.DataFrame:
    """Each row with the figures of the supplier it is bought from (NaN without any candidate)."""
    chosen = choose_keeping_open_suppliers(rows, evaluate_candidates(rows, candidates, today), inbound)
    rows = rows.merge(chosen[["row", *CHOSEN_COLUMNS]], on="row", how="left")
    for column in CHOSEN_COLUMNS[1:]:  # without any candidate the merge leaves untyped empty columns
        rows[column] = pd.to_numeric(rows[column]).astype("float64")
    rows["late_supplier"] = late_supplier(rows)
    rows["days_late"] = days_late(rows, today)
    return rows


def build_plan(inputs: PlanInputs, forecasts: ForecastLike, settings: Settings) -> PlanResult:
    """The whole plan: figures per SKU x warehouse, purchase suggestions, and the radar."""
    rows = _with_demand(_positions(inputs, forecasts), forecasts, inputs.recent)
    rows = with_service_levels(rows, settings).reset_index(drop=True)
    rows["row"] = np.arange(len(rows))
    days, stock = project(rows, forecasts, inputs.inbound)
    rows["stockout_date"] = stockout_dates(stock, days)
    rows["stockout_to_prevent"] = stockout_to_prevent(stock, days)
    rows = with_quantities(_with_chosen_supplier(rows, inputs.candidates, inputs.inbound, inputs.today), inputs.inbound)
    rows["explanation"] = explanations(rows, inputs.today)
    inbound = inputs.inbound.merge(
        inputs.candidates[["sku", "supplier", "on_time_rate"]], on=["sku", "supplier"], how="left"
    )
    rows = with_risks(rows, inbound, days, stock, inputs.today)
    return PlanResult(rows=rows, radar=at_risk(rows), days=[d.date() for d in days], projection=stock)
