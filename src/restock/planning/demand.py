"""Daily demand history per SKU x warehouse, with out-of-stock days corrected (pure, pandas/numpy).

Sales on a day without sellable stock understate demand: shoppers who saw "out of stock" did not
order, or ordered less. Such days are **censored**. The rule (see README, "Demand history"):

- a day is censored when the SKU x warehouse ended it with no sellable stock (on hand - allocated
  <= 0, replayed from the stock ledger), on or after the ledger's first movement for that pair
  (before it, restock knows nothing of the stock: imported history is taken at face value);
- a censored day's demand is estimated from the uncensored days around it: the mean of the
  uncensored days within `CENSOR_WINDOW_DAYS` before and after it in the same series;
- what was sold that day is a lower bound of its demand, so the corrected demand is the larger of
  the sales and the estimate; with no uncensored day in reach the sales are kept as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

CENSOR_WINDOW_DAYS = 14
"""Days on each side of a censored day whose uncensored demand estimates it: two weekly cycles."""

HISTORY_COLUMNS = ["unique_id", "sku", "warehouse", "ds", "y", "sales", "censored"]


def series_id(sku: pd.Series, warehouse: pd.Series) -> pd.Series:
    """The id of a SKU x warehouse series, readable in tables and JSON: SKU@WAREHOUSE."""
    return sku.astype(str) + "@" + warehouse.astype(str)


def build_history(
    demand: pd.DataFrame,
    stock_changes: pd.DataFrame,
    pairs: pd.DataFrame,
    *,
    start: date,
    end: date,
) -> pd.DataFrame:
    """The daily, zero-filled, censor-corrected demand of every SKU x warehouse pair, `start`..`end`.

    demand: sku, warehouse, ds, quantity (several rows per day are added up);
    stock_changes: sku, warehouse, ds, delta (change of sellable stock that day);
    pairs: sku, warehouse, opening (sellable stock at the start of `start`), first_movement (day of the
      ledger's first movement, NaT when none), first_day (the first day the pair has anything: its
      series begins then, or at `start`).
    Returns HISTORY_COLUMNS sorted by unique_id and ds: y is the corrected demand, sales what was ordered.
    """
    pairs, first = _series_starts(pairs, start, end)
    if pairs.empty:
        return pd.DataFrame({column: [] for column in HISTORY_COLUMNS})
    grid = _Grid.of(first, pd.Timestamp(end))
    position = _positions(pairs, first, grid.offsets, grid.lengths)
    sales = _scatter(grid.size, position(demand, "ds"), demand["quantity"])
    deltas = _scatter(grid.size, position(stock_changes, "ds"), stock_changes["delta"])
    opening = pairs["opening"].to_numpy(dtype=float)[grid.pair_of_row]
    sellable = _cumsum_per_series(deltas, grid.offsets, grid.lengths) + opening
    first_movement = pd.to_datetime(pairs["first_movement"]).to_numpy()[grid.pair_of_row]
    history = pd.DataFrame(
        {
            "unique_id": pairs["unique_id"].to_numpy()[grid.pair_of_row],
            "sku": pairs["sku"].to_numpy()[grid.pair_of_row],
            "warehouse": pairs["warehouse"].to_numpy()[grid.pair_of_row],
            "ds": grid.ds,
            "sales": sales,
            "censored": is_censored(sellable, grid.ds, first_movement),
        }
    )
    history["y"] = correct_censored(history)
    return history[HISTORY_COLUMNS]


def _series_starts(pairs: pd.DataFrame, start: date, end: date) -> tuple[pd.DataFrame, pd.Series]:
    """The pairs with a series in `start`..`end`, by unique_id, and the first day of each series (its
    first_day, not before `start`)."""
    origin = pd.Timestamp(start)
    pairs = pairs.copy()
    pairs["unique_id"] = series_id(pairs["sku"], pairs["warehouse"])
    pairs = pairs.sort_values("unique_id", kind="stable", ignore_index=True)
    first = pd.to_datetime(pairs["first_day"]).where(lambda day: day > origin, origin)
    last = pd.Timestamp(end)
    return pairs[first <= last].reset_index(drop=True), first[first <= last].reset_index(drop=True)


@dataclass(frozen=True)
class _Grid:
    """The history's rows: every series a contiguous run of days from its first day to the last day."""

    lengths: np.ndarray
    offsets: np.ndarray
    pair_of_row: np.ndarray
    ds: np.ndarray

    @property
    def size(self) -> int:
        return len(self.pair_of_row)

    @classmethod
    def of(cls, first: pd.Series, last: pd.Timestamp) -> _Grid:
        lengths = ((last - first).dt.days + 1).to_numpy()
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        pair_of_row = np.repeat(np.arange(len(first)), lengths)
        day_in_series = np.arange(int(lengths.sum())) - offsets[pair_of_row]
        ds = first.to_numpy()[pair_of_row] + day_in_series.astype("timedelta64[D]")
        return cls(lengths, offsets, pair_of_row, ds)


def is_censored(sellable: np.ndarray, ds: np.ndarray, first_movement: np.ndarray) -> np.ndarray:
    """A day is censored when it ended without sellable stock, on or after the ledger's first movement of
    its pair (before it, restock knows nothing of the stock)."""
    censored: np.ndarray = (sellable <= 0) & (ds >= first_movement)
    return censored


def correct_censored(history: pd.DataFrame, window: int = CENSOR_WINDOW_DAYS) -> np.ndarray:
    """Demand per day: the sales, or on censored days the larger of the sales and the mean of the
    uncensored days within `window` days around it (same series). `history` has unique_id, sales and
    censored, sorted by unique_id and day, each series a contiguous run of days."""
    sales = history["sales"].to_numpy(dtype=float)
    censored = history["censored"].to_numpy(dtype=bool)
    ids = history["unique_id"].to_numpy()
    n = len(sales)
    if n == 0:
        return sales
    starts_here = np.concatenate([[True], ids[1:] != ids[:-1]])
    series_start = np.maximum.accumulate(np.where(starts_here, np.arange(n), 0))
    ends_here = np.concatenate([ids[1:] != ids[:-1], [True]])
    series_end = np.minimum.accumulate(np.where(ends_here, np.arange(n) + 1, n + 1)[::-1])[::-1]
    here = np.arange(n)
    lo = np.maximum(series_start, here - window)
    hi = np.minimum(series_end, here + window + 1)
    seen = np.where(censored, 0.0, sales)
    seen_sum = np.concatenate([[0.0], np.cumsum(seen)])
    seen_count = np.concatenate([[0], np.cumsum(~censored)])
    count = seen_count[hi] - seen_count[lo]
    estimate = np.divide(seen_sum[hi] - seen_sum[lo], count, out=np.zeros(n), where=count > 0)
    corrected = np.where(censored & (count > 0), np.maximum(sales, estimate), sales)
    return corrected


def _positions(
    pairs: pd.DataFrame, first: pd.Series, offsets: np.ndarray, lengths: np.ndarray
) -> Callable[[pd.DataFrame, str], np.ndarray]:
    """A function mapping rows (sku, warehouse, ds) of another frame to their row in the history grid
    (-1 for rows outside it)."""
    index = pd.MultiIndex.from_frame(pairs[["sku", "warehouse"]])

    def position(frame: pd.DataFrame, column: str) -> np.ndarray:
        if frame.empty:
            return np.zeros(0, dtype=np.int64)
        pair = index.get_indexer(pd.MultiIndex.from_frame(frame[["sku", "warehouse"]]))
        known = pair >= 0
        day = (pd.to_datetime(frame[column]).to_numpy() - first.to_numpy()[pair]) // np.timedelta64(1, "D")
        inside = known & (day >= 0) & (day < lengths[pair])
        return np.where(inside, offsets[pair] + day, -1)

    return position


def _scatter(size: int, positions: np.ndarray, values: pd.Series) -> np.ndarray:
    """Add values into a zero array of `size` at positions (ignoring -1): several rows per day add up."""
    out = np.zeros(size)
    keep = positions >= 0
    np.add.at(out, positions[keep], values.to_numpy(dtype=float)[keep])
    return out


def _cumsum_per_series(values: np.ndarray, offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Running sum restarting at each series' first row."""
    total = np.cumsum(values)
    before = np.concatenate([[0.0], total])[offsets]
    result: np.ndarray = total - np.repeat(before, lengths)
    return result
