"""The forecasting step runs where RESTOCK_PLAN_ENGINE says, with the same results as on this machine.

The distributed run goes through statsforecast's own fugue backend on a Dask cluster that the test starts
(in this process, two worker threads), so nothing outside the test is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from restock.config import EngineAddress, Settings, parse_engine
from restock.planning.engines import ClusterEngine, LocalEngine, forecast_engine
from restock.planning.forecast import Forecasts, forecast_demand

FLOAT32 = 1e-5
"""fugue hands the cluster's forecasts back as 32-bit floats: equal to the local ones to about 6 digits."""


def test_the_forecast_runs_here_unless_a_cluster_is_named() -> None:
    assert Settings.from_env({}).plan_engine == EngineAddress()
    assert Settings.from_env({"RESTOCK_PLAN_ENGINE": "local"}).plan_engine.url == "local"
    assert isinstance(forecast_engine(EngineAddress(), n_jobs=2), LocalEngine)


def test_a_dask_address_is_read_from_the_setting() -> None:
    address = Settings.from_env({"RESTOCK_PLAN_ENGINE": "dask://scheduler.lan:8786"}).plan_engine
    assert (address.scheme, address.host, address.port, address.url) == (
        "dask",
        "scheduler.lan",
        8786,
        "dask://scheduler.lan:8786",
    )
    assert isinstance(forecast_engine(address), ClusterEngine)


@pytest.mark.parametrize(
    "raw",
    [
        "dask://",
        "dask://host",
        "dask://host:port",
        "dask://host:99999",
        "spark://host:7077",
        "host:8786",
        "dask://h:1/x",
    ],
)
def test_a_malformed_engine_address_is_refused_at_start_up(raw: str) -> None:
    with pytest.raises(ValueError, match=r"RESTOCK_PLAN_ENGINE must be 'local', dask://HOST:PORT or ray://HOST:PORT"):
        Settings.from_env({"RESTOCK_PLAN_ENGINE": raw})


def test_a_cluster_whose_package_is_not_installed_is_refused_naming_the_package() -> None:
    pytest.importorskip("distributed")
    try:
        import ray  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match=r"RESTOCK_PLAN_ENGINE=ray://head:10001 needs the Python package 'ray'"):
            parse_engine("ray://head:10001")
    else:  # pragma: no cover - ray is not installed on the development machines
        assert parse_engine("ray://head:10001").scheme == "ray"


def _history() -> pd.DataFrame:
    """Daily demand: a trending weekly pattern, steady and spiky demand, a rare seller, a series too short for a
    backtest window and a new SKU, so every kind of forecast (and both groups of models) is used."""
    rng = np.random.default_rng(11)
    days = 400
    t = np.arange(days)
    series = {
        "TREND": 20 + 0.05 * t + 6 * (t % 7 == 5) + rng.normal(0, 2, days).round(),
        "STEADY": rng.poisson(8, days),
        "SPIKY": rng.poisson(6 * rng.choice([0.2, 1.0, 4.0], days)),
        "RARE": np.where(rng.random(days) < 0.1, rng.poisson(4, days), 0),
        "YOUNG": rng.poisson(5, 40),
        "FRESH": np.array([1, 3, 2]),
    }
    frames = []
    for sku, y in series.items():
        ds = pd.date_range(end="2026-11-26", periods=len(y))
        frames.append(pd.DataFrame({"unique_id": f"{sku}@W1", "sku": sku, "warehouse": "W1", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True).astype({"y": float})


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster


def _equal(distributed: pd.DataFrame, local: pd.DataFrame) -> None:
    assert list(distributed.columns) == list(local.columns)
    numbers = [c for c in local.columns if pd.api.types.is_float_dtype(local[c])]
    others = [c for c in local.columns if c not in numbers]
    pd.testing.assert_frame_equal(distributed[others], local[others], check_dtype=False)
    assert np.allclose(distributed[numbers], local[numbers], rtol=FLOAT32, atol=FLOAT32, equal_nan=True)


def test_the_distributed_forecast_equals_the_local_one(dask_cluster: Any) -> None:
    history = _history()
    local: Forecasts = forecast_demand(history, 21)
    host, port = dask_cluster.scheduler_address.removeprefix("tcp://").rsplit(":", 1)
    address = Settings.from_env({"RESTOCK_PLAN_ENGINE": f"dask://{host}:{port}"}).plan_engine
    before = dask_cluster.scheduler.transition_counter
    distributed = forecast_demand(history, 21, engine=forecast_engine(address))
    assert dask_cluster.scheduler.transition_counter > before, "the cluster ran nothing: the forecast did not use it"
    assert set(local.summary["demand_class"]) == {"smooth", "erratic", "intermittent", "new"}
    _equal(distributed.summary, local.summary)
    _equal(distributed.path, local.path)
    _equal(distributed.backtest, local.backtest)
    assert not local.backtest.empty
