"""Prediction intervals of the forecast path: where a period's demand falls with probability LEVEL%.

AutoETS, AutoTheta and the naive forecasts come with intervals of their own (statsforecast's `level`), which
widen with the step as their errors accumulate; the combination of two models takes the mean of their bounds
(exact when the two models' errors move together, a little wide otherwise). The rare-demand methods have none:
their interval is read off the errors of the series' own backtest (conformal, in the sense that the bounds are
the quantiles of errors the model actually made out of sample), or off the history's spread around its mean
where there was no backtest. Those methods forecast a flat rate, so their interval is the same every period.

Demand is never negative: bounds are clipped at zero, and every interval contains its point forecast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

LEVEL = 90
"""The one level the path carries: the planner's service levels (90-98%) sit around it."""
LO = f"yhat_lo_{LEVEL}"
HI = f"yhat_hi_{LEVEL}"
TAIL = (1 - LEVEL / 100) / 2
"""The probability left below the lower bound, and above the upper one."""


def native_bounds(
    forecast: pd.DataFrame, names: list[str], chosen: np.ndarray, yhat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The chosen model's own LEVEL% bounds per row of statsforecast's `forecast` frame, around `yhat`."""
    rows = np.arange(len(forecast))
    lower = forecast[[f"{name}-lo-{LEVEL}" for name in names]].to_numpy(dtype=float)[rows, chosen]
    upper = forecast[[f"{name}-hi-{LEVEL}" for name in names]].to_numpy(dtype=float)[rows, chosen]
    return _around(yhat, lower, upper)


def residual_bounds(path: pd.DataFrame, backtest: pd.DataFrame, history: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Bounds for `path` (unique_id, yhat) from each series' backtest errors (actual - forecast), or from its
    history's deviations from its mean when it has no backtest rows: yhat plus the TAIL and 1 - TAIL
    quantiles of those errors."""
    errors = pd.Series(
        backtest["y"].to_numpy(dtype=float) - backtest["yhat"].to_numpy(dtype=float),
        index=backtest["unique_id"].to_numpy(),
    )
    untested = history[~history["unique_id"].isin(backtest["unique_id"])]
    y = untested["y"].astype(float)
    spread = pd.Series((y - y.groupby(untested["unique_id"]).transform("mean")).to_numpy(), index=untested["unique_id"])
    deviations = pd.concat([errors, spread])
    quantiles = deviations.groupby(level=0, sort=True).quantile(np.array([TAIL, 1 - TAIL])).unstack()
    at = quantiles.reindex(path["unique_id"].to_numpy())
    yhat = path["yhat"].to_numpy(dtype=float)
    return _around(yhat, yhat + at[TAIL].to_numpy(dtype=float), yhat + at[1 - TAIL].to_numpy(dtype=float))


def sigma_from_bounds(first: pd.DataFrame) -> pd.Series:
    """A one-period forecast error (standard deviation) from the upper bound of the first period's interval,
    for series without a backtest: the model's own normal error (the lower bound may be clipped at zero)."""
    return (first[HI] - first["yhat"]) / float(norm.ppf(1 - TAIL))


def _around(yhat: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounds that are never below zero and always contain yhat (a missing bound is yhat itself)."""
    lower = np.clip(np.minimum(np.nan_to_num(lower, nan=np.inf), yhat), 0.0, None)
    upper = np.maximum(np.nan_to_num(upper, nan=-np.inf), yhat)
    return lower, upper
