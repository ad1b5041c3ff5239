"""Demand forecasts: candidate statsforecast models per demand class, chosen per series by a backtest.

Each demand class (see `restock.planning.classify`) has its own candidates. Frequent demand (smooth,
erratic) gets AutoETS over its whole model space (additive or multiplicative error; no, additive or damped
trend; no, additive or multiplicative season: statsforecast picks the form by AICc and leaves out the
multiplicative ones on series with zeros, where they are undefined), the standard and the dynamic optimised
theta methods, the average of those three, and the seasonal naive. Rare demand (intermittent, lumpy) gets
Croston-type and temporal-aggregation methods.

Every series is backtested on its own history (rolling origin: the last windows are forecast from the data
before them, statsforecast's `cross_validation`) with as many windows as its length allows, up to
BACKTEST_WINDOWS. The rare-demand candidate with the lowest mean squared error wins its series; for frequent
demand the average wins unless another candidate's error is clearly lower (see `choose_models`). A series too
short for a single window still gets a model (the average, or CrostonSBA for rare demand); only a series too
short to fit any model (`new`) gets its historical mean. The backtest is kept: its MASE says how good the
forecast is, and its errors are what safety stock must cover.

The frequency (see `restock.planning.frequency`) sets the season, how much history a model sees before it is
tested and how far a backtest window looks; on daily data the frequent-demand models are fitted on the last
half year. Each forecast carries a LEVEL% prediction interval per period: the models' own where they have one
(statsforecast's `level`), else from the backtest's errors (see `restock.planning.intervals`).

All series of one group of candidates go through statsforecast together, once per number of backtest windows
and once for the forecast, so the work is vectorised and parallel (`n_jobs`, or a cluster: see
`restock.planning.engines`); nothing here loops over series or days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from statsforecast.models import (
    ADIDA,
    IMAPA,
    TSB,
    AutoETS,
    CrostonSBA,
    DynamicOptimizedTheta,
    Naive,
    SeasonalNaive,
    Theta,
)

from restock.domain.errors import InvalidInput
from restock.planning.classify import DemandClass, classify
from restock.planning.engines import ForecastEngine, LocalEngine
from restock.planning.frequency import DAILY, MAX_BACKTEST_DAYS, Frequency
from restock.planning.intervals import HI, LEVEL, LO, native_bounds, residual_bounds, sigma_from_bounds

BACKTEST_WINDOWS = 3
"""Rolling origins per series at most: enough to rank the candidates, few enough to stay cheap."""
MAX_BACKTEST_HORIZON = MAX_BACKTEST_DAYS
"""Days forecast from each origin at most (daily series): the lead time plus review period of nearly every
SKU, so the error over it can be read off the backtest."""
MIN_TRAINING = DAILY.min_training
"""Days of history a model sees before the first backtest origin, at the least."""
MIN_POINTS_TO_FIT = 10
"""Shorter series are `new`: AutoETS needs this many points to fit a damped trend (5 parameters + 4)."""
TSB_ALPHAS = 0.1
"""TSB's smoothing of demand size and probability: the low end of the range Teunter et al. recommend."""
COMBINED = ("AutoETS", "Theta", "DynamicOptimizedTheta")
COMBINATION = "AutoETS+Theta+DOTM"
"""The average of the forecasts of AutoETS, the standard theta method and the dynamic optimised theta method
(DOTM): on the M3 series it beats each of them (bench/forecast_accuracy.py), as averages of unlike methods
usually do."""

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
PATH_COLUMNS = ["unique_id", "sku", "warehouse", "ds", "yhat", LO, HI]
BACKTEST_COLUMNS = ["unique_id", "cutoff", "step", "y", "yhat"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Forecasts:
    """What the planner needs from the forecast, per SKU x warehouse series.

    summary: one row per series: unique_id, sku, warehouse, demand_class, model, demand_mean
      (units/day over the horizon), demand_std (units/day: root mean squared daily error of the chosen model
      over its backtest; without a backtest the model's own one-day error, or the standard deviation of the
      daily history for `new` and rare demand), backtest_mase (NaN without a backtest or when the history has
      no variation to scale by).
    path: long, unique_id, sku, warehouse, ds (datetime64, one row per day of the horizon), yhat (units) and
      yhat_lo_90, yhat_hi_90: the 90% prediction interval of that day's demand (never below zero).
    backtest: long, unique_id, cutoff (the origin), step (1 = the day after the origin), y (actual) and yhat
      (the chosen model's forecast) for every backtest window of every backtested series; series without a
      backtest (`new`, `no_demand`, and those too short for one window) have no rows. Steps run up to the
      forecast horizon (at most MAX_BACKTEST_HORIZON days). Safety stock reads the error over a lead time off it.
    """

    summary: pd.DataFrame
    path: pd.DataFrame
    backtest: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BACKTEST_COLUMNS))


@dataclass(frozen=True)
class BacktestPlan:
    """How series are backtested for a given forecast horizon, season and frequency."""

    horizon: int
    season_length: int
    frequency: Frequency = DAILY

    @property
    def step(self) -> int:
        """Periods forecast from each origin: the horizon, within the frequency's limit."""
        return max(1, min(self.horizon, self.frequency.max_step))

    @property
    def min_training(self) -> int:
        """Periods before the first origin: the frequency's minimum, and two seasons to see a season in."""
        return max(self.frequency.min_training, 2 * self.season_length)

    @property
    def min_length(self) -> int:
        """Series at least this long get every backtest window."""
        return self.step * BACKTEST_WINDOWS + self.min_training

    def windows(self, lengths: pd.Series) -> pd.Series:
        """Backtest windows per series, from its length: as many as fit after the minimum training, up to
        BACKTEST_WINDOWS (0: too short for one, the series is forecast without a backtest)."""
        return ((lengths - self.min_training) // self.step).clip(lower=0, upper=BACKTEST_WINDOWS).astype("int64")


class Group(StrEnum):
    """Demand classes that share candidates go through statsforecast together."""

    FREQUENT = "frequent"
    RARE = "rare"


GROUPS = {
    DemandClass.SMOOTH: Group.FREQUENT,
    DemandClass.ERRATIC: Group.FREQUENT,
    DemandClass.INTERMITTENT: Group.RARE,
    DemandClass.LUMPY: Group.RARE,
}
MODELLED_CLASSES = list(GROUPS)


def candidate_models(group: Group, season_length: int) -> list[Any]:
    """The statsforecast models tried on a group of classes.

    Frequent demand: AutoETS over its full model space (trend, damped trend and season chosen by AICc), the
    standard theta method (the M3 competition's winner) and the dynamic optimised theta method (both
    statsforecast AutoTheta models with the variant fixed: AutoTheta's own in-sample choice among the four
    variants did worse on M3), and the seasonal naive (the naive without a season), the bar all must clear.
    Their average is added by `with_combination`. Rare demand: Croston's method with the Syntetos-Boylan
    correction, TSB, ADIDA and IMAPA, which forecast a rate of demand rather than the next zero; a trend is
    not something a few sales a month can show.
    """
    if group is Group.FREQUENT:
        naive = SeasonalNaive(season_length=season_length) if season_length > 1 else Naive()
        return [
            AutoETS(season_length=season_length, model="ZZZ"),
            Theta(season_length=season_length),
            DynamicOptimizedTheta(season_length=season_length),
            naive,
        ]
    return [CrostonSBA(), TSB(alpha_d=TSB_ALPHAS, alpha_p=TSB_ALPHAS), ADIDA(), IMAPA()]


def default_model(group: Group) -> str:
    """The model of a series too short for one backtest window: the combination, or CrostonSBA for rare
    demand (Syntetos and Boylan's correction of Croston's bias, the usual default for intermittent demand)."""
    return COMBINATION if group is Group.FREQUENT else "CrostonSBA"


def has_native_intervals(group: Group) -> bool:
    """AutoETS, the theta methods and the naive forecasts have prediction intervals of their own; the
    rare-demand methods do not (statsforecast would need a second backtest to give them conformal ones)."""
    return group is Group.FREQUENT


def refits(group: Group) -> bool:
    """Whether each backtest window refits the models. The frequent-demand models are fitted once, at the
    first origin, and carried forward over the later windows (statsforecast's `forward`: same form and
    parameters, states updated with the new days): the errors stay out of sample and the backtest costs one
    full search instead of BACKTEST_WINDOWS. The rare-demand methods cannot be carried forward, and their fits
    cost next to nothing."""
    return group is Group.RARE


def forecast_demand(
    history: pd.DataFrame,
    horizon: int,
    *,
    season_length: int = 7,
    n_jobs: int = 1,
    engine: ForecastEngine | None = None,
    progress: Progress | None = None,
) -> Forecasts:
    """Forecast every SKU x warehouse series of `history` for `horizon` days.

    history: long frame unique_id, sku, warehouse, ds (daily), y (censor-corrected units), with the
    days without demand filled with zeros, so every series is a contiguous run of days. `engine` runs the
    model fits (default: this machine with `n_jobs` processes).
    """
    _check_history(history, ["unique_id", "sku", "warehouse", "ds", "y"])
    if horizon < 1:
        raise InvalidInput(f"the forecast horizon must be at least one day, got {horizon}")
    if history.empty:  # a shop without any movement or order yet: nothing to plan, not an error
        return Forecasts(pd.DataFrame(columns=SUMMARY_COLUMNS), pd.DataFrame(columns=PATH_COLUMNS))
    frame = history[["unique_id", "ds", "y"]].copy()
    frame["ds"] = pd.to_datetime(frame["ds"])
    summary, path, backtest = forecast_series(
        frame,
        horizon,
        season_length=season_length,
        engine=engine or LocalEngine(n_jobs),
        progress=progress,
        freq="D",
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
    frequency: Frequency = DAILY,
    engine: ForecastEngine | None = None,
    progress: Progress | None = None,
    freq: str | int = "D",
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Classify, backtest, choose and forecast series given as unique_id, ds, y.

    Returns (summary without sku and warehouse, path with unique_id, ds, yhat and the interval, backtest as in
    `Forecasts.backtest`), all sorted by unique_id. `freq` is statsforecast's: "D" for daily dates, 1 for
    integer steps; `frequency` sets the backtest's limits in periods.
    """
    if season_length < 1:
        raise InvalidInput(f"the season length must be at least 1, got {season_length}")
    frame = _sorted(frame)
    plan = BacktestPlan(horizon, season_length, frequency)
    classes = classify(frame, min_length=MIN_POINTS_TO_FIT)
    classes["windows"] = plan.windows(classes["n"]).to_numpy()
    engine = engine or LocalEngine()
    with engine.session():
        summaries, paths, backtests = _forecast_modelled(frame, classes, plan, engine, freq, progress)
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
    engine: ForecastEngine,
    freq: str | int,
    progress: Progress | None,
) -> tuple[list[pd.DataFrame], list[pd.DataFrame], list[pd.DataFrame]]:
    """Summaries, paths and backtests of the series of each group of classes, one group at a time (progress
    after each)."""
    total, done = len(classes), 0
    _report(progress, done, total)
    summaries, paths, backtests = [], [], []
    group_of = classes["demand_class"].map(GROUPS)
    for group in Group:
        members = classes[(group_of == group).to_numpy()].set_index("unique_id")
        if members.empty:
            continue
        subset = frame[frame["unique_id"].isin(members.index)]
        summary, path, backtest = _forecast_group(subset, members["windows"], group, plan, engine, freq)
        summary["demand_class"] = members["demand_class"].reindex(summary["unique_id"]).to_numpy()
        summaries.append(summary)
        paths.append(path)
        backtests.append(backtest)
        done += len(members)
        _report(progress, done, total)
    return summaries, paths, backtests


def _forecast_group(
    frame: pd.DataFrame, windows: pd.Series, group: Group, plan: BacktestPlan, engine: ForecastEngine, freq: str | int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Backtest all candidates on the series of one group, keep each series' best, forecast with it."""
    models = candidate_models(group, plan.season_length)
    level = [LEVEL] if has_native_intervals(group) else None
    window = plan.frequency.fit_window if group is Group.FREQUENT else None
    fitted = frame if window is None else frame.groupby("unique_id", sort=False).tail(window)
    forecast = with_combination(engine.forecast(models, freq, fitted, h=plan.horizon, level=level), level)
    names = [str(model) for model in models] + ([COMBINATION] if group is Group.FREQUENT else [])
    backtest = _backtest(frame, windows, models, plan, engine, freq, refit=refits(group), input_size=window)
    default = names.index(default_model(group))
    choice = choose_models(backtest, names, preferred=default if group is Group.FREQUENT else None)
    choice = _with_untested(choice, windows, default)
    chosen = choice["model_index"].reindex(forecast["unique_id"]).to_numpy()
    yhat = np.clip(_pick(forecast, names, chosen), 0.0, None)
    path = pd.DataFrame({"unique_id": forecast["unique_id"].to_numpy(), "ds": forecast["ds"].to_numpy(), "yhat": yhat})
    kept = chosen_backtest(backtest, names, choice["model_index"])
    if level is not None:
        path[LO], path[HI] = native_bounds(forecast, names, chosen, yhat)
    else:
        path[LO], path[HI] = residual_bounds(path, kept, frame)
    means = path.groupby("unique_id", sort=True)["yhat"].mean()
    scale = seasonal_naive_scale(frame, plan.season_length)
    summary = pd.DataFrame(
        {
            "unique_id": choice.index.to_numpy(),
            "model": np.asarray(names, dtype=object)[choice["model_index"].to_numpy()],
            "demand_mean": means.reindex(choice.index).to_numpy(),
            "demand_std": _demand_std(choice, path, frame, native=level is not None),
            "backtest_mase": (choice["mae"] / scale.reindex(choice.index)).to_numpy(),
        }
    )
    return summary, path, kept


def _demand_std(choice: pd.DataFrame, path: pd.DataFrame, frame: pd.DataFrame, *, native: bool) -> np.ndarray:
    """The daily forecast error of each series of `choice`: its backtest RMSE; without a backtest, the
    model's own one-day error (from its first interval) or, for rare demand, the spread of its history."""
    std = choice["rmse"].to_numpy()
    untested = np.isnan(std)
    if not untested.any():
        return std
    if native:
        first = path.groupby("unique_id", sort=True).head(1).set_index("unique_id")
        fallback = sigma_from_bounds(first)
    else:
        fallback = frame.groupby("unique_id", sort=True)["y"].std(ddof=0)
    return np.where(untested, fallback.reindex(choice.index).to_numpy(dtype=float), std)


def _backtest(
    frame: pd.DataFrame,
    windows: pd.Series,
    models: list[Any],
    plan: BacktestPlan,
    engine: ForecastEngine,
    freq: str | int,
    *,
    refit: bool,
    input_size: int | None,
) -> pd.DataFrame:
    """The candidates' rolling-origin forecasts: one statsforecast call per number of windows (series with
    the same number of windows go together), with the combination's column."""
    counts = windows.to_numpy()
    parts = [
        engine.cross_validation(
            models,
            freq,
            frame[frame["unique_id"].isin(windows.index[counts == count])],
            h=plan.step,
            n_windows=count,
            refit=refit,
            input_size=input_size,
        )
        for count in range(1, BACKTEST_WINDOWS + 1)
        if (counts == count).any()
    ]
    if not parts:
        columns = ["unique_id", "ds", "cutoff", "y", *(str(m) for m in models)]
        return with_combination(pd.DataFrame(columns=columns).astype({str(m): float for m in models}), None)
    return with_combination(pd.concat(parts, ignore_index=True), None)


def with_combination(frame: pd.DataFrame, level: list[int] | None) -> pd.DataFrame:
    """`frame` (statsforecast's output) with the COMBINATION column, the mean of the COMBINED models' forecasts
    (and of their interval bounds, for each level), when it has them."""
    if not all(name in frame.columns for name in COMBINED):
        return frame
    columns = {COMBINATION: frame[list(COMBINED)].mean(axis=1)}
    for bound in [f"{side}-{lvl}" for lvl in (level or []) for side in ("lo", "hi")]:
        columns[f"{COMBINATION}-{bound}"] = frame[[f"{name}-{bound}" for name in COMBINED]].mean(axis=1)
    return frame.assign(**columns)


def _pick(frame: pd.DataFrame, names: list[str], chosen: np.ndarray) -> np.ndarray:
    """Per row, the column of `names` that `chosen` (an index into names per row) points at."""
    values = frame[names].to_numpy(dtype=float)
    picked: np.ndarray = np.take_along_axis(values, chosen[:, None].astype(np.int64), axis=1)[:, 0]
    return picked


def _with_untested(choice: pd.DataFrame, windows: pd.Series, default: int) -> pd.DataFrame:
    """The choice of every series of the group: the series without a backtest get the default model, and NaN
    errors (nothing was measured)."""
    untested = windows.index[windows.to_numpy() == 0]
    if untested.empty:
        return choice
    rows = pd.DataFrame({"model_index": default, "mae": np.nan, "rmse": np.nan}, index=untested)
    return pd.concat([choice, rows]).sort_index(kind="stable")


def chosen_backtest(backtest: pd.DataFrame, names: list[str], model_index: pd.Series) -> pd.DataFrame:
    """The backtest of each series' chosen model, as in `Forecasts.backtest` (step counted within each window)."""
    chosen = model_index.reindex(backtest["unique_id"]).to_numpy()
    step = backtest.groupby(["unique_id", "cutoff"], sort=False).cumcount() + 1
    return pd.DataFrame(
        {
            "unique_id": backtest["unique_id"].to_numpy(),
            "cutoff": backtest["cutoff"].to_numpy(),
            "step": step.to_numpy(dtype="int64"),
            "y": backtest["y"].to_numpy(dtype=float),
            "yhat": np.clip(_pick(backtest, names, chosen), 0.0, None),
        }
    )


PREFERENCE_MARGIN = 0.5
"""How much lower (as a share) another candidate's backtest mean squared error must be to replace the preferred
one: half. On the M3 series, where one to three windows rank close candidates largely by chance, every smaller
margin did worse than keeping the combination; a candidate that halves its error is not there by chance."""


def choose_models(backtest: pd.DataFrame, names: list[str], *, preferred: int | None = None) -> pd.DataFrame:
    """Per series (index): model_index (lowest backtest mean squared error; a model that failed to
    forecast never wins), and that model's mae and rmse over every backtest day.

    Squared, not absolute, error decides: the absolute error is smallest for the median, which is zero
    for intermittent demand, so it would pick the model that forecasts nothing; the squared error is
    smallest for the mean, and the mean is what lead-time demand and safety stock are built on.
    The `preferred` candidate keeps a series unless another one's error is lower by more than
    PREFERENCE_MARGIN: a few windows rank close candidates by chance, and the preferred one is the better bet.
    """
    errors = backtest[names].to_numpy(dtype=float) - backtest["y"].to_numpy(dtype=float)[:, None]
    by_series = backtest["unique_id"].to_numpy()
    mae = pd.DataFrame(np.abs(errors), columns=names).groupby(by_series, sort=True).mean()
    mse = pd.DataFrame(errors**2, columns=names).groupby(by_series, sort=True).mean()
    ranked = np.nan_to_num(mse.to_numpy(), nan=np.inf)
    if preferred is not None:
        ranked[:, preferred] *= 1.0 - PREFERENCE_MARGIN
    best = np.argmin(ranked, axis=1)
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
    path[LO], path[HI] = residual_bounds(path, pd.DataFrame(columns=BACKTEST_COLUMNS), frame)
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
