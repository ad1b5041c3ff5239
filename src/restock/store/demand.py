"""The reads behind the demand history: set-based aggregates, one query each, whatever the catalog size.

Demand of an order line counts on the day it was placed, in the warehouse that serves it: where its
part was allocated, else the warehouse of the PO its backorder is pegged to, else the first warehouse
of its channel. Cancelled lines (released parts) do not count: re-pegging a backorder releases its
old part and adds a new one, so counting released parts would count the same units twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Date, bindparam, case, cast, delete, func, insert, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from restock.domain.lines import PartKind
from restock.store.schema import (
    Channel,
    ChannelWarehouse,
    ImportedDemand,
    LinePart,
    Movement,
    POLine,
    PurchaseOrder,
    Sku,
    Warehouse,
    table,
)

DEMAND_KINDS = (PartKind.ALLOCATED, PartKind.BACKORDERED, PartKind.SHIPPED)


def _day(session: Session, moment: Any) -> ColumnElement[Any]:
    """The calendar day of a stored timestamp: `date()` on SQLite (a text), a cast on PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(moment, Date)
    return func.date(moment)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)


def order_demand(session: Session, start: date, end: date) -> pd.DataFrame:
    """Units ordered per SKU x warehouse x placement day, `start`..`end`: sku, warehouse, ds, quantity."""
    first_rank = (
        select(ChannelWarehouse.channel_id, func.min(ChannelWarehouse.rank).label("rank"))
        .group_by(ChannelWarehouse.channel_id)
        .subquery()
    )
    first_serving = (
        select(ChannelWarehouse.channel_id, ChannelWarehouse.warehouse_id)
        .join(
            first_rank,
            (first_rank.c.channel_id == ChannelWarehouse.channel_id) & (first_rank.c.rank == ChannelWarehouse.rank),
        )
        .subquery()
    )
    warehouse_id = func.coalesce(LinePart.warehouse_id, PurchaseOrder.warehouse_id, first_serving.c.warehouse_id)
    serving = aliased(Warehouse)
    day = _day(session, LinePart.placed_at).label("ds")
    since, until = _bounds(start, end)
    rows = session.execute(
        select(Sku.code, serving.code, day, func.sum(LinePart.quantity))
        .select_from(LinePart)
        .join(Sku, Sku.id == LinePart.sku_id)
        .outerjoin(POLine, POLine.id == LinePart.po_line_id)
        .outerjoin(PurchaseOrder, PurchaseOrder.id == POLine.po_id)
        .outerjoin(first_serving, first_serving.c.channel_id == LinePart.channel_id)
        .join(serving, serving.id == warehouse_id)
        .where(LinePart.kind.in_(DEMAND_KINDS), LinePart.placed_at >= since, LinePart.placed_at < until)
        .group_by(Sku.code, serving.code, day)
    ).all()
    return _frame(rows, ["sku", "warehouse", "ds", "quantity"])


def imported_demand(session: Session, start: date, end: date) -> pd.DataFrame:
    """Imported units per SKU x warehouse x day, `start`..`end`: sku, warehouse, ds, quantity."""
    rows = session.execute(
        select(Sku.code, Warehouse.code, ImportedDemand.day, func.sum(ImportedDemand.quantity))
        .join(Sku, Sku.id == ImportedDemand.sku_id)
        .join(Warehouse, Warehouse.id == ImportedDemand.warehouse_id)
        .where(ImportedDemand.day >= start, ImportedDemand.day <= end)
        .group_by(Sku.code, Warehouse.code, ImportedDemand.day)
    ).all()
    return _frame(rows, ["sku", "warehouse", "ds", "quantity"])


_SELLABLE_DELTA = Movement.on_hand_delta - Movement.allocated_delta


def sellable_changes(session: Session, start: date, end: date) -> pd.DataFrame:
    """Net change of sellable stock (on hand - allocated) per SKU x warehouse x day: sku, warehouse, ds, delta."""
    day = _day(session, Movement.created_at).label("ds")
    since, until = _bounds(start, end)
    rows = session.execute(
        select(Sku.code, Warehouse.code, day, func.sum(_SELLABLE_DELTA))
        .join(Sku, Sku.id == Movement.sku_id)
        .join(Warehouse, Warehouse.id == Movement.warehouse_id)
        .where(Movement.created_at >= since, Movement.created_at < until)
        .group_by(Sku.code, Warehouse.code, day)
    ).all()
    return _frame(rows, ["sku", "warehouse", "ds", "delta"])


def ledger_pairs(session: Session, start: date) -> pd.DataFrame:
    """Every SKU x warehouse the ledger knows: sku, warehouse, opening (sellable stock when `start`
    began) and first_movement (the day of its first movement)."""
    since = datetime.combine(start, time.min)
    rows = session.execute(
        select(
            Sku.code,
            Warehouse.code,
            func.coalesce(func.sum(case((Movement.created_at < since, _SELLABLE_DELTA), else_=0)), 0),
            func.min(Movement.created_at),
        )
        .join(Sku, Sku.id == Movement.sku_id)
        .join(Warehouse, Warehouse.id == Movement.warehouse_id)
        .group_by(Sku.code, Warehouse.code)
    ).all()
    frame = _frame(rows, ["sku", "warehouse", "opening", "first_movement"])
    frame["first_movement"] = pd.to_datetime(frame["first_movement"]).dt.normalize()
    return frame


def replace_imported_demand(session: Session, rows: Sequence[dict[str, Any]], now: datetime) -> None:
    """Store imported rows (sku_id, warehouse_id, channel_id, day, quantity); per SKU x warehouse, the
    days from the first to the last one imported replace what earlier imports said about them."""
    spans: dict[tuple[int, int], tuple[date, date]] = {}
    for row in rows:
        key = (row["sku_id"], row["warehouse_id"])
        low, high = spans.get(key, (row["day"], row["day"]))
        spans[key] = (min(low, row["day"]), max(high, row["day"]))
    if not spans:
        return
    target = table(ImportedDemand)
    session.execute(
        delete(target).where(
            target.c.sku_id == bindparam("sku"),
            target.c.warehouse_id == bindparam("warehouse"),
            target.c.day >= bindparam("low"),
            target.c.day <= bindparam("high"),
        ),
        [{"sku": s, "warehouse": w, "low": low, "high": high} for (s, w), (low, high) in spans.items()],
    )
    session.execute(insert(target), [{**row, "imported_at": now} for row in rows])


def ids_by_code(session: Session, model: type[Sku] | type[Warehouse] | type[Channel]) -> dict[str, int]:
    """Every SKU, warehouse or channel id by its code (an import resolves all its rows against them at once)."""
    return {code: id_ for id_, code in session.execute(select(model.id, model.code))}


def first_warehouses(session: Session) -> dict[int, int]:
    """Each channel's first warehouse (lowest rank)."""
    rows = session.execute(
        select(ChannelWarehouse.channel_id, ChannelWarehouse.warehouse_id).order_by(
            ChannelWarehouse.channel_id, ChannelWarehouse.rank.desc()
        )
    )
    return {int(channel): int(warehouse) for channel, warehouse, *_ in rows}  # the last per channel: lowest rank


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)
