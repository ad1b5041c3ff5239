"""Periodic jobs the worker runs: adding one is one entry in `PERIODIC_JOBS`.

Each job is a use case taking only the context. Every worker looks at the list on each round; a guarded
UPDATE of `job_runs` lets exactly one of them run a job per period, whatever the number of workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from restock.services import outbox, subscriptions, updates
from restock.services.context import Context, purge_commit_receipts


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    run: Callable[[Context], object]


def run_daily_plan(ctx: Context) -> object:
    """Imported when it runs: the planning stack (pandas, statsforecast) stays out of every worker's start-up."""
    from restock.services import planning

    return planning.daily_plan(ctx)


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("daily_plan", timedelta(days=1), run_daily_plan),
    PeriodicJob("still_waiting_updates", timedelta(hours=1), updates.send_still_waiting_updates),
    PeriodicJob("next_restock_alerts", timedelta(minutes=15), subscriptions.queue_next_alert_batches),
    PeriodicJob("purge_delivered_outbox", timedelta(days=1), outbox.purge_delivered),
    PeriodicJob("purge_commit_receipts", timedelta(days=1), purge_commit_receipts),
)
