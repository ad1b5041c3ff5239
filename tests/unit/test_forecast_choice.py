"""Model choice by backtest: each series gets the candidate of its class that forecast its own past best."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from restock.domain.errors import InvalidInput
from restock.planning.evaluate import evaluate_forecasts
from restock.planning.forecast import (
    COMBINATION,
    MIN_POINTS_TO_FIT,
    PATH_COLUMNS,
    PREFERENCE_MARGIN,
    SUMMARY_COLUMNS,
    choose_models,
    forecast_demand,
    forecast_series,
)
from restock.planning.frequency import FREQUENCIES
from restock.planning.intervals import HI, LO

RNG_SEED = 7
DAYS = 120


def history(series: dict[str, np.ndarray]) -> pd.DataFrame:
    frames = []
    for uid, y in series.items():
        sku, warehouse = uid.split("@")
        days = pd.date_range(end="2026-11-26", periods=len(y))
        frames.append(pd.DataFrame({"unique_id": uid, "sku": sku, "warehouse": warehouse, "ds": days, "y": y}))
    return pd.concat(frames, ignore_index=True).astype({"y": float})


def test_the_candidate_with_the_lowest_backtest_error_wins_each_series() -> None:
    backtest = pd.DataFrame(
        {
            "unique_id": ["A", "A", "B", "B"],
            "y": [10.0, 10.0, 0.0, 4.0],
            "first": [12.0, 12.0, 1.0, 1.0],  # A: errors 2, 2; B: errors 1, 3
            "second": [9.0, 10.0, np.nan, np.nan],  # A: errors 1, 0; B: failed to forecast
            "third": [10.0, 13.0, 0.0, 0.0],  # A: errors 0, 3 (MAE 1.5, MSE 4.5); B: 0, 4 (MAE 2, MSE 8)
        }
    )
    choice = choose_models(backtest, ["first", "second", "third"])
    assert choice["model_index"].to_dict() == {"A": 1, "B": 0}
    assert choice["mae"].to_dict() == {"A": 0.5, "B": 2.0}
    assert choice["rmse"].to_dict() == {"A": pytest.approx(np.sqrt(0.5)), "B": pytest.approx(np.sqrt(5.0))}


def test_squared_error_decides_so_forecasting_zero_does_not_win_rare_demand() -> None:
    # a sale of 4 one day in four: forecasting nothing has the lower absolute error (1 vs 1.5),
    # forecasting the mean the lower squared error (3 vs 4)
    backtest = pd.DataFrame({"unique_id": ["R"] * 4, "y": [0.0, 0.0, 0.0, 4.0], "zero": 0.0, "mean": 1.0})
    choice = choose_models(backtest, ["zero", "mean"])
    assert choice.loc["R", "model_index"] == 1


PROGRESS: list[tuple[int, int]] = []


@pytest.fixture(scope="module")
def forecasts() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(RNG_SEED)
    weekly = np.tile([60, 5, 5, 5, 5, 5, 60], DAYS // 7 + 1)[:DAYS] + rng.poisson(2, DAYS)
    result = forecast_demand(
        history(
            {
                "WEEKLY@W1": weekly,
                "RARE@W1": np.where(np.arange(DAYS) % 4 == 0, 3, 0),
                "FRESH@W1": np.array([2, 4, 3, 3]),
                "DEAD@W2": np.zeros(DAYS),
            }
        ),
        horizon=7,
        progress=lambda done, total: PROGRESS.append((done, total)),
    )
    return result.summary.set_index("unique_id"), result.path


def test_a_weekly_pattern_is_forecast_by_a_seasonal_model(forecasts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    # was {"ETS(A,N,A)", "SeasonalNaive"}: the frequent-demand candidates are now AutoETS over its whole model
    # space, the standard and the dynamic optimised theta methods, their average and the seasonal naive
    summary, path = forecasts
    weekly = summary.loc["WEEKLY@W1"]
    assert weekly["demand_class"] == "erratic"  # the sizes 5 and 60 vary a lot
    assert weekly["model"] in {"AutoETS", "Theta", "DynamicOptimizedTheta", COMBINATION, "SeasonalNaive"}
    assert 0 < weekly["backtest_mase"] < 1  # better than last week's demand repeated, over the history
    week = path[path["unique_id"] == "WEEKLY@W1"].set_index("ds")["yhat"]
    # the peak days of the pattern (the weekdays that had 60) are forecast far above the others
    assert week.nlargest(2).min() > 4 * week.nsmallest(5).max()


def test_rare_demand_is_forecast_by_an_intermittent_model(forecasts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    summary, _ = forecasts
    rare = summary.loc["RARE@W1"]
    assert rare["demand_class"] == "intermittent"
    assert rare["model"] in {"CrostonSBA", "TSB", "ADIDA", "IMAPA"}
    assert rare["demand_mean"] == pytest.approx(0.75, abs=0.1)  # one day in four sells 3
    assert rare["demand_std"] > 0


def test_series_too_short_to_fit_and_silent_series_get_no_model(forecasts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    summary, _ = forecasts
    fresh, dead = summary.loc["FRESH@W1"], summary.loc["DEAD@W2"]
    assert (fresh["demand_class"], fresh["model"], fresh["demand_mean"]) == ("new", "HistoricAverage", 3.0)
    assert fresh["demand_std"] == pytest.approx(np.std([2, 4, 3, 3]))
    assert np.isnan(fresh["backtest_mase"])
    assert (dead["demand_class"], dead["model"], dead["demand_mean"], dead["demand_std"]) == (
        "no_demand",
        "Zero",
        0.0,
        0.0,
    )


def test_the_path_covers_the_horizon_from_the_day_after_the_history(
    forecasts: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    summary, path = forecasts
    assert list(summary.reset_index().columns) == SUMMARY_COLUMNS
    assert list(path.columns) == PATH_COLUMNS
    assert path.groupby("unique_id")["ds"].agg(["min", "max", "count"]).to_dict("list") == {
        "min": [pd.Timestamp("2026-11-27")] * 4,
        "max": [pd.Timestamp("2026-12-03")] * 4,
        "count": [7] * 4,
    }
    assert (path["yhat"] >= 0).all()
    means = path.groupby("unique_id")["yhat"].mean()
    assert means.to_dict() == pytest.approx(summary["demand_mean"].to_dict())
    assert path.loc[path["unique_id"] == "DEAD@W2", "warehouse"].unique().tolist() == ["W2"]


def test_a_horizon_below_one_day_is_refused() -> None:
    with pytest.raises(InvalidInput, match="horizon"):
        forecast_demand(history({"A@W1": np.ones(10)}), horizon=0)


def test_an_empty_history_gives_empty_forecasts() -> None:
    empty = history({"A@W1": np.ones(3)}).iloc[0:0]
    result = forecast_demand(empty, horizon=7)
    assert result.summary.empty
    assert list(result.summary.columns) == SUMMARY_COLUMNS
    assert list(result.path.columns) == PATH_COLUMNS


def test_progress_counts_series_up_to_all_of_them(forecasts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    done = [d for d, _ in PROGRESS]
    assert PROGRESS[0] == (0, 4)
    assert PROGRESS[-1] == (4, 4)
    assert done == sorted(done)


def test_the_preferred_combination_keeps_a_series_unless_another_candidate_clearly_beats_it() -> None:
    # squared errors: the combination 4 on both series; "close" 3 on A (a quarter lower: chance, over a few
    # windows), 1 on B (three quarters lower: a clear win)
    backtest = pd.DataFrame(
        {"unique_id": ["A", "B"], "y": [0.0, 0.0], "combination": [2.0, 2.0], "other": [np.sqrt(3.0), 1.0]}
    )
    assert 1 - 3 / 4 < PREFERENCE_MARGIN < 1 - 1 / 4
    choice = choose_models(backtest, ["combination", "other"], preferred=0)
    assert choice["model_index"].to_dict() == {"A": 0, "B": 1}
    assert choose_models(backtest, ["combination", "other"])["model_index"].to_dict() == {"A": 1, "B": 1}


def _trending(days: int, seed: int = 5) -> np.ndarray:
    return 10 + 0.8 * np.arange(days) + np.random.default_rng(seed).normal(0, 1.5, days).round(1)


def test_a_trending_series_too_short_to_backtest_is_not_given_its_mean() -> None:
    young = _trending(30)  # a month: 28 days of training leave no room for one 21-day backtest window
    result = forecast_demand(history({"YOUNG@W1": young}), horizon=21)
    summary = result.summary.set_index("unique_id").loc["YOUNG@W1"]
    assert summary["demand_class"] != "new"
    assert summary["model"] == COMBINATION
    assert result.backtest.empty
    path = result.path["yhat"].to_numpy()
    assert path[0] > young[-7:].mean()  # it carries on where the series is, well above its history's mean 21.6
    assert path[-1] > path[0] + 10  # and keeps climbing (0.8 a day, damped or not)
    assert summary["demand_std"] == pytest.approx(1.5, rel=0.5)  # the model's own one-day error, not the spread


def test_a_trending_series_with_room_for_one_window_is_backtested_on_it() -> None:
    result = forecast_demand(history({"GROWING@W1": _trending(60)}), horizon=21)
    assert result.backtest["cutoff"].nunique() == 1
    assert result.backtest["step"].max() == 21
    summary = result.summary.iloc[0]
    assert summary["model"] != "HistoricAverage"
    assert summary["backtest_mase"] < 0.5  # one day's change (0.8) is the naive error; the trend models do far better
    assert result.path["yhat"].iloc[-1] > 10 + 0.8 * 70


def test_only_a_series_too_short_to_fit_any_model_is_new() -> None:
    result = forecast_demand(
        history({"NINE@W1": _trending(MIN_POINTS_TO_FIT - 1), "TEN@W1": _trending(MIN_POINTS_TO_FIT)}), horizon=7
    )
    classes = result.summary.set_index("unique_id")["demand_class"].to_dict()
    assert classes["NINE@W1"] == "new"
    assert classes["TEN@W1"] != "new"


def _monthly_frame(years: int) -> pd.DataFrame:
    """Two series of monthly sales with a strong yearly pattern (peaks in November and December) and a trend."""
    rng = np.random.default_rng(3)
    months = pd.date_range("2015-01-01", periods=12 * years, freq="MS")
    pattern = np.array([0.7, 0.7, 0.8, 0.9, 1.0, 1.0, 0.9, 0.9, 1.0, 1.1, 1.6, 2.0])
    frames = [
        pd.DataFrame(
            {
                "unique_id": uid,
                "ds": months,
                "y": (level + 2 * np.arange(len(months))) * np.tile(pattern, years) + rng.normal(0, 5, len(months)),
            }
        )
        for uid, level in (("A", 300.0), ("B", 500.0))
    ]
    return pd.concat(frames, ignore_index=True)


def test_a_monthly_series_uses_a_season_of_twelve() -> None:
    frame = _monthly_frame(6)
    result = evaluate_forecasts(frame, horizon=12)
    assert (result.frequency, result.season_length) == ("monthly", 12)
    assert result.overall.mase < result.benchmark.mase  # the season and the trend, not just last year again
    monthly = FREQUENCIES["monthly"]
    train = frame.assign(ds=frame.groupby("unique_id").cumcount())
    _, path, _ = forecast_series(train, 12, season_length=monthly.season_length, frequency=monthly, freq=1)
    year = path[path["unique_id"] == "A"]["yhat"].to_numpy()
    assert set(np.argsort(year)[-2:]) == {10, 11}  # November and December stay the peak months
    assert year[11] > 1.8 * year[0]


@pytest.fixture(scope="module")
def interval_paths() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    return forecast_demand(
        history(
            {
                "TREND@W1": _trending(DAYS),
                "STEADY@W1": rng.poisson(6, DAYS),
                "RARE@W1": np.where(rng.random(DAYS) < 0.15, rng.poisson(5, DAYS), 0),
                "YOUNG@W1": _trending(25),
                "FRESH@W1": np.array([2, 4, 3]),
            }
        ),
        horizon=28,
    ).path


def test_every_forecast_carries_a_90_percent_interval_around_it(interval_paths: pd.DataFrame) -> None:
    path = interval_paths
    assert [LO, HI] == ["yhat_lo_90", "yhat_hi_90"]
    assert path[[LO, HI]].notna().all().all()
    assert (path[LO] >= 0).all()
    assert (path[LO] <= path["yhat"]).all()
    assert (path["yhat"] <= path[HI]).all()
    width = (path[HI] - path[LO]).groupby(path["unique_id"]).min()
    assert (width > 0).all()  # every series, modelled or not, has some uncertainty


def test_a_modelled_interval_widens_with_the_step(interval_paths: pd.DataFrame) -> None:
    # week by week: within a week the models' own intervals follow the weekly pattern (the theta ones are simulated)
    for uid in ("TREND@W1", "STEADY@W1", "YOUNG@W1"):
        rows = interval_paths[interval_paths["unique_id"] == uid]
        weekly = (rows[HI] - rows[LO]).to_numpy().reshape(4, 7).mean(axis=1)
        assert np.all(np.diff(weekly) > 0), (uid, weekly)


def test_rare_demand_gets_its_interval_from_its_backtest_errors(interval_paths: pd.DataFrame) -> None:
    rare = interval_paths[interval_paths["unique_id"] == "RARE@W1"]
    assert (rare[LO] < 0.25 * rare["yhat"]).all()  # most days sell nothing: the lower bound is about zero
    assert (rare[HI] >= 2).all()  # a sale of about 5 one day in seven is within the 90% interval
    assert rare[HI].nunique() == 1  # a flat rate's error does not grow with the step
