"""Benchmark: the whole plan (forecasts, then suggestions and radar) against statsforecast alone.

Same series as bench/forecast.py (two years of seeded synthetic daily demand, the four demand classes
mixed like a real catalog's long tail), same models, same backtest. "Ours" runs everything the plan
does after reading the database: `forecast_demand` (classification, backtest, model choice per series,
paths), then the engine (safety stock, reorder points, supplier choice among two suppliers per SKU,
quantities, the day-by-day projection and the radar) and the report objects the CLI and API print.
"statsforecast alone" is the least statsforecast work for the same forecasts (bench/forecast.py's
baseline). The ratio is what planning adds around the forecast; the target is at most 1.3.

Not timed: reading the database (the demand-history queries and the plan's inputs, one set-based
query each) - synthetic frames stand in for them, built before the clock starts.

Each side runs in a fresh process so its peak memory (resident set of the process and of its
statsforecast workers) is its own; the sides take turns for `--rounds` rounds, medians are reported.

    .venv/bin/python bench/plan.py --skus 10000 [--days 730] [--n-jobs 2] [--rounds 1]
    .venv/bin/python bench/plan.py --skus 50000 --n-jobs 1 --side-by-side   # both sides at once, a core each
    .venv/bin/python bench/plan.py --skus 50000 --engine-only     # the planning around the forecast alone
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from forecast import _cpu_seconds, run_statsforecast_alone, synthetic_history

from restock.config import Settings, utc_now
from restock.planning.engine import CANDIDATE_COLUMNS, INBOUND_COLUMNS, PlanInputs

TODAY = date(2026, 11, 27)
SUPPLIERS = (("ACME", 14, 1.0), ("FAST", 5, 1.25))
"""Two suppliers for every SKU: code, lead time (days), cost factor."""


def plan_inputs(history: pd.DataFrame, seed: int) -> PlanInputs:
    """Stock, settings, terms and open POs for every SKU of the history, vectorised and seeded."""
    rng = np.random.default_rng(seed + 1)
    skus = history["sku"].unique()
    n = len(skus)
    mean = history.groupby("sku", sort=False)["y"].mean().reindex(skus).to_numpy()
    on_hand = rng.poisson(mean * rng.uniform(0, 40, n))
    stock = pd.DataFrame(
        {
            "sku": skus,
            "warehouse": "W1",
            "on_hand": on_hand,
            "allocated": np.minimum(on_hand, rng.poisson(mean)),
            "backorders": rng.poisson(0.2, n),
        }
    )
    settings = pd.DataFrame(
        {
            "sku": skus,
            "price": rng.uniform(2, 200, n).round(2),
            "review_days": 7,
            "policy": np.where(rng.random(n) < 0.2, "eoq", "order_up_to"),
            "order_cost": 25.0,
            "holding_rate": 0.25,
            "service_level": np.nan,
        }
    )
    cost = rng.uniform(1, 100, n)
    candidates = pd.concat(
        [
            pd.DataFrame(
                {
                    "sku": skus,
                    "supplier": code,
                    "lead_time_mean": float(lead),
                    "lead_time_std": rng.uniform(0, 3, n),
                    "lead_time_p90": lead + rng.integers(0, 5, n),
                    "moq": rng.choice([1, 10, 50], n),
                    "pack_size": rng.choice([1, 6, 12], n),
                    "unit_cost": (cost * factor).round(2),
                    "on_time_rate": rng.uniform(0.6, 1.0, n),
                    "fill_rate": rng.uniform(0.8, 1.0, n),
                }
            )
            for code, lead, factor in SUPPLIERS
        ],
        ignore_index=True,
    )[CANDIDATE_COLUMNS]
    coming = rng.random(n) < 0.3
    eta = pd.Timestamp(TODAY) + pd.to_timedelta(rng.integers(-3, 20, coming.sum()), unit="D")
    inbound = pd.DataFrame(
        {
            "sku": skus[coming],
            "warehouse": "W1",
            "po_id": np.arange(coming.sum()),
            "supplier": "ACME",
            "status": "confirmed",
            "eta": eta,
            "open_qty": rng.integers(1, 200, coming.sum()),
            "confirmed": True,
            "first_confirmed_eta": eta - pd.to_timedelta(rng.integers(0, 4, coming.sum()), unit="D"),
            "expected": eta,  # a confirmed ETA is the expected arrival (restock.planning.inbound)
        }
    )[INBOUND_COLUMNS]
    recent = pd.DataFrame({"sku": skus, "warehouse": "W1", "recent_mean": mean * rng.uniform(0.5, 2.5, n)})
    return PlanInputs(TODAY, stock, settings, candidates, inbound, recent)


def run_ours(history: pd.DataFrame, inputs: PlanInputs, n_jobs: int) -> tuple[float, int, int]:
    from restock.planning.engine import build_plan
    from restock.planning.forecast import forecast_demand
    from restock.services.planning import plan_horizon, report_of

    started = time.perf_counter()
    horizon = plan_horizon(inputs)
    forecasts = forecast_demand(history, horizon, n_jobs=n_jobs)
    report = report_of(inputs, horizon, build_plan(inputs, forecasts, Settings()), utc_now())
    return time.perf_counter() - started, len(report.suggestions), len(report.radar)


def engine_only(args: argparse.Namespace) -> None:
    """Time the planning around the forecast alone, on flat forecasts made from each series' mean."""
    from restock.planning.engine import build_plan
    from restock.services.planning import plan_horizon, report_of

    history = synthetic_history(args.skus, args.days, args.seed)
    inputs = plan_inputs(history, args.seed)
    horizon = plan_horizon(inputs)
    stats = history.groupby(["unique_id", "sku", "warehouse"], as_index=False)["y"].agg(["mean", "std"])
    summary = stats.rename(columns={"mean": "demand_mean", "std": "demand_std"})
    days = pd.date_range(pd.Timestamp(TODAY) + pd.Timedelta(days=1), periods=horizon, freq="D")
    path = summary[["unique_id", "sku", "warehouse", "demand_mean"]].merge(pd.DataFrame({"ds": days}), how="cross")
    forecasts = FlatForecasts(summary, path.rename(columns={"demand_mean": "yhat"}))
    started = time.perf_counter()
    report = report_of(inputs, horizon, build_plan(inputs, forecasts, Settings()), utc_now())
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"engine alone: {args.skus} SKUs, horizon {horizon} days: {seconds:.2f} s "
        f"({len(report.suggestions)} suggestions, {len(report.radar)} at risk), peak {peak:.0f} MiB"
    )


@dataclass(frozen=True)
class FlatForecasts:
    summary: pd.DataFrame
    path: pd.DataFrame


def side(name: str, args: argparse.Namespace) -> None:
    """One side in this (fresh) process: print its seconds and peak memory as JSON."""
    history = synthetic_history(args.skus, args.days, args.seed)
    inputs = plan_inputs(history, args.seed)
    from restock.services.planning import plan_horizon

    extra: dict[str, float] = {}
    cpu_before = _cpu_seconds()
    if name == "ours":
        seconds, suggestions, at_risk = run_ours(history, inputs, args.n_jobs)
        extra = {"suggestions": suggestions, "at_risk": at_risk}
    else:
        seconds = run_statsforecast_alone(history, plan_horizon(inputs), args.n_jobs)
    extra["cpu_seconds"] = _cpu_seconds() - cpu_before
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mib": own / 1024, "worker_peak_mib": workers / 1024, **extra}))


def side_command(name: str, args: argparse.Namespace) -> list[str]:
    command = [sys.executable, __file__, "--side", name]
    for option in ("skus", "days", "n_jobs", "seed"):
        command += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    return command


def measure(name: str, args: argparse.Namespace) -> dict[str, float]:
    result = subprocess.run(side_command(name, args), capture_output=True, text=True, check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def measure_side_by_side(args: argparse.Namespace) -> tuple[dict[str, float], dict[str, float]]:
    """Both sides at once, one core each (use --n-jobs 1): the same machine conditions for both, in half the
    time of taking turns, which is what makes the 50,000-SKU run fit in an hour on 2 cores."""
    running = {
        name: subprocess.Popen(side_command(name, args), stdout=subprocess.PIPE, text=True)
        for name in ("statsforecast", "ours")
    }
    results = {}
    for name, process in running.items():
        out, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"{name} side failed with {process.returncode}")
        results[name] = dict(json.loads(out.strip().splitlines()[-1]))
    return results["statsforecast"], results["ours"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--side", choices=["ours", "statsforecast"], help=argparse.SUPPRESS)
    parser.add_argument("--engine-only", action="store_true", help="time only the planning around the forecast")
    parser.add_argument("--side-by-side", action="store_true", help="run both sides at once, one core each")
    args = parser.parse_args()
    if args.engine_only:
        engine_only(args)
        return
    if args.side:
        side(args.side, args)
        return
    print(f"plan: {args.skus} SKUs x {args.days} days of history, n_jobs {args.n_jobs}", flush=True)
    ours, alone = [], []
    for round_ in range(1, args.rounds + 1):
        if args.side_by_side:
            both = measure_side_by_side(args)
            alone.append(both[0])
            ours.append(both[1])
        else:
            alone.append(measure("statsforecast", args))
            ours.append(measure("ours", args))
        print(
            f"round {round_}: statsforecast alone {alone[-1]['seconds']:.1f} s, whole plan "
            f"{ours[-1]['seconds']:.1f} s ({ours[-1]['suggestions']:.0f} suggestions, "
            f"{ours[-1]['at_risk']:.0f} at risk)",
            flush=True,
        )
    ours_s = statistics.median(r["seconds"] for r in ours)
    alone_s = statistics.median(r["seconds"] for r in alone)
    print(
        f"statsforecast alone: {alone_s:.1f} s, peak {max(r['peak_mib'] for r in alone):.0f} MiB "
        f"(workers {max(r['worker_peak_mib'] for r in alone):.0f} MiB)"
    )
    print(
        f"whole plan:          {ours_s:.1f} s, peak {max(r['peak_mib'] for r in ours):.0f} MiB "
        f"(workers {max(r['worker_peak_mib'] for r in ours):.0f} MiB)"
    )
    ours_cpu = statistics.median(r["cpu_seconds"] for r in ours)
    alone_cpu = statistics.median(r["cpu_seconds"] for r in alone)
    print(f"ratio: {ours_s / alone_s:.3f} wall time, {ours_cpu / alone_cpu:.3f} CPU time (target: at most 1.3)")


if __name__ == "__main__":
    main()
