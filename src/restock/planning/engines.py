"""Where the forecasting step runs: on this machine, or on a Dask or Ray cluster (RESTOCK_PLAN_ENGINE).

The cluster runs statsforecast's own distributed backend (fugue): the same `cross_validation` and `forecast`
calls with the same models, given a cluster data frame instead of a pandas one, so the numbers are the local
run's (fugue returns the forecasts as 32-bit floats: equal to the local ones within float32 precision). The
rest of the forecast (classes, the choice per series, paths, intervals) stays local: it is vectorised and
costs a few percent of the model fits.

The address is parsed (and refused when malformed) with the settings, at start-up (restock.config).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from restock.config import LOCAL, EngineAddress

if TYPE_CHECKING:
    import pandas as pd


class ForecastEngine(Protocol):
    """Runs statsforecast's two calls on series given as unique_id, ds, y; returns pandas frames sorted by
    series (and cutoff) and date, model columns as float64. The backtest's windows are `h` apart; `refit`
    False fits once at the first origin and carries the models forward; `input_size` caps the training."""

    def session(self) -> AbstractContextManager[object]:
        """Held open around all the calls of one forecast (a cluster connection)."""
        ...

    def cross_validation(
        self,
        models: list[Any],
        freq: str | int,
        frame: pd.DataFrame,
        *,
        h: int,
        n_windows: int,
        refit: bool = True,
        input_size: int | None = None,
    ) -> pd.DataFrame: ...

    def forecast(
        self, models: list[Any], freq: str | int, frame: pd.DataFrame, *, h: int, level: list[int] | None
    ) -> pd.DataFrame: ...


def _statsforecast(models: list[Any], freq: str | int, n_jobs: int = 1) -> Any:
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    return StatsForecast(models=models, freq=freq, n_jobs=n_jobs, fallback_model=Naive())


@dataclass(frozen=True)
class LocalEngine:
    """statsforecast on this machine, with `n_jobs` processes."""

    n_jobs: int = 1

    def session(self) -> AbstractContextManager[object]:
        return nullcontext()

    def cross_validation(
        self,
        models: list[Any],
        freq: str | int,
        frame: pd.DataFrame,
        *,
        h: int,
        n_windows: int,
        refit: bool = True,
        input_size: int | None = None,
    ) -> pd.DataFrame:
        engine = _statsforecast(models, freq, self.n_jobs)
        result: pd.DataFrame = engine.cross_validation(
            h=h, df=frame, n_windows=n_windows, step_size=h, refit=refit, input_size=input_size
        )
        return result

    def forecast(
        self, models: list[Any], freq: str | int, frame: pd.DataFrame, *, h: int, level: list[int] | None
    ) -> pd.DataFrame:
        result: pd.DataFrame = _statsforecast(models, freq, self.n_jobs).forecast(h=h, df=frame, level=level)
        return result


@dataclass(frozen=True)
class ClusterEngine:
    """statsforecast's fugue backend on a Dask or Ray cluster: the frame is handed over as the cluster's own
    data frame, which is what makes statsforecast distribute the fits (one partition per series group)."""

    address: EngineAddress

    @contextmanager
    def session(self) -> Iterator[object]:
        if self.address.scheme == "dask":
            distributed = _cluster_module("distributed", self.address)
            with distributed.Client(self.address.url.removeprefix("dask://"), set_as_default=True) as client:
                yield client
        else:
            ray = _cluster_module("ray", self.address)
            ray.init(address=self.address.url, ignore_reinit_error=True)
            try:
                yield ray
            finally:
                ray.shutdown()

    def cross_validation(
        self,
        models: list[Any],
        freq: str | int,
        frame: pd.DataFrame,
        *,
        h: int,
        n_windows: int,
        refit: bool = True,
        input_size: int | None = None,
    ) -> pd.DataFrame:
        engine = _statsforecast(models, freq)
        result = engine.cross_validation(
            h=h, df=self._distributed(frame), n_windows=n_windows, step_size=h, refit=refit, input_size=input_size
        )
        return _local(result, frame, ["unique_id", "cutoff", "ds"])

    def forecast(
        self, models: list[Any], freq: str | int, frame: pd.DataFrame, *, h: int, level: list[int] | None
    ) -> pd.DataFrame:
        result = _statsforecast(models, freq).forecast(h=h, df=self._distributed(frame), level=level)
        return _local(result, frame, ["unique_id", "ds"])

    def _distributed(self, frame: pd.DataFrame) -> Any:
        if self.address.scheme == "dask":
            workers = sum(_cluster_module("distributed", self.address).get_client().nthreads().values())
            partitions = max(1, min(int(frame["unique_id"].nunique()), 2 * workers))
            return _cluster_module("dask.dataframe", self.address).from_pandas(frame, npartitions=partitions)
        return _cluster_module("ray.data", self.address).from_pandas(frame)


def _cluster_module(name: str, address: EngineAddress) -> Any:
    """A module the cluster needs, imported when the forecast runs; a clear error if it has gone since start-up."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise RuntimeError(f"RESTOCK_PLAN_ENGINE={address.url} needs the Python package {name!r}") from None


def _local(result: Any, frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """A cluster's result as the local run returns it: pandas, sorted, the same key types, float64 models."""

    local: pd.DataFrame = result.compute() if hasattr(result, "compute") else result.to_pandas()
    local = local.sort_values(order, kind="stable", ignore_index=True)
    local["unique_id"] = local["unique_id"].astype(frame["unique_id"].dtype)
    for column in ("ds", "cutoff"):
        if column in local.columns:
            local[column] = local[column].astype(frame["ds"].dtype)
    models = [c for c in local.columns if c not in ("unique_id", "ds", "cutoff")]
    return local.astype(dict.fromkeys(models, "float64"))


def forecast_engine(address: EngineAddress, n_jobs: int = 1) -> ForecastEngine:
    """The engine the settings name: statsforecast on this machine (with `n_jobs` processes) or on the cluster."""
    return LocalEngine(n_jobs) if address.scheme == LOCAL else ClusterEngine(address)
