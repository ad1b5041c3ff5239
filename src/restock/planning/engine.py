"""The replenishment plan and the shortage-risk radar for every SKU x warehouse at once.

Pure and vectorised: pandas merges and numpy arrays over all rows (and a rows x days matrix for the
projection); nothing loops per SKU or per day. The inputs are plain frames that
restock.services.planning loads in one transaction, so a test can build them by hand.

The rules, in the order they are applied:

1. Service level: the SKU's own override, else that of its ABC class (revenue = forecast units x price).
2. Projection: stock available to customers (on hand - allocated - waiting backorders) minus the
   cumulated forecast path plus open inbound on its ETA day (an overdue PO counts on the first day),
   day by day over the horizon; the first day below zero is the projected stock-out.
3. Per candidate supplier (its recorded terms and measured lead time): safety stock
   z x sqrt(L sigma_d^2 + d^2 sigma_L^2), reorder point d L + safety stock, order-up-to level
   d (L + R) + z x sqrt((L + R) sigma_d^2 + d^2 sigma_L^2) for a review period R.
4. Supplier: among those whose P90 lead time delivers by the projected stock-out, the lowest landed
   cost adjusted for reliability, unit cost x (1 + RELIABILITY_PENALTY x (1 - on-time rate)) / fill rate;
   when none can, the fastest, flagged `late_supplier`.
5. Reorder when the inventory position (on hand - allocated - waiting backorders + open confirmed
   inbound), less the demand expected before the next review, is at or below the reorder point;
   order up to the order-up-to level (or the EOQ, at least what keeps the position above the reorder
   point until the next review), at least the MOQ, rounded up to whole packs.
6. Radar flags per row: `stockout_before_receipt`, `late_po` (an open PO's ETA has passed),
   `supplier_slipping` (an open PO's ETA moved past its first confirmed date, or its supplier is on
   time less than SLIPPING_ON_TIME of the time), `demand_spike` (last RECENT_DAYS' demand above the
   forecast by SPIKE_SIGMAS standard errors and by at least SPIKE_RATIO); revenue at risk is the
   largest projected shortfall x price.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from restock.config import Settings
from restock.planning.formulas import economic_order_quantity, service_factor, sigma_over_lead_time
from restock.planning.policy import abc_classes, class_service_levels

RELIABILITY_PENALTY = 0.5
"""Share of the unit cost added for a supplier that is never on time (half of it when on time half the time)."""
SLIPPING_ON_TIME = 0.8
RECENT_DAYS = 7
SPIKE_SIGMAS = 3.0
SPIKE_RATIO = 1.5
DAYS_PER_YEAR = 365

KEY = ["sku", "warehouse"]

STOCK_COLUMNS = ["sku", "warehouse", "on_hand", "allocated", "backorders"]
"""stock: per SKU x warehouse, units on hand, allocated, and waiting backorders counted against it."""
SKU_COLUMNS = ["sku", "price", "review_days", "policy", "order_cost", "holding_rate", "service_level"]
"""skus: per SKU its price and planning settings; holding_rate and service_level are shares (0.25, 0.97),
service_level NaN: the ABC class level."""
CANDIDATE_COLUMNS = [
    "sku",
    "supplier",
    "lead_time_mean",
    "lead_time_std",
    "lead_time_p90",
    "moq",
    "pack_size",
    "unit_cost",
    "on_time_rate",
    "fill_rate",
]
"""candidates: one row per supplier offering a SKU (recorded terms), lead times in days; rates NaN: unmeasured."""
INBOUND_COLUMNS = ["sku", "warehouse", "po_id", "supplier", "eta", "open_qty", "confirmed", "first_confirmed_eta"]
"""inbound: open PO lines (ordered - received > 0) with their PO's ETA (NaT: none given yet)."""
RECENT_COLUMNS = ["sku", "warehouse", "recent_mean"]
"""recent: units/day demanded over the last RECENT_DAYS days."""


class ForecastLike(Protocol):
    """restock.planning.forecast.Forecasts: summary (demand_mean, demand_std per series) and path (yhat per day)."""

    @property
    def summary(self) -> pd.DataFrame: ...

    @property
    def path(self) -> pd.DataFrame: ...


@dataclass(frozen=True)
class PlanInputs:
    """The frames of the *_COLUMNS above. A SKU x warehouse is planned when it has stock, a forecast or
    inbound supply."""

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


# ---------------------------------------------------------------- demand and service level


def _text_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """SKU and warehouse as text even in an empty frame (an empty column is float64, and merging it with text
    fails): a shop on its first day has no forecast, no recent demand or no inbound supply."""
    return frame.astype({column: "object" for column in KEY if column in frame.columns})


def _positions(inputs: PlanInputs, forecasts: ForecastLike) -> pd.DataFrame:
    """Every SKU x warehouse with stock, a forecast or inbound supply, with its SKU's settings."""
    frames = [inputs.stock[KEY], forecasts.summary[KEY], inputs.inbound[KEY]]
    keys = pd.concat([_text_keys(frame) for frame in frames]).drop_duplicates()
    rows = keys.merge(inputs.stock[STOCK_COLUMNS], on=KEY, how="left")
    for column in ("on_hand", "allocated", "backorders"):
        rows[column] = pd.to_numeric(rows[column]).fillna(0).astype("int64")
    return rows.merge(inputs.skus[SKU_COLUMNS], on="sku", how="inner").sort_values(KEY, kind="stable")


def _with_demand(positions: pd.DataFrame, forecasts: ForecastLike, recent: pd.DataFrame) -> pd.DataFrame:
    demand = _text_keys(forecasts.summary[[*KEY, "demand_mean", "demand_std"]])
    rows = positions.merge(demand, on=KEY, how="left").merge(_text_keys(recent[RECENT_COLUMNS]), on=KEY, how="left")
    for column in ("demand_mean", "demand_std", "recent_mean"):
        rows[column] = pd.to_numeric(rows[column]).astype("float64").fillna(0.0).clip(lower=0.0)
    return rows


def _with_service_level(rows: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    revenue = (rows["demand_mean"] * rows["price"]).groupby(rows["sku"]).sum()
    classes = abc_classes(revenue, settings)
    rows["abc"] = rows["sku"].map(classes).fillna("C")
    rows["service_level"] = rows["service_level"].fillna(class_service_levels(rows["abc"], settings))
    return rows


# ---------------------------------------------------------------- projection


def _day_index(days: pd.DatetimeIndex, when: pd.Series) -> npt.NDArray[np.int64]:
    """Column of each date in the horizon (before it: the first day; after it: len(days), off the matrix)."""
    index = days.searchsorted(pd.to_datetime(when).to_numpy(dtype="datetime64[ns]"), side="left")
    return np.asarray(index, dtype=np.int64)


def _project(
    rows: pd.DataFrame, forecasts: ForecastLike, inbound: pd.DataFrame
) -> tuple[pd.DatetimeIndex, npt.NDArray[np.float64]]:
    """Projected available stock per row and day: start - cumulated forecast + cumulated arrivals."""
    path = forecasts.path
    days = pd.DatetimeIndex(sorted(pd.to_datetime(path["ds"]).unique()))
    row_of = pd.Series(np.arange(len(rows)), index=pd.MultiIndex.from_frame(rows[KEY]))
    demand = np.zeros((len(rows), len(days)))
    at = row_of.reindex(pd.MultiIndex.from_frame(path[KEY])).to_numpy()
    known = ~np.isnan(at.astype("float64"))
    np.add.at(demand, (at[known].astype(np.int64), _day_index(days, path["ds"])[known]), path["yhat"].to_numpy()[known])
    arrivals = np.zeros((len(rows), len(days) + 1))  # the last column collects what arrives after the horizon
    coming = inbound[inbound["eta"].notna()]
    at = row_of.reindex(pd.MultiIndex.from_frame(coming[KEY])).to_numpy()
    known = ~np.isnan(at.astype("float64"))
    np.add.at(
        arrivals,
        (at[known].astype(np.int64), _day_index(days, coming["eta"])[known]),
        coming["open_qty"].to_numpy(dtype="float64")[known],
    )
    start = (rows["on_hand"] - rows["allocated"] - rows["backorders"]).to_numpy(dtype="float64")
    stock = start[:, None] - np.cumsum(np.clip(demand, 0, None), axis=1) + np.cumsum(arrivals[:, :-1], axis=1)
    return days, stock


def _first_day(mask: npt.NDArray[np.bool_], days: pd.DatetimeIndex) -> npt.NDArray[np.datetime64]:
    """The first date a row's mask is true, NaT when never."""
    found = np.full(len(mask), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(days):
        hit = mask.any(axis=1)
        found[hit] = days.to_numpy(dtype="datetime64[ns]")[mask.argmax(axis=1)[hit]]
    return found


# ---------------------------------------------------------------- candidates and supplier choice


def _evaluate_candidates(rows: pd.DataFrame, candidates: pd.DataFrame, today: date) -> pd.DataFrame:
    """Every row x supplier offering its SKU, with the figures that supplier's lead time implies."""
    both = rows[["row", "sku", "demand_mean", "demand_std", "service_level", "review_days", "stockout_date"]].merge(
        candidates[CANDIDATE_COLUMNS], on="sku", how="inner"
    )
    d, sd = both["demand_mean"].to_numpy(), both["demand_std"].to_numpy()
    lt, slt = both["lead_time_mean"].to_numpy(dtype="float64"), both["lead_time_std"].fillna(0).to_numpy()
    review = both["review_days"].to_numpy(dtype="float64")
    z = service_factor(both["service_level"].to_numpy(dtype="float64"))
    both["safety_stock"] = z * sigma_over_lead_time(d, sd, lt, slt)
    both["reorder_point"] = d * lt + both["safety_stock"]
    both["order_up_to"] = d * (lt + review) + z * sigma_over_lead_time(d, sd, lt + review, slt)
    deliver = both["lead_time_p90"].fillna(both["lead_time_mean"])
    both["deliver_days"] = deliver
    stockout_in = (both["stockout_date"] - pd.Timestamp(today)).dt.days
    both["in_time"] = stockout_in.isna() | (deliver <= stockout_in)
    on_time = both["on_time_rate"].fillna(1.0).clip(0, 1)
    fill = both["fill_rate"].fillna(1.0).clip(0.05, 1)
    both["adjusted_cost"] = both["unit_cost"].astype("float64") * (1 + RELIABILITY_PENALTY * (1 - on_time)) / fill
    return both


def _choose_supplier(evaluated: pd.DataFrame) -> pd.DataFrame:
    """One candidate per row: cheapest adjusted cost among those in time, else the fastest."""
    ranked = evaluated.assign(
        _late=~evaluated["in_time"],
        _first=np.where(evaluated["in_time"], evaluated["adjusted_cost"], evaluated["deliver_days"]),
        _second=np.where(evaluated["in_time"], evaluated["deliver_days"], evaluated["adjusted_cost"]),
    ).sort_values(["row", "_late", "_first", "_second", "supplier"], kind="stable")
    return ranked.drop_duplicates("row").drop(columns=["_late", "_first", "_second"])


CHOSEN_COLUMNS = [
    "supplier",
    "lead_time_mean",
    "lead_time_std",
    "deliver_days",
    "moq",
    "pack_size",
    "unit_cost",
    "adjusted_cost",
    "in_time",
    "safety_stock",
    "reorder_point",
    "order_up_to",
]


# ---------------------------------------------------------------- quantities


def _quantities(rows: pd.DataFrame, inbound: pd.DataFrame) -> pd.DataFrame:
    confirmed = inbound[inbound["confirmed"].astype(bool)].groupby(KEY)["open_qty"].sum().rename("inbound_confirmed")
    rows = rows.merge(confirmed, left_on=KEY, right_index=True, how="left")
    rows["inbound_confirmed"] = pd.to_numeric(rows["inbound_confirmed"]).fillna(0).astype("int64")
    rows["position"] = rows["on_hand"] - rows["allocated"] - rows["backorders"] + rows["inbound_confirmed"]
    before_review = rows["demand_mean"] * rows["review_days"]
    has_supplier = rows["supplier"].notna()
    rows["reorder"] = has_supplier & (rows["position"] - before_review <= rows["reorder_point"])
    holding = rows["holding_rate"] * rows["unit_cost"].astype("float64")
    annual = rows["demand_mean"] * DAYS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        lot = economic_order_quantity(
            annual.to_numpy(), rows["order_cost"].to_numpy(dtype="float64"), holding.to_numpy(dtype="float64")
        )
    rows["eoq"] = np.where(np.isfinite(lot), lot, np.nan)
    up_to = rows["order_up_to"] - rows["position"]
    keep_above = rows["reorder_point"] + before_review - rows["position"]
    use_eoq = (rows["policy"] == "eoq") & rows["eoq"].notna()
    raw = np.where(use_eoq, np.maximum(rows["eoq"].fillna(0), keep_above), up_to)
    rows["raw_quantity"] = np.where(rows["reorder"], np.maximum(raw, 0), 0.0)
    pack = rows["pack_size"].fillna(1).astype("float64")
    wanted = np.maximum(np.ceil(rows["raw_quantity"] - 1e-9), rows["moq"].fillna(1).astype("float64"))
    rounded = np.ceil(wanted / pack) * pack
    rows["quantity"] = np.where(rows["raw_quantity"] > 1e-9, rounded, 0).astype("int64")
    rows["rule"] = np.where(use_eoq, "eoq", "order_up_to")
    return rows


def _explain(rows: pd.DataFrame) -> pd.Series:
    """One line per row saying where its number comes from (one formatted string per row, no per-day work)."""
    return pd.Series([_explanation(r) for r in rows.to_dict("records")], index=rows.index, dtype="object")


def _explanation(r: dict[Hashable, Any]) -> str:
    if not isinstance(r["supplier"], str):
        return "no supplier terms recorded for this SKU: record them with `restock supplier terms`"
    if not r["reorder"]:
        return (
            f"position {r['position']:g} - demand before next review {r['demand_mean'] * r['review_days']:.1f} "
            f"stays above reorder point {r['reorder_point']:.1f}: no order"
        )
    lead_time_demand = r["demand_mean"] * r["lead_time_mean"]
    target = (
        f"EOQ {r['eoq']:.1f}"
        if r["rule"] == "eoq"
        else f"order-up-to {r['order_up_to']:.1f} (review {r['review_days']} d)"
    )
    late = "" if r["in_time"] else "; none can deliver before the stock-out: the fastest"
    return (
        f"lead-time demand {lead_time_demand:.1f} + safety stock {r['safety_stock']:.1f} = reorder point "
        f"{r['reorder_point']:.1f}, position {r['position']:g}; {target} -> {r['raw_quantity']:.1f} "
        f"-> {r['quantity']} (packs of {r['pack_size']:g}, MOQ {r['moq']:g}) from {r['supplier']}{late}"
    )


# ---------------------------------------------------------------- radar


def _risks(
    rows: pd.DataFrame, inbound: pd.DataFrame, days: pd.DatetimeIndex, stock: npt.NDArray[np.float64], today: date
) -> pd.DataFrame:
    """Every row with its radar figures and flags."""
    now = pd.Timestamp(today)
    safety = rows["safety_stock"].fillna(-np.inf).to_numpy(dtype="float64")
    rows["below_safety_date"] = _first_day(stock < np.maximum(safety, 0)[:, None], days)
    coming = inbound[inbound["eta"].notna()].copy()
    coming["eta"] = pd.to_datetime(coming["eta"])
    coming["late"] = coming["eta"] < now
    slipped = pd.to_datetime(coming["first_confirmed_eta"]).notna() & (
        coming["eta"] > pd.to_datetime(coming["first_confirmed_eta"])
    )
    coming["slipping"] = slipped | (coming["on_time_rate"].fillna(1.0) < SLIPPING_ON_TIME)
    per_row = coming.groupby(KEY).agg(
        next_receipt=("eta", "min"), late_po=("late", "any"), supplier_slipping=("slipping", "any")
    )
    rows = rows.merge(per_row, left_on=KEY, right_index=True, how="left")
    next_receipt = rows["next_receipt"].where(rows["next_receipt"] > now, now)
    rows["next_receipt"] = next_receipt.where(rows["next_receipt"].notna())
    short = rows["stockout_date"].notna()
    rows["stockout_before_receipt"] = short & (rows["next_receipt"].isna() | (rows["stockout_date"] < next_receipt))
    rows["late_po"] = rows["late_po"].astype("boolean").fillna(False).astype(bool)
    rows["supplier_slipping"] = rows["supplier_slipping"].astype("boolean").fillna(False).astype(bool)
    standard_error = rows["demand_std"] / math.sqrt(RECENT_DAYS)
    rows["demand_spike"] = (rows["recent_mean"] > rows["demand_mean"] + SPIKE_SIGMAS * standard_error) & (
        rows["recent_mean"] > SPIKE_RATIO * rows["demand_mean"]
    )
    shortfall = np.maximum(0.0, -stock.min(axis=1)) if stock.shape[1] else np.zeros(len(rows))
    rows["units_short"] = np.ceil(shortfall - 1e-9)
    rows["revenue_at_risk"] = rows["units_short"] * rows["price"].astype("float64")
    return rows


def _radar(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows at risk (a flag, or projected below safety stock), the most revenue at risk first."""
    at_risk = rows[list(FLAGS)].any(axis=1) | rows["below_safety_date"].notna() | rows["stockout_date"].notna()
    return rows[at_risk].sort_values(
        ["revenue_at_risk", "stockout_date", "below_safety_date", "sku", "warehouse"],
        ascending=[False, True, True, True, True],
        na_position="last",
        kind="stable",
    )


FLAGS = ("stockout_before_receipt", "late_po", "supplier_slipping", "demand_spike", "late_supplier")


def build_plan(inputs: PlanInputs, forecasts: ForecastLike, settings: Settings) -> PlanResult:
    """The whole plan: figures per SKU x warehouse, purchase suggestions, and the radar."""
    rows = _with_demand(_positions(inputs, forecasts), forecasts, inputs.recent)
    rows = _with_service_level(rows, settings).reset_index(drop=True)
    rows["row"] = np.arange(len(rows))
    days, stock = _project(rows, forecasts, inputs.inbound)
    rows["stockout_date"] = _first_day(stock < 0, days)
    chosen = _choose_supplier(_evaluate_candidates(rows, inputs.candidates, inputs.today))
    rows = rows.merge(chosen[["row", *CHOSEN_COLUMNS]], on="row", how="left")
    for column in CHOSEN_COLUMNS[1:]:  # without any candidate the merge leaves untyped empty columns
        rows[column] = pd.to_numeric(rows[column]).astype("float64")
    rows["late_supplier"] = rows["supplier"].notna() & rows["stockout_date"].notna() & (rows["in_time"] == 0)
    rows = _quantities(rows, inputs.inbound)
    rows["explanation"] = _explain(rows)
    inbound = inputs.inbound.merge(
        inputs.candidates[["sku", "supplier", "on_time_rate"]], on=["sku", "supplier"], how="left"
    )
    rows = _risks(rows, inbound, days, stock, inputs.today)
    return PlanResult(rows=rows, radar=_radar(rows), days=[d.date() for d in days], projection=stock)
