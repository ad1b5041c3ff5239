"""Model choice by backtest: each series gets the candidate of its class that forecast its own past best."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from restock.domain.errors import InvalidInput
from restock.planning.forecast import PATH_COLUMNS, SUMMARY_COLUMNS, choose_models, forecast_demand

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
    summary, path = forecasts
    weekly = summary.loc["WEEKLY@W1"]
    assert weekly["demand_class"] == "erratic"  # the sizes 5 and 60 vary a lot
    assert weekly["model"] in {"ETS(A,N,A)", "SeasonalNaive"}
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


def test_short_and_silent_series_get_no_model(forecasts: tuple[pd.DataFrame, pd.DataFrame]) -> None:
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
