"""`restock plan` forecasts where RESTOCK_PLAN_ENGINE says, and a Dask cluster gives the plan the local run gives.

The cluster is started by the test (in this process, one worker with two threads).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from restock.config import Settings
from restock.planning.demand_file import parse_demand_csv
from restock.services import catalog, demand, planning, terms
from restock.services.context import Context
from tests.builders import on_hand, standard_catalog

DAYS = 150


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address.replace("tcp://", "dask://")


def shop_with_history(ctx: Context) -> None:
    """MUG sells about 6 a day and growing, CUP about 3, BOWL one day in five; stock is low enough to reorder."""
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "5.00")
    catalog.add_sku(ctx, "BOWL", "Bowl", "20.00")
    for sku in ("MUG", "CUP", "BOWL"):
        terms.set_supplier_terms(ctx, "ACME", sku, unit_cost="2.00", pack_size=6)
        on_hand(ctx, sku, "W1", 10)
    rng = np.random.default_rng(2)
    today = ctx.clock.today()
    rows = ["sku,date,quantity,warehouse"]
    for day in range(DAYS):
        date = today - timedelta(days=DAYS - day)
        sales = {
            "MUG": rng.poisson(4 + day / 50),
            "CUP": rng.poisson(3),
            "BOWL": rng.poisson(2) * int(rng.random() < 0.2),
        }
        rows += [f"{sku},{date.isoformat()},{quantity},W1" for sku, quantity in sales.items() if quantity]
    demand.import_demand(ctx, parse_demand_csv("\n".join(rows) + "\n", today=today))


def test_the_plan_forecast_on_a_dask_cluster_equals_the_local_plan(ctx: Context, dask_scheduler: str) -> None:
    shop_with_history(ctx)
    local = planning.plan(ctx)
    settings = replace(ctx.settings, plan_engine=Settings.from_env({"RESTOCK_PLAN_ENGINE": dask_scheduler}).plan_engine)
    distributed = planning.plan(replace(ctx, settings=settings))
    assert local.suggestions, "the shop is meant to need stock: otherwise there is nothing to compare"

    def decisions(report: planning.PlanReport) -> list[tuple[Any, ...]]:
        return [(s.sku, s.supplier, s.quantity, s.stockout_date) for s in report.suggestions]

    def levels(report: planning.PlanReport) -> list[float]:
        return [level for s in report.suggestions for level in (s.safety_stock, s.reorder_point, s.order_up_to)]

    assert decisions(distributed) == decisions(local)
    assert levels(distributed) == pytest.approx(levels(local), abs=0.01)  # shown to the cent; float32 from fugue
    assert [(r.sku, r.stockout_date, r.projected) for r in distributed.radar] == [
        (r.sku, r.stockout_date, r.projected) for r in local.radar
    ]
