"""The day-by-day projection of available stock, the dates read off it, and the horizon it covers."""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from restock.planning.columns import KEY, available_to_customers

MIN_HORIZON_DAYS = 14
MAX_HORIZON_DAYS = 180
"""The forecast horizon is the longest lead time plus review period, within these bounds."""


class ForecastLike(Protocol):
    """restock.planning.forecast.Forecasts: summary (demand_mean, demand_std per series) and path (yhat per day)."""

    @property
    def summary(self) -> pd.DataFrame: ...

    @property
    def path(self) -> pd.DataFrame: ...


def horizon_days(candidates: pd.DataFrame, skus: pd.DataFrame) -> int:
    """Days to forecast: the longest P90 lead time plus review period among the SKUs that can be bought."""
    if candidates.empty:
        return MIN_HORIZON_DAYS
    reach = candidates.merge(skus[["sku", "review_days"]], on="sku")
    longest = float((reach["lead_time_p90"] + reach["review_days"]).max())
    return int(min(MAX_HORIZON_DAYS, max(MIN_HORIZON_DAYS, math.ceil(longest))))


def _day_index(days: pd.DatetimeIndex, when: pd.Series) -> npt.NDArray[np.int64]:
    """Column of each date in the horizon (before it: the first day; after it: len(days), off the matrix)."""
    index = days.searchsorted(pd.to_datetime(when).to_numpy(dtype="datetime64[ns]"), side="left")
    return np.asarray(index, dtype=np.int64)


def _per_row_and_day(
    row_of: pd.Series, days: pd.DatetimeIndex, events: pd.DataFrame, when: str, amount: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Amounts summed into a rows x (days + 1) matrix (the last column collects what falls after the horizon);
    events of a SKU x warehouse that is not planned are left out."""
    matrix = np.zeros((len(row_of), len(days) + 1))
    at = row_of.reindex(pd.MultiIndex.from_frame(events[KEY])).to_numpy()
    known = ~np.isnan(at.astype("float64"))
    np.add.at(matrix, (at[known].astype(np.int64), _day_index(days, events[when])[known]), amount[known])
    return matrix


def project(
    rows: pd.DataFrame, forecasts: ForecastLike, inbound: pd.DataFrame
) -> tuple[pd.DatetimeIndex, npt.NDArray[np.float64]]:
    """Projected available stock per row and day: start - cumulated forecast + cumulated arrivals, each open PO
    line on its expected day (an overdue one counts on the first day)."""
    path = forecasts.path
    days = pd.DatetimeIndex(sorted(pd.to_datetime(path["ds"]).unique()))
    row_of = pd.Series(np.arange(len(rows)), index=pd.MultiIndex.from_frame(rows[KEY]))
    demand = _per_row_and_day(row_of, days, path, "ds", path["yhat"].to_numpy())[:, :-1]
    coming = inbound[inbound["expected"].notna()]
    arrivals = _per_row_and_day(row_of, days, coming, "expected", coming["open_qty"].to_numpy(dtype="float64"))
    start = available_to_customers(rows).to_numpy(dtype="float64")
    stock = start[:, None] - np.cumsum(np.clip(demand, 0, None), axis=1) + np.cumsum(arrivals[:, :-1], axis=1)
    return days, stock


def first_day(mask: npt.NDArray[np.bool_], days: pd.DatetimeIndex) -> npt.NDArray[np.datetime64]:
    """The first date a row's mask is true, NaT when never."""
    found = np.full(len(mask), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(days):
        hit = mask.any(axis=1)
        found[hit] = days.to_numpy(dtype="datetime64[ns]")[mask.argmax(axis=1)[hit]]
    return found


def stockout_dates(stock: npt.NDArray[np.float64], days: pd.DatetimeIndex) -> npt.NDArray[np.datetime64]:
    """The projected stock-out: the first day a row's projected stock is below zero."""
    return first_day(stock < 0, days)


def below_safety_dates(
    stock: npt.NDArray[np.float64], safety_stock: pd.Series, days: pd.DatetimeIndex
) -> npt.NDArray[np.datetime64]:
    """The first day a row's projected stock is below its safety stock (below zero when that is negative;
    a row without a supplier has none, and is never below it)."""
    safety = safety_stock.fillna(-np.inf).to_numpy(dtype="float64")
    return first_day(stock < np.maximum(safety, 0)[:, None], days)


def largest_shortfall(stock: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Whole units a row is projected short at its worst over the horizon (0 when never short)."""
    shortfall = np.maximum(0.0, -stock.min(axis=1)) if stock.shape[1] else np.zeros(len(stock))
    return np.ceil(shortfall - 1e-9)
