"""Demand forecasts: candidate statsforecast models per demand class, chosen per series by a backtest.

Each demand class (see `restock.planning.classify`) has its own candidates: exponential smoothing and
the seasonal naive for frequent demand, Croston-type and temporal-aggregation methods for rare demand.
Every series is backtested on its own history (rolling origin: the last few windows are forecast from
the data before them, statsforecast's `cross_validation`), and the candidate with the lowest mean
squared error wins that series. The backtest error is kept: its MASE says how good the forecast is,
and the root mean squared daily error is the forecast error that safety stock must cover.

All series of one class go through statsforecast together, once for the backtest and once for the
forecast, so the work is vectorised and parallel (`n_jobs`); nothing here loops over series or days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import ADIDA, IMAPA, TSB, AutoETS, CrostonSBA, Naive, SeasonalNaive

from restock.domain.errors import InvalidInput
from restock.planning.classify import DemandClass, classify

BACKTEST_WINDOWS = 3
"""Rolling origins per series: enough to rank the candidates, few enough to stay cheap."""
MAX_BACKTEST_HORIZON = 14
"""Days forecast from each origin: the safety-stock error is a one-day error, so a long horizon buys little."""
MIN_TRAINING = 28
"""Days of history a model sees before the first backtest origin, at the least."""
TSB_ALPHAS = 0.1
"""TSB's smoothing of demand size and probability: the low end of the range Teunter et al. recommend."""

SUMMARY_COLUMNS = [
    "unique_id",
    "sku",
    "warehouse",
    "demand_class",
    "model",
    "demand_mean",
    "demand_std",
    "backtest_mase",
]
PATH_COLUMNS = ["unique_id", "sku", "warehouse", "ds", "yhat"]
BACKTEST_COLUMNS = ["unique_id", "cutoff", "step", "y", "yhat"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Forecasts:
    """What the planner needs from the forecast, per SKU x warehouse series.

    summary: one row per series: unique_id, sku, warehouse, demand_class, model, demand_mean
      (units/day over the horizon), demand_std (units/day: root mean squared one-day error of the
      chosen model in the backtest; for `new` series the standard deviation of the daily history),
      backtest_mase (NaN when there was no backtest or the history has no variation to scale by).
    path: long, unique_id, sku, warehouse, ds (datetime64, one row per day of the horizon), yhat (units).
    backtest: long, unique_id, cutoff (the origin), step (1 = the day after the origin), y (actual) and yhat
      (the chosen model's forecast) for every backtest window of every modelled series; series forecast
      without a model (`new`, `no_demand`) have no rows. Safety stock reads the error over a lead time off it.
    """

    summary: pd.DataFrame
    path: pd.DataFrame
    backtest: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BACKTEST_COLUMNS))


@dataclass(frozen=True)
class BacktestPlan:
    """How series are backtested for a given forecast horizon and season."""

    horizon: int
    season_length: int

    @property
    def step(self) -> int:
        return max(1, min(self.horizon, MAX_BACKTEST_HORIZON))

    @property
    def test_size(self) -> int:
        return self.step * BACKTEST_WINDOWS

    @property
    def min_length(self) -> int:
        """Shorter series are `new`: there is not enough of them to both train and backtest."""
        return self.test_size + max(MIN_TRAINING, 2 * self.season_length)


def candidate_models(demand_class: DemandClass, season_length: int) -> list[Any]:
    """The statsforecast models tried on a class; empty for classes forecast without a model.

    Exponential smoothing is fitted with additive errors and no trend: daily unit demand has zero
    days, where multiplicative forms are undefined, and a trend over a lead time of weeks is better
    caught by planning again every day than by extrapolating it (it also makes the fit 5-15x faster
    than a full ETS search, which decides whether 50,000 SKUs can be planned overnight).
    """
    if demand_class in (DemandClass.SMOOTH, DemandClass.ERRATIC):
        level_only = AutoETS(model="ANN", alias="ETS(A,N,N)")
        if season_length == 1:
            return [level_only, Naive()]
        seasonal = AutoETS(season_length=season_length, model="ANA", alias="ETS(A,N,A)")
        return [seasonal, level_only, SeasonalNaive(season_length=season_length)]
    if demand_class in (DemandClass.INTERMITTENT, DemandClass.LUMPY):
        return [CrostonSBA(), TSB(alpha_d=TSB_ALPHAS, alpha_p=TSB_ALPHAS), ADIDA(), IMAPA()]
    return []


MODELLED_CLASSES = [c for c in DemandClass if candidate_models(c, 7)]


def forecast_demand(
    history: pd.DataFrame,
    horizon: int,
    *,
    season_length: int = 7,
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> Forecasts:
    """Forecast every SKU x warehouse series of `history` for `horizon` days.

    history: long frame unique_id, sku, warehouse, ds (daily), y (censor-corrected units), with the
    days without demand filled with zeros, so every series is a contiguous run of days.
    """
    _check_history(history, ["unique_id", "sku", "warehouse", "ds", "y"])
    if horizon < 1:
        raise InvalidInput(f"the forecast horizon must be at least one day, got {horizon}")
    if history.empty:  # a shop without any movement or order yet: nothing to plan, not an error
        return Forecasts(pd.DataFrame(columns=SUMMARY_COLUMNS), pd.DataFrame(columns=PATH_COLUMNS))
    frame = history[["unique_id", "ds", "y"]].copy()
    frame["ds"] = pd.to_datetime(frame["ds"])
    summary, path, backtest = forecast_series(
        frame, horizon, season_length=season_length, n_jobs=n_jobs, progress=progress, freq="D"
    )
    keys = history[["unique_id", "sku", "warehouse"]].drop_duplicates("unique_id")
    summary = summary.merge(keys, on="unique_id", how="left")[SUMMARY_COLUMNS]
    path = path.merge(keys, on="unique_id", how="left")[PATH_COLUMNS]
    return Forecasts(summary, path, backtest)


def forecast_series(
    frame: pd.DataFrame,
    horizon: int,
    *,
    season_length: int,
    n_jobs: int = 1,
    progress: Progress | None = None,
    freq: str | int = "D",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Classify, backtest, choose and forecast series given as unique_id, ds, y.

    Returns (summary without sku and warehouse, path with unique_id, ds, yhat, backtest as in
    `Forecasts.backtest`), all sorted by unique_id. `freq` is statsforecast's: "D" for daily dates, 1 for
    integer steps.
    """
    if season_length < 1:
        raise InvalidInput(f"the season length must be at least 1, got {season_length}")
    frame = _sorted(frame)
    plan = BacktestPlan(horizon, season_length)
    classes = classify(frame, min_length=plan.min_length)
    summaries, paths, backtests = _forecast_modelled(frame, classes, plan, n_jobs, freq, progress)
    unmodelled = classes[~classes["demand_class"].isin(MODELLED_CLASSES)]
    if not unmodelled.empty:
        subset = frame[frame["unique_id"].isin(unmodelled["unique_id"])]
        summary, path = _forecast_without_model(subset, unmodelled, horizon, freq)
        summaries.append(summary)
        paths.append(path)
        _report(progress, len(classes), len(classes))
    summary = pd.concat(summaries, ignore_index=True).sort_values("unique_id", kind="stable", ignore_index=True)
    path = pd.concat(paths, ignore_index=True).sort_values(["unique_id", "ds"], kind="stable", ignore_index=True)
    backtest = (
        pd.concat(backtests, ignore_index=True).sort_values(["unique_id", "cutoff", "step"], kind="stable")
        if backtests
        else pd.DataFrame(columns=BACKTEST_COLUMNS)
    ).reset_index(drop=True)
    return summary, path, backtest


def _forecast_modelled(
    frame: pd.DataFrame,
    classes: pd.DataFrame,
    plan: BacktestPlan,
    n_jobs: int,
    freq: str | int,
    progress: Progress | None,
) -> tuple[list[pd.DataFrame], list[pd.DataFrame], list[pd.DataFrame]]:
    """Summaries, paths and backtests of the series of each modelled class, one class at a time (progress
    after each)."""
    total, done = len(classes), 0
    _report(progress, done, total)
    summaries, paths, backtests = [], [], []
    for demand_class in MODELLED_CLASSES:
        ids = classes.loc[classes["demand_class"] == demand_class, "unique_id"]
        if ids.empty:
            continue
        subset = frame[frame["unique_id"].isin(ids)]
        models = candidate_models(demand_class, plan.season_length)
        summary, path, backtest = _forecast_class(subset, models, plan, n_jobs, freq)
        summary["demand_class"] = demand_class.value
        summaries.append(summary)
        paths.append(path)
        backtests.append(backtest)
        done += len(ids)
        _report(progress, done, total)
    return summaries, paths, backtests


def _forecast_class(
    frame: pd.DataFrame, models: list[Any], plan: BacktestPlan, n_jobs: int, freq: str | int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Backtest all candidates on all series of one class, keep each series' best, forecast with it."""
    names = [str(model) for model in models]
    engine = StatsForecast(models=models, freq=freq, n_jobs=n_jobs, fallback_model=Naive())
    backtest = engine.cross_validation(
        h=plan.step, df=frame, n_windows=BACKTEST_WINDOWS, step_size=plan.step, refit=True
    )
    choice = choose_models(backtest, names)
    scale = seasonal_naive_scale(frame, plan.season_length)
    forecast = engine.forecast(h=plan.horizon, df=frame)
    chosen = choice["model_index"].reindex(forecast["unique_id"]).to_numpy()
    candidates = forecast[names].to_numpy(dtype=float)
    yhat = np.clip(np.take_along_axis(candidates, chosen[:, None], axis=1)[:, 0], 0.0, None)
    path = pd.DataFrame({"unique_id": forecast["unique_id"].to_numpy(), "ds": forecast["ds"].to_numpy(), "yhat": yhat})
    means = path.groupby("unique_id", sort=True)["yhat"].mean()
    summary = pd.DataFrame(
        {
            "unique_id": choice.index.to_numpy(),
            "model": np.asarray(names, dtype=object)[choice["model_index"].to_numpy()],
            "demand_mean": means.reindex(choice.index).to_numpy(),
            "demand_std": choice["rmse"].to_numpy(),
            "backtest_mase": (choice["mae"] / scale.reindex(choice.index)).to_numpy(),
        }
    )
    return summary, path, chosen_backtest(backtest, names, choice["model_index"])


def chosen_backtest(backtest: pd.DataFrame, names: list[str], model_index: pd.Series) -> pd.DataFrame:
    """The backtest of each series' chosen model, as in `Forecasts.backtest` (step counted within each window)."""
    chosen = model_index.reindex(backtest["unique_id"]).to_numpy()
    forecasts = backtest[names].to_numpy(dtype=float)
    step = backtest.groupby(["unique_id", "cutoff"], sort=False).cumcount() + 1
    return pd.DataFrame(
        {
            "unique_id": backtest["unique_id"].to_numpy(),
            "cutoff": backtest["cutoff"].to_numpy(),
            "step": step.to_numpy(dtype="int64"),
            "y": backtest["y"].to_numpy(dtype=float),
            "yhat": np.clip(np.take_along_axis(forecasts, chosen[:, None], axis=1)[:, 0], 0.0, None),
        }
    )


def choose_models(backtest: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Per series (index): model_index (lowest backtest mean squared error; a model that failed to
    forecast never wins), and that model's mae and rmse over every backtest day.

    Squared, not absolute, error decides: the absolute error is smallest for the median, which is zero
    for intermittent demand, so it would pick the model that forecasts nothing; the squared error is
    smallest for the mean, and the mean is what lead-time demand and safety stock are built on.
    """
    errors = backtest[names].to_numpy(dtype=float) - backtest["y"].to_numpy(dtype=float)[:, None]
    by_series = backtest["unique_id"].to_numpy()
    mae = pd.DataFrame(np.abs(errors), columns=names).groupby(by_series, sort=True).mean()
    mse = pd.DataFrame(errors**2, columns=names).groupby(by_series, sort=True).mean()
    best = np.argmin(np.nan_to_num(mse.to_numpy(), nan=np.inf), axis=1)
    rows = np.arange(len(best))
    return pd.DataFrame(
        {
            "model_index": best,
            "mae": mae.to_numpy()[rows, best],
            "rmse": np.sqrt(mse.to_numpy()[rows, best]),
        },
        index=mae.index,
    )


def seasonal_naive_scale(frame: pd.DataFrame, season_length: int) -> pd.Series:
    """MASE's denominator per series: the in-sample mean absolute error of the seasonal naive forecast.

    NaN when the series is constant (or too short): a forecast error cannot be scaled by zero.
    """
    lagged = frame.groupby("unique_id", sort=True)["y"].diff(season_length).abs()
    scale = lagged.groupby(frame["unique_id"], sort=True).mean()
    return scale.where(scale > 0)


def _forecast_without_model(
    frame: pd.DataFrame, classes: pd.DataFrame, horizon: int, freq: str | int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`new` series: the average of the days seen so far, its spread as the error; `no_demand`: zero."""
    grouped = frame.groupby("unique_id", sort=True)["y"]
    stats = pd.DataFrame(
        {"mean": grouped.mean(), "std": grouped.std(ddof=0), "last": frame.groupby("unique_id")["ds"].max()}
    )
    stats = stats.join(classes.set_index("unique_id")["demand_class"])
    silent = (stats["demand_class"] == DemandClass.NO_DEMAND).to_numpy()
    mean = np.where(silent, 0.0, stats["mean"].to_numpy(dtype=float))
    std = np.where(silent, 0.0, stats["std"].to_numpy(dtype=float))
    summary = pd.DataFrame(
        {
            "unique_id": stats.index.to_numpy(),
            "demand_class": stats["demand_class"].to_numpy(),
            "model": np.where(silent, "Zero", "HistoricAverage"),
            "demand_mean": mean,
            "demand_std": std,
            "backtest_mase": np.nan,
        }
    )
    steps = np.tile(np.arange(1, horizon + 1), len(stats))
    last = np.repeat(stats["last"].to_numpy(), horizon)
    ds = last + pd.to_timedelta(steps, unit="D").to_numpy() if freq == "D" else last + steps
    path = pd.DataFrame(
        {"unique_id": np.repeat(stats.index.to_numpy(), horizon), "ds": ds, "yhat": np.repeat(mean, horizon)}
    )
    return summary, path


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Series in unique_id order, each in time order: sorted only when it is not already."""
    ids = frame["unique_id"]
    same_series = ids.to_numpy()[1:] == ids.to_numpy()[:-1]
    later = frame["ds"].to_numpy()[1:] > frame["ds"].to_numpy()[:-1]
    if ids.is_monotonic_increasing and bool(np.all(later | ~same_series)):
        return frame.reset_index(drop=True)
    return frame.sort_values(["unique_id", "ds"], kind="stable", ignore_index=True)


def _check_history(history: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in history.columns]
    if missing:
        raise InvalidInput(f"the demand history lacks the columns {missing}")


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
