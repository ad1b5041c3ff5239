"""The reads behind the business figures (`restock.planning.kpi`): set-based, one query per fact, whatever the
catalog size; each narrowed to a channel, a SKU or a supplier's SKUs when asked (`KpiScope`).

How a part tells its story (see `restock.store.schema.LinePart`): a part allocated from stock when its order was
placed has a warehouse and no fill batch; a backorder has no warehouse until a receipt fills it, which sets its fill
batch (`filled_by`) and keeps it through the shipment or a later cancellation (splits copy both). A part released
without `cancelled_by` was re-pegged onto other supply: its units live on in new parts, so it is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import Session

from restock.domain.lines import PartKind
from restock.store.demand import _day
from restock.store.schema import (
    Channel,
    LinePart,
    Movement,
    RestockSubscription,
    Shipment,
    Sku,
    Supplier,
    SupplierSku,
    Warehouse,
)


@dataclass(frozen=True)
class KpiScope:
    """What the figures are narrowed to (ids already resolved from codes); None: everything."""

    channel_id: int | None = None
    sku_id: int | None = None
    supplier_id: int | None = None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min), datetime.combine(end + timedelta(days=1), time.min)


def _skus_of(scope: KpiScope, sku_id: Any) -> list[Any]:
    """Conditions keeping the scope's SKU, or the SKUs its supplier offers."""
    conditions = []
    if scope.sku_id is not None:
        conditions.append(sku_id == scope.sku_id)
    if scope.supplier_id is not None:
        conditions.append(sku_id.in_(select(SupplierSku.sku_id).where(SupplierSku.supplier_id == scope.supplier_id)))
    return conditions


PART_FACTS = [
    "line",
    "channel",
    "sku",
    "placed_at",
    "quantity",
    "from_stock",
    "cancelled",
    "shipped_at",
    "promised_latest",
]


def part_facts(session: Session, start: date, end: date, scope: KpiScope) -> pd.DataFrame:
    """Every part of the order lines placed `start`..`end` that holds units of its own: PART_FACTS."""
    since, until = _bounds(start, end)
    from_stock = and_(LinePart.filled_by.is_(None), LinePart.warehouse_id.is_not(None))
    cancelled = LinePart.cancelled_by.is_not(None)
    repegged = and_(LinePart.kind == PartKind.RELEASED.value, LinePart.cancelled_by.is_(None))
    query = (
        select(
            LinePart.order_line_id,
            Channel.code,
            Sku.code,
            LinePart.placed_at,
            LinePart.quantity,
            from_stock,
            cancelled,
            Shipment.shipped_at,
            LinePart.promised_latest,
        )
        .join(Channel, Channel.id == LinePart.channel_id)
        .join(Sku, Sku.id == LinePart.sku_id)
        .outerjoin(Shipment, Shipment.id == LinePart.shipment_id)
        .where(LinePart.placed_at >= since, LinePart.placed_at < until, not_(repegged))
        .where(*_skus_of(scope, LinePart.sku_id))
    )
    if scope.channel_id is not None:
        query = query.where(LinePart.channel_id == scope.channel_id)
    frame = _frame(session, query, PART_FACTS)
    frame["from_stock"] = frame["from_stock"].astype(bool)
    frame["cancelled"] = frame["cancelled"].astype(bool)
    return frame


def signups(session: Session, start: date, end: date, scope: KpiScope) -> pd.DataFrame:
    """Notify-me sign-ups per channel x SKU x day, `start`..`end`: channel, sku, day, signups."""
    since, until = _bounds(start, end)
    day = _day(session, RestockSubscription.created_at)
    query = (
        select(Channel.code, Sku.code, day, func.count())
        .join(Channel, Channel.id == RestockSubscription.channel_id)
        .join(Sku, Sku.id == RestockSubscription.sku_id)
        .where(
            RestockSubscription.created_at >= since,
            RestockSubscription.created_at < until,
            *_skus_of(scope, RestockSubscription.sku_id),
        )
        .group_by(Channel.code, Sku.code, day)
    )
    if scope.channel_id is not None:
        query = query.where(RestockSubscription.channel_id == scope.channel_id)
    frame = _frame(session, query, ["channel", "sku", "day", "signups"])
    frame["day"] = pd.to_datetime(frame["day"])
    return frame


def stock_moves(session: Session, since: date, scope: KpiScope) -> pd.DataFrame:
    """The ledger's net moves per SKU x warehouse x day from `since` up to now: sku, warehouse, day, on_hand_delta,
    sellable_delta (on hand - allocated)."""
    day = _day(session, Movement.created_at)
    query = (
        select(
            Sku.code,
            Warehouse.code,
            day,
            func.sum(Movement.on_hand_delta),
            func.sum(Movement.on_hand_delta - Movement.allocated_delta),
        )
        .join(Sku, Sku.id == Movement.sku_id)
        .join(Warehouse, Warehouse.id == Movement.warehouse_id)
        .where(Movement.created_at >= datetime.combine(since, time.min), *_skus_of(scope, Movement.sku_id))
        .group_by(Sku.code, Warehouse.code, day)
    )
    frame = _frame(session, query, ["sku", "warehouse", "day", "on_hand_delta", "sellable_delta"])
    frame["day"] = pd.to_datetime(frame["day"])
    return frame


def sku_policies(session: Session) -> pd.DataFrame:
    """Every SKU: sku, price, backorder_policy, max_wait_days, archived."""
    archived = Sku.archived_at.is_not(None)
    query = select(Sku.code, Sku.price, Sku.backorder_policy, Sku.max_wait_days, archived).order_by(Sku.code)
    frame = _frame(session, query, ["sku", "price", "backorder_policy", "max_wait_days", "archived"])
    frame["price"] = frame["price"].astype("float64")
    frame["archived"] = frame["archived"].astype(bool)
    return frame


def supplier_allowances(session: Session) -> pd.DataFrame:
    """Every supplier: supplier_id, supplier (code), lateness_p90_days (the slack its ship windows get; None: the
    default width)."""
    query = select(Supplier.id, Supplier.code, Supplier.lateness_p90_days).order_by(Supplier.code)
    return _frame(session, query, ["supplier_id", "supplier", "lateness_p90_days"])


def _frame(session: Session, query: Any, columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(row) for row in session.execute(query)], columns=list(columns))
