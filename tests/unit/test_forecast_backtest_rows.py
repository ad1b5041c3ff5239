"""The backtest a forecast keeps is the chosen model's, window by window: what safety stock reads its error off."""

from __future__ import annotations

import numpy as np
import pandas as pd

from restock.planning.forecast import BACKTEST_COLUMNS, BACKTEST_WINDOWS, forecast_demand


def _history(days: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2026-01-01", periods=days)
    frames = [
        pd.DataFrame(
            {"unique_id": f"S{i}@W", "sku": f"S{i}", "warehouse": "W", "ds": ds, "y": rng.poisson(4 + i, days)}
        )
        for i in range(3)
    ]
    return pd.concat(frames, ignore_index=True).astype({"y": float})


def test_the_backtest_holds_every_window_of_every_modelled_series_with_the_actuals() -> None:
    history = _history(150, 3)
    forecasts = forecast_demand(history, 20)
    backtest = forecasts.backtest
    assert list(backtest.columns) == BACKTEST_COLUMNS
    step = int(backtest["step"].max())
    assert set(backtest["unique_id"]) == set(history["unique_id"])
    assert len(backtest) == 3 * BACKTEST_WINDOWS * step
    for uid, rows in backtest.groupby("unique_id"):
        actual = history[history["unique_id"] == uid].set_index("ds")["y"]
        days = rows["cutoff"] + pd.to_timedelta(rows["step"], unit="D")
        assert np.allclose(actual.reindex(days).to_numpy(), rows["y"].to_numpy())
        assert (rows["yhat"] >= 0).all()


def test_a_series_too_short_to_backtest_has_no_backtest_rows() -> None:
    history = _history(20, 4)
    assert forecast_demand(history, 20).backtest.empty
