"""Forecast evaluation on a seller's own series: hold out the end, forecast it, score it against a benchmark.

The forecast is the planner's own (same classes, candidates and backtest choice, see
`restock.planning.forecast`), so the scores say how the plan's forecasts would have done on that data.
The benchmark is the seasonal naive forecast (last season repeated), the usual bar a method must beat.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from restock.domain.errors import InvalidInput
from restock.planning.engines import LocalEngine
from restock.planning.forecast import Progress, forecast_series, seasonal_naive_scale
from restock.planning.frequency import DAILY, Frequency, infer_frequency

COLUMNS = ("unique_id", "ds", "y")


@dataclass(frozen=True)
class Scores:
    mase: float
    """Mean absolute scaled error, averaged over the series that have a scale (NaN when none has)."""
    smape: float
    """Symmetric mean absolute percentage error, 0..200, averaged over the series."""

    def to_json(self) -> dict[str, float | None]:
        return {"mase": _number(self.mase), "smape": _number(self.smape)}


@dataclass(frozen=True)
class ClassScores:
    series: int
    forecast: Scores
    benchmark: Scores

    def to_json(self) -> dict[str, Any]:
        return {"series": self.series, **self.forecast.to_json(), "benchmark": self.benchmark.to_json()}


@dataclass(frozen=True)
class Evaluation:
    overall: Scores
    benchmark: Scores
    by_class: dict[str, ClassScores]
    frequency: str
    season_length: int

    def to_json(self) -> dict[str, Any]:
        return {
            "frequency": self.frequency,
            "season_length": self.season_length,
            "overall": self.overall.to_json(),
            "benchmark": self.benchmark.to_json(),
            "by_class": {name: scores.to_json() for name, scores in self.by_class.items()},
        }


def read_series_csv(text: str) -> pd.DataFrame:
    """Series in long format `unique_id,ds,y` (ds: dates or whole numbers); raises InvalidInput if malformed."""
    try:
        frame = pd.read_csv(io.StringIO(text), dtype={"unique_id": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InvalidInput(f"series file refused: not a readable CSV ({str(error).splitlines()[0]})") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidInput(f"series file refused: missing columns {missing} (expected unique_id,ds,y)")
    frame = frame[list(COLUMNS)]
    if frame.empty:
        raise InvalidInput("series file refused: it has a header but no rows")
    if frame["unique_id"].isna().any():
        raise InvalidInput(f"series file refused: line {_line(frame['unique_id'].isna())} has no unique_id")
    y = pd.to_numeric(frame["y"], errors="coerce")
    if y.isna().any():
        bad = y.isna()
        raise InvalidInput(f"series file refused: line {_line(bad)}: y {frame['y'][bad].iloc[0]!r} is not a number")
    frame = frame.assign(y=y.astype(float), ds=_steps_or_dates(frame["ds"]))
    duplicated = frame.duplicated(["unique_id", "ds"])
    if duplicated.any():
        raise InvalidInput(f"series file refused: line {_line(duplicated)} repeats a unique_id and ds")
    return frame.sort_values(["unique_id", "ds"], kind="stable", ignore_index=True)


def _steps_or_dates(ds: pd.Series) -> pd.Series:
    steps = pd.to_numeric(ds, errors="coerce")
    if steps.notna().all() and (steps == steps.round()).all():
        return steps.astype("int64")
    dates = pd.to_datetime(ds, errors="coerce", format="ISO8601")
    neither = dates.isna() & steps.isna()
    if neither.any():
        raise InvalidInput(
            f"series file refused: line {_line(neither)}: ds {ds[neither].iloc[0]!r} is neither a date "
            "(YYYY-MM-DD) nor a whole number"
        )
    if dates.isna().any():
        raise InvalidInput(f"series file refused: line {_line(dates.isna())}: ds mixes dates and numbers")
    return dates


def _line(mask: pd.Series) -> int:
    """The file line of the first flagged row (the header is line 1)."""
    return int(np.flatnonzero(mask.to_numpy())[0]) + 2


def evaluate_forecasts(
    frame: pd.DataFrame,
    *,
    horizon: int,
    season_length: int | None = None,
    frequency: Frequency | None = None,
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> Evaluation:
    """Hold out the last `horizon` points of each series, forecast them from the rest, and score.

    The frequency is told from the dates when not given (whole-number steps: daily); the season length is
    the frequency's usual one when not given (7 days, 52 weeks, 12 months, 4 quarters, none for years).
    """
    frequency = frequency or (infer_frequency(frame) if is_datetime64_any_dtype(frame["ds"]) else DAILY)
    season_length = season_length or frequency.season_length
    train, test = holdout(frame, horizon)
    summary, path, _ = forecast_series(
        train,
        horizon,
        season_length=season_length,
        frequency=frequency,
        engine=LocalEngine(n_jobs),
        progress=progress,
        freq=1,
    )
    forecast = per_series_scores(train, test, path["yhat"].to_numpy(dtype=float), season_length)
    benchmark = per_series_scores(train, test, seasonal_naive(train, horizon, season_length), season_length)
    classes = summary.set_index("unique_id")["demand_class"]
    by_class = {
        str(name): ClassScores(
            series=len(ids),
            forecast=mean_scores(forecast.loc[ids]),
            benchmark=mean_scores(benchmark.loc[ids]),
        )
        for name, ids in classes.groupby(classes).groups.items()
    }
    overall, naive = mean_scores(forecast), mean_scores(benchmark)
    return Evaluation(overall, naive, dict(sorted(by_class.items())), frequency.name, season_length)


def holdout(frame: pd.DataFrame, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): the last `horizon` points of each series held out, ds replaced by the point's position
    in its series (evenly spaced points: models need only their order); both sorted by series and step."""
    if horizon < 1:
        raise InvalidInput(f"the horizon must be at least 1, got {horizon}")
    frame = frame.sort_values(["unique_id", "ds"], kind="stable", ignore_index=True)
    lengths = frame.groupby("unique_id", sort=True).size()
    short = lengths[lengths <= horizon]
    if not short.empty:
        raise InvalidInput(
            f"series {short.index[0]!r} has {short.iloc[0]} points: each series needs more than the horizon "
            f"({horizon}) to keep some for training"
        )
    steps = frame.groupby("unique_id", sort=True).cumcount()
    held_out = frame.groupby("unique_id", sort=True).cumcount(ascending=False) < horizon
    series = frame[["unique_id", "ds", "y"]].assign(ds=steps)
    return series[~held_out].reset_index(drop=True), series[held_out].reset_index(drop=True)


def per_series_scores(
    train: pd.DataFrame, test: pd.DataFrame, predicted: np.ndarray, season_length: int
) -> pd.DataFrame:
    """Per series (index): mean absolute error, sMAPE and MASE of `predicted`, given in the order of `test`'s
    rows; MASE is scaled by the in-sample error of the seasonal naive forecast on `train`."""
    actual = test["y"].to_numpy(dtype=float)
    error = np.abs(actual - predicted)
    denominator = np.abs(actual) + np.abs(predicted)
    smape = np.divide(200 * error, denominator, out=np.zeros_like(error), where=denominator > 0)
    scores = pd.DataFrame({"error": error, "smape": smape}).groupby(test["unique_id"].to_numpy(), sort=True).mean()
    scores["mase"] = scores["error"] / seasonal_naive_scale(train, season_length).reindex(scores.index)
    return scores


def seasonal_naive(train: pd.DataFrame, horizon: int, season_length: int) -> np.ndarray:
    """The last season of each series repeated over the horizon (the last value if shorter than a season),
    in the order of the held-out rows (series by series, step by step)."""
    lengths = train.groupby("unique_id", sort=True).size().to_numpy()
    ends = np.cumsum(lengths)
    step = np.tile(np.arange(horizon), len(lengths))
    end = np.repeat(ends, horizon)
    full = np.repeat(lengths >= season_length, horizon)
    index = np.where(full, end - season_length + step % season_length, end - 1)
    values: np.ndarray = train["y"].to_numpy(dtype=float)[index]
    return values


def mean_scores(scores: pd.DataFrame) -> Scores:
    """The scores of a group of series: sMAPE averaged over all, MASE over those with a scale."""
    mase = scores["mase"].to_numpy(dtype=float)
    finite = mase[np.isfinite(mase)]
    return Scores(
        mase=float(finite.mean()) if finite.size else float("nan"),
        smape=float(scores["smape"].mean()),
    )


def _number(value: float) -> float | None:
    return round(value, 6) if np.isfinite(value) else None
