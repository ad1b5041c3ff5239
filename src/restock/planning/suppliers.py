"""Which supplier a SKU x warehouse is bought from: each candidate's figures for its lead time, its cost
adjusted for its measured reliability, and the choice among them."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from restock.planning.columns import CANDIDATE_COLUMNS
from restock.planning.formulas import order_up_to_level, reorder_point, safety_stock
from restock.planning.projection import first_day
from restock.planning.reliability import MIN_HISTORY

RELIABILITY_PENALTY = 0.5
"""Share of the unit cost added for a supplier that is never on time (half of it when on time half the time)."""
MIN_FILL_RATE = 0.05
"""A measured fill rate is taken as at least this (a supplier that fills nothing would cost infinitely much)."""
MEASURED = ["lead_time_mean", "lead_time_std", "lead_time_p50", "lead_time_p90", "on_time_rate", "fill_rate"]


def measured_terms(terms: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Recorded terms with measured lead times: the SKU's own history with that supplier, else the supplier's,
    else the quote (taken as certain); on-time and fill rates likewise. `scores`: the scorecards (sku None: the
    supplier's as a whole); those of fewer than MIN_HISTORY received POs are not measured enough to count."""
    found = measured_lead_times(terms, scores)
    found["unit_cost"] = found["unit_cost"].astype("float64")
    return found


def measured_lead_times(pairs: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Each supplier x SKU pair (sku, supplier, quoted_lead_time) with the MEASURED figures of measured_terms:
    the pair's own, else the supplier's, else the quote (mean, P50 and P90; a spread of 0)."""
    if scores.empty:
        scores = pd.DataFrame(columns=["supplier", "sku", "received_pos", *MEASURED])
    scores = scores[scores["received_pos"] >= MIN_HISTORY]
    pair = scores[scores["sku"].notna()][["supplier", "sku", *MEASURED]]
    whole = scores[scores["sku"].isna()][["supplier", *MEASURED]]
    found = pairs.merge(pair, on=["supplier", "sku"], how="left").merge(
        whole, on="supplier", how="left", suffixes=("", "_supplier")
    )
    for column in MEASURED:
        found[column] = found[column].astype("float64").fillna(found[f"{column}_supplier"].astype("float64"))
    quoted = found["quoted_lead_time"].astype("float64")
    for column in ("lead_time_mean", "lead_time_p50", "lead_time_p90"):
        found[column] = found[column].fillna(quoted)
    found["lead_time_std"] = found["lead_time_std"].fillna(0.0)
    return found.drop(columns=[f"{column}_supplier" for column in MEASURED])


def reliability_adjusted_cost(unit_cost: pd.Series, on_time_rate: pd.Series, fill_rate: pd.Series) -> pd.Series:
    """unit cost x (1 + RELIABILITY_PENALTY x (1 - on-time rate)) / fill rate; an unmeasured rate counts as 1."""
    on_time = on_time_rate.fillna(1.0).clip(0, 1)
    fill = fill_rate.fillna(1.0).clip(MIN_FILL_RATE, 1)
    return unit_cost.astype("float64") * (1 + RELIABILITY_PENALTY * (1 - on_time)) / fill


def stockout_to_prevent(stock: npt.NDArray[np.float64], days: pd.DatetimeIndex) -> npt.NDArray[np.datetime64]:
    """The stock-out a new PO must prevent: the first day from which the projection stays below zero to the end of
    the horizon (NaT when it never does).

    The projection already counts every open PO on its arrival day. A shortage that an arrival ends (a SKU out
    of stock today whose PO lands next week) is not one a new PO can prevent: nothing ordered today arrives before
    what is already on its way, and the radar flags the wait (`stockout_before_receipt`). What no open PO ends is
    the shortage after the supply on hand and on order runs out: forecast demand never lifts the projection, so
    once it is below zero after the last arrival it stays there. When the last arrival is too small to lift it
    back above zero, the shortage that began before it is the one to prevent, from its first day. Judging a
    supplier against the first projected stock-out instead flagged every out-of-stock SKU as bought too late,
    even those an open PO was about to refill."""
    below = stock < 0
    to_the_end = np.flip(np.logical_and.accumulate(np.flip(below, axis=1), axis=1), axis=1)
    return first_day(to_the_end, days)


def delivers_in_time(deliver_days: pd.Series, stockout_date: pd.Series, today: date) -> pd.Series:
    """A supplier is in time when its P90 lead time delivers by the stock-out it must prevent (`stockout_to_prevent`;
    none projected: always in time). Arriving on that day counts: the projection is the stock at the end of a day."""
    stockout_in = (stockout_date - pd.Timestamp(today)).dt.days
    return stockout_in.isna() | (deliver_days <= stockout_in)


def evaluate_candidates(rows: pd.DataFrame, candidates: pd.DataFrame, today: date) -> pd.DataFrame:
    """Every row x supplier offering its SKU, with the figures that supplier's lead time implies."""
    both = rows[
        ["row", "sku", "demand_mean", "demand_std", "service_level", "review_days", "stockout_to_prevent"]
    ].merge(candidates[CANDIDATE_COLUMNS], on="sku", how="inner")
    d, sd = both["demand_mean"].to_numpy(), both["demand_std"].to_numpy()
    lt, slt = both["lead_time_mean"].to_numpy(dtype="float64"), both["lead_time_std"].fillna(0).to_numpy()
    level = both["service_level"].to_numpy(dtype="float64")
    review = both["review_days"].to_numpy(dtype="float64")
    both["safety_stock"] = safety_stock(d, sd, lt, slt, level)
    both["reorder_point"] = reorder_point(d, sd, lt, slt, level)
    both["order_up_to"] = order_up_to_level(d, sd, lt, slt, level, review)
    both["deliver_days"] = both["lead_time_p90"].fillna(both["lead_time_mean"])
    both["in_time"] = delivers_in_time(both["deliver_days"], both["stockout_to_prevent"], today)
    both["adjusted_cost"] = reliability_adjusted_cost(both["unit_cost"], both["on_time_rate"], both["fill_rate"])
    return both


def choose_supplier(evaluated: pd.DataFrame) -> pd.DataFrame:
    """One candidate per row: the lowest adjusted cost among those in time (then the fastest), else the fastest
    (then the cheapest); ties go to the supplier code."""
    ranked = evaluated.assign(
        _late=~evaluated["in_time"],
        _first=np.where(evaluated["in_time"], evaluated["adjusted_cost"], evaluated["deliver_days"]),
        _second=np.where(evaluated["in_time"], evaluated["deliver_days"], evaluated["adjusted_cost"]),
    ).sort_values(["row", "_late", "_first", "_second", "supplier"], kind="stable")
    return ranked.drop_duplicates("row").drop(columns=["_late", "_first", "_second"])


def late_supplier(rows: pd.DataFrame) -> pd.Series:
    """A new PO cannot arrive before the stock-out it must prevent (`stockout_to_prevent`), whichever supplier it
    goes to: bought from the fastest, and flagged. A stock-out an open PO ends is not a reason: no row is flagged
    for a shortage that what is already on its way refills."""
    return rows["supplier"].notna() & rows["stockout_to_prevent"].notna() & (rows["in_time"] == 0)


def days_late(rows: pd.DataFrame, today: date) -> pd.Series:
    """Whole days the chosen supplier's P90 delivery misses the stock-out to prevent by (0 unless `late_supplier`):
    a PO delivered 10.0 days from today against a stock-out in 3 days is 7 days late, one in 3.2 days is 1."""
    stockout_in = (rows["stockout_to_prevent"] - pd.Timestamp(today)).dt.days.astype("float64")
    missed = np.maximum(1.0, np.ceil((rows["deliver_days"] - stockout_in).to_numpy(dtype="float64")))
    return pd.Series(np.where(rows["late_supplier"], missed, 0.0), index=rows.index).fillna(0).astype("int64")


def skus_without_terms(rows: pd.DataFrame) -> list[str]:
    """SKUs with demand or waiting backorders but no supplier terms: they cannot be reordered until terms are
    recorded."""
    missing = rows[rows["supplier"].isna() & ((rows["demand_mean"] > 0) | (rows["backorders"] > 0))]
    return sorted(set(missing["sku"]))
