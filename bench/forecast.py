"""Benchmark: `forecast_demand` against statsforecast alone, same models, same backtest, same series.

The series are synthetic and seeded: two years of daily demand for N SKU x warehouse pairs, a mix of
the four demand classes (20% smooth, 15% erratic, 35% intermittent, 30% lumpy, the long tail a real
catalog has). The baseline is the least statsforecast work for the same answer: for each group of demand
classes sharing candidates (frequent, rare), one `cross_validation` per number of backtest windows and one
`forecast` (with the prediction intervals the models have) of that group's candidates over its series (the
class and windows of each series are handed to it, not timed). Ours adds classification, the choice of a
model per series, the combination, the intervals, the backtest errors and the long path frame: the ratio is
that overhead.

Each side runs in a fresh process, so its peak memory (resident set, the process and its statsforecast
workers) is its own. The sides take turns for `--rounds` rounds; the medians are reported.

    .venv/bin/python bench/forecast.py --series 10000 [--days 730] [--horizon 21] [--n-jobs 2] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

MIX = {"smooth": 0.20, "erratic": 0.15, "intermittent": 0.35, "lumpy": 0.30}


def synthetic_history(series: int, days: int, seed: int) -> pd.DataFrame:
    """Daily demand of `series` pairs over `days` days, classes mixed by MIX, vectorised (no loop per series)."""
    rng = np.random.default_rng(seed)
    kinds = rng.choice(list(MIX), size=series, p=list(MIX.values()))
    level = rng.gamma(2.0, 5.0, size=(series, 1)) + 1
    weekly = 1 + 0.4 * np.sin(2 * np.pi * np.arange(days) / 7)[None, :] * (rng.random((series, 1)) < 0.5)
    shape = (series, days)
    smooth = rng.poisson(level * weekly)
    erratic = rng.poisson(level * weekly * rng.choice([0.2, 1.0, 4.0], size=shape))
    occurs = rng.random(shape) < rng.uniform(0.05, 0.5, size=(series, 1))
    intermittent = occurs * rng.poisson(3, size=shape)
    lumpy = occurs * rng.poisson(level * rng.choice([0.2, 4.0], size=shape))
    y = np.select(
        [kinds[:, None] == "smooth", kinds[:, None] == "erratic", kinds[:, None] == "intermittent"],
        [smooth, erratic, intermittent],
        default=lumpy,
    ).astype(float)
    skus = np.array([f"SKU{i:06d}" for i in range(series)], dtype=object)
    ds = pd.date_range(end="2026-11-26", periods=days, freq="D")
    return pd.DataFrame(
        {
            "unique_id": np.repeat(skus + "@W1", days),
            "sku": np.repeat(skus, days),
            "warehouse": "W1",
            "ds": np.tile(ds.to_numpy(), series),
            "y": y.ravel(),
        }
    )


INSIDE_STATSFORECAST = [0.0]
"""Seconds ours spent inside statsforecast's cross_validation and forecast: the rest is our overhead."""


def _timed(method: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            INSIDE_STATSFORECAST[0] += time.perf_counter() - started

    return run


def run_ours(history: pd.DataFrame, horizon: int, n_jobs: int) -> float:
    from statsforecast import StatsForecast

    from restock.planning.forecast import forecast_demand

    StatsForecast.cross_validation = _timed(StatsForecast.cross_validation)  # type: ignore[method-assign]
    StatsForecast.forecast = _timed(StatsForecast.forecast)  # type: ignore[method-assign]
    started = time.perf_counter()
    forecast_demand(history, horizon, n_jobs=n_jobs)
    return time.perf_counter() - started


def run_statsforecast_alone(history: pd.DataFrame, horizon: int, n_jobs: int) -> float:
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    from restock.planning.classify import classify
    from restock.planning.forecast import (
        BACKTEST_WINDOWS,
        GROUPS,
        MIN_POINTS_TO_FIT,
        BacktestPlan,
        Group,
        candidate_models,
        has_native_intervals,
    )
    from restock.planning.intervals import LEVEL

    plan = BacktestPlan(horizon, 7)
    frame = history[["unique_id", "ds", "y"]]
    classes = classify(frame, min_length=MIN_POINTS_TO_FIT)  # handed to the baseline, not timed
    classes["group"] = classes["demand_class"].map(GROUPS)
    classes["windows"] = plan.windows(classes["n"]).to_numpy()
    calls = []  # (group, windows or 0 for the forecast, series)
    for group in Group:
        members = classes[classes["group"] == group]
        calls.append((group, 0, frame[frame["unique_id"].isin(members["unique_id"])]))
        for count in range(1, BACKTEST_WINDOWS + 1):
            ids = members.loc[members["windows"] == count, "unique_id"]
            calls.append((group, count, frame[frame["unique_id"].isin(ids)]))
    started = time.perf_counter()
    for group, count, subset in calls:
        if subset.empty:
            continue
        engine = StatsForecast(models=candidate_models(group, 7), freq="D", n_jobs=n_jobs, fallback_model=Naive())
        if count:
            engine.cross_validation(h=plan.step, df=subset, n_windows=count, step_size=plan.step)
        else:
            engine.forecast(h=horizon, df=subset, level=[LEVEL] if has_native_intervals(group) else None)
    return time.perf_counter() - started


def side(name: str, args: argparse.Namespace) -> None:
    """One side in this (fresh) process: print its seconds and peak memory as JSON."""
    history = synthetic_history(args.series, args.days, args.seed)
    run = run_ours if name == "ours" else run_statsforecast_alone
    cpu_before = _cpu_seconds()
    seconds = run(history, args.horizon, args.n_jobs)
    cpu = _cpu_seconds() - cpu_before
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures = {"seconds": seconds, "cpu_seconds": cpu, "peak_mib": own / 1024, "worker_peak_mib": workers / 1024}
    print(json.dumps({**figures, "outside_statsforecast": seconds - INSIDE_STATSFORECAST[0]}))


def _cpu_seconds() -> float:
    """CPU time of this process and its finished statsforecast workers: steadier than wall time on a
    shared machine, where other jobs stretch the wall clock of both sides unevenly."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def measure(name: str, args: argparse.Namespace) -> dict[str, float]:
    command = [sys.executable, __file__, "--side", name]
    for option in ("series", "days", "horizon", "n_jobs", "seed"):
        command += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--horizon", type=int, default=21, help="lead time + review period, days")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--side", choices=["ours", "statsforecast"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--ours-only",
        action="store_true",
        help="skip the baseline: our time inside and outside statsforecast's calls, and peak memory",
    )
    args = parser.parse_args()
    if args.side:
        side(args.side, args)
        return
    print(f"{args.series} series x {args.days} days, horizon {args.horizon}, n_jobs {args.n_jobs}", flush=True)
    if args.ours_only:
        figures = measure("ours", args)
        outside = figures["outside_statsforecast"]
        print(
            f"forecast_demand: {figures['seconds']:.1f} s, {figures['cpu_seconds']:.1f} CPU s, peak "
            f"{figures['peak_mib']:.0f} MiB (workers {figures['worker_peak_mib']:.0f} MiB); outside statsforecast "
            f"calls {outside:.1f} s ({outside / figures['seconds']:.1%})"
        )
        return
    ours, alone = [], []
    for round_ in range(1, args.rounds + 1):
        alone.append(measure("statsforecast", args))
        ours.append(measure("ours", args))
        print(
            f"round {round_}: statsforecast alone {alone[-1]['seconds']:.1f} s, forecast_demand "
            f"{ours[-1]['seconds']:.1f} s",
            flush=True,
        )
    ours_s = statistics.median(r["seconds"] for r in ours)
    alone_s = statistics.median(r["seconds"] for r in alone)
    ours_cpu = statistics.median(r["cpu_seconds"] for r in ours)
    alone_cpu = statistics.median(r["cpu_seconds"] for r in alone)
    outside = statistics.median(r["outside_statsforecast"] for r in ours)
    print(
        f"statsforecast alone: {alone_s:.1f} s, peak {max(r['peak_mib'] for r in alone):.0f} MiB "
        f"(workers {max(r['worker_peak_mib'] for r in alone):.0f} MiB)"
    )
    print(
        f"forecast_demand:     {ours_s:.1f} s, peak {max(r['peak_mib'] for r in ours):.0f} MiB "
        f"(workers {max(r['worker_peak_mib'] for r in ours):.0f} MiB)"
    )
    print(f"forecast_demand outside statsforecast calls: {outside:.1f} s ({outside / ours_s:.1%} of its time)")
    print(f"CPU seconds (process + workers): statsforecast alone {alone_cpu:.1f}, forecast_demand {ours_cpu:.1f}")
    print(f"ratio, wall time: {ours_s / alone_s:.3f}; CPU time: {ours_cpu / alone_cpu:.3f} (target: at most 1.3)")


if __name__ == "__main__":
    main()
