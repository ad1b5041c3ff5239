"""The frequency of a demand series, and what it decides about forecasting it.

A season is 7 days, 52 weeks, 12 months, 4 quarters (a year has none to speak of); how much history a model
needs before it is tested, and how far ahead a backtest window looks at most, are counted in the series' own
periods. The plan forecasts days; `restock forecast evaluate` takes any of these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from restock.domain.errors import InvalidInput

MAX_BACKTEST_DAYS = 91
"""Days forecast from each backtest origin at most: a quarter covers the lead time plus review period of
nearly every SKU, so safety stock can read the error over that whole span off the backtest."""


FIT_DAYS = 182
"""Days of history AutoETS and the theta models are fitted on, the latest ones: half a year holds 26 weekly
seasons and whatever trend matters over a lead time, exponential smoothing gives older days almost no weight,
and the fit's cost grows with the length (a full ETS search over two years of days would make a 50,000-SKU
plan several times slower for no visible gain)."""


@dataclass(frozen=True)
class Frequency:
    name: str
    season_length: int
    """The usual seasonal period, in periods (a different one can be given)."""
    min_training: int
    """Periods a model sees before the first backtest origin, at the least."""
    max_step: int
    """Periods forecast from each backtest origin, at most."""
    days: tuple[int, int]
    """The range of days between two periods, for telling the frequency from dates."""
    fit_window: int | None = None
    """Latest periods the frequent-demand models are fitted on (None: all of them)."""


FREQUENCIES = {
    f.name: f
    for f in (
        Frequency("daily", 7, 28, MAX_BACKTEST_DAYS, (1, 1), FIT_DAYS),
        Frequency("weekly", 52, 26, 26, (7, 7)),
        Frequency("monthly", 12, 24, 18, (28, 31)),
        Frequency("quarterly", 4, 8, 8, (89, 92)),
        Frequency("yearly", 1, 8, 6, (365, 366)),
    )
}
DAILY = FREQUENCIES["daily"]


def frequency_named(name: str) -> Frequency:
    """The frequency called `name` (daily, weekly, monthly, quarterly, yearly); InvalidInput otherwise."""
    try:
        return FREQUENCIES[name.strip().lower()]
    except KeyError:
        raise InvalidInput(f"the frequency must be one of {', '.join(FREQUENCIES)}, got {name!r}") from None


def infer_frequency(frame: pd.DataFrame) -> Frequency:
    """The frequency of series given as unique_id, ds (dates), from the typical gap between consecutive dates.

    The median gap decides, so a missing period here and there does not change the answer; a gap that is
    none of the known frequencies is refused rather than guessed.
    """
    ds = pd.to_datetime(frame["ds"])
    same = frame["unique_id"].to_numpy()[1:] == frame["unique_id"].to_numpy()[:-1]
    gaps = np.diff(ds.to_numpy().astype("datetime64[D]").astype("int64"))[same]
    if gaps.size == 0:
        return DAILY
    days = int(np.median(gaps))
    for frequency in FREQUENCIES.values():
        low, high = frequency.days
        if low <= days <= high:
            return frequency
    raise InvalidInput(
        f"the dates are {days} days apart: not daily, weekly, monthly, quarterly or yearly (give --frequency)"
    )
