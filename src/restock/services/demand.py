"""Demand use cases: the daily demand history, the forecasts built on it, and importing old demand.

Reading the history is one read-only transaction of a few set-based queries; the forecast runs
outside any transaction (it takes CPU time, not database time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from restock.domain.errors import InvalidInput, NotFound
from restock.planning.demand import build_history
from restock.planning.demand_file import DemandRecord
from restock.planning.forecast import Forecasts, Progress, forecast_demand
from restock.services.context import Context, use_case
from restock.store import demand as store
from restock.store.schema import Channel, Sku, Warehouse

DEFAULT_HISTORY_DAYS = 730


@use_case(readonly=True)
def demand_history(session: Session, ctx: Context, *, today: date, days: int = DEFAULT_HISTORY_DAYS) -> pd.DataFrame:
    """Daily demand per SKU x warehouse over the `days` full days before `today`, censor-corrected.

    Columns: unique_id (SKU@WAREHOUSE), sku, warehouse, ds, y (demand: sales, or on an out-of-stock
    day the estimate of `restock.planning.demand`), sales (ordered and imported units), censored.
    A series starts on the first day its pair has a movement or demand in the window.
    """
    if days < 1:
        raise InvalidInput(f"the demand history needs at least one day, got {days}")
    start, end = today - timedelta(days=days), today - timedelta(days=1)
    demand = pd.concat(
        [store.order_demand(session, start, end), store.imported_demand(session, start, end)], ignore_index=True
    )
    demand["ds"] = pd.to_datetime(demand["ds"])
    changes = store.sellable_changes(session, start, end)
    changes["ds"] = pd.to_datetime(changes["ds"])
    pairs = _pairs(store.ledger_pairs(session, start), demand, changes)
    return build_history(demand, changes, pairs, start=start, end=end)


def _pairs(ledger: pd.DataFrame, demand: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """Every pair with a movement or demand, with its opening stock, first movement and first day."""
    first_demand = demand.groupby(["sku", "warehouse"], as_index=False)["ds"].min()
    first_change = changes.groupby(["sku", "warehouse"], as_index=False)["ds"].min()
    firsts = pd.concat([first_demand, first_change], ignore_index=True)
    first_day = firsts.groupby(["sku", "warehouse"], as_index=False)["ds"].min().rename(columns={"ds": "first_day"})
    pairs = ledger.merge(first_day, on=["sku", "warehouse"], how="outer")
    pairs["opening"] = pairs["opening"].astype(float).fillna(0.0)
    # a pair the ledger knew before the window has a series from the window's first day (build_history clips)
    pairs["first_day"] = pairs[["first_day", "first_movement"]].min(axis=1)
    return pairs


def demand_forecasts(
    ctx: Context, *, horizon: int, n_jobs: int = 1, progress: Progress | None = None, season_length: int = 7
) -> Forecasts:
    """Forecast the demand of every SKU x warehouse for `horizon` days from today."""
    history = demand_history(ctx, today=ctx.clock.today())
    return forecast_demand(history, horizon, season_length=season_length, n_jobs=n_jobs, progress=progress)


@dataclass(frozen=True)
class ImportSummary:
    rows: int
    skus: int
    first_day: date
    last_day: date
    units: int

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "skus": self.skus,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "units": self.units,
        }


@use_case()
def import_demand(session: Session, ctx: Context, records: Sequence[DemandRecord]) -> ImportSummary:
    """Store demand from another system, all rows or none; unknown codes are refused with their lines.

    A row's warehouse is its `warehouse`, else the first warehouse of its `channel`, else the only
    warehouse there is. Per SKU x warehouse, the days the file covers replace earlier imports of them.
    """
    if not records:
        raise InvalidInput("nothing to import")
    skus = store.ids_by_code(session, Sku)
    warehouses = store.ids_by_code(session, Warehouse)
    channels = store.ids_by_code(session, Channel)
    first_warehouse = store.first_warehouses(session)
    only = next(iter(warehouses.values())) if len(warehouses) == 1 else None
    rows, problems = [], []
    for record in records:
        try:
            rows.append(_resolve(record, skus, warehouses, channels, first_warehouse, only))
        except NotFound as missing:
            problems.append(f"line {record.line}: {missing}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise NotFound("demand file refused, nothing imported: " + "; ".join(problems[:5]) + more)
    store.replace_imported_demand(session, rows, ctx.clock.now())
    return ImportSummary(
        rows=len(rows),
        skus=len({r.sku for r in records}),
        first_day=min(r.day for r in records),
        last_day=max(r.day for r in records),
        units=sum(r.quantity for r in records),
    )


def _resolve(
    record: DemandRecord,
    skus: dict[str, int],
    warehouses: dict[str, int],
    channels: dict[str, int],
    first_warehouse: dict[int, int],
    only_warehouse: int | None,
) -> dict[str, Any]:
    if record.sku not in skus:
        raise NotFound(f"unknown SKU {record.sku!r}")
    channel_id = None
    if record.channel is not None:
        if record.channel not in channels:
            raise NotFound(f"unknown channel {record.channel!r}")
        channel_id = channels[record.channel]
    if record.warehouse is not None:
        if record.warehouse not in warehouses:
            raise NotFound(f"unknown warehouse {record.warehouse!r}")
        warehouse_id: int | None = warehouses[record.warehouse]
    elif channel_id is not None:
        warehouse_id = first_warehouse.get(channel_id)
    else:
        warehouse_id = only_warehouse
    if warehouse_id is None:
        raise NotFound("no warehouse: give a warehouse or a channel (there is more than one warehouse)")
    return {
        "sku_id": skus[record.sku],
        "warehouse_id": warehouse_id,
        "channel_id": channel_id,
        "day": record.day,
        "quantity": record.quantity,
    }
