"""The reads behind a replenishment plan: one set-based query per input frame, whatever the catalog size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from restock.domain.model import OPEN_PO_STATUSES, PROMISABLE_PO_STATUSES
from restock.planning.columns import OPEN_LINE_COLUMNS
from restock.store.schema import (
    ChannelWarehouse,
    LinePart,
    POLine,
    PurchaseOrder,
    Sku,
    SkuPlanning,
    Stock,
    Supplier,
    SupplierSku,
    Warehouse,
)


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def stock_positions(session: Session) -> pd.DataFrame:
    """sku, warehouse, on_hand, allocated for every stock row."""
    rows = session.execute(
        select(Sku.code, Warehouse.code, Stock.on_hand, Stock.allocated)
        .join(Sku, Sku.id == Stock.sku_id)
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
    ).all()
    return _frame(rows, ["sku", "warehouse", "on_hand", "allocated"])


def waiting_backorders(session: Session) -> pd.DataFrame:
    """sku, warehouse, backorders: waiting units, in the warehouse of the PO they are pegged to, else the
    first warehouse of their channel (where the demand history counts them too)."""
    first_rank = (
        select(ChannelWarehouse.channel_id, func.min(ChannelWarehouse.rank).label("rank"))
        .group_by(ChannelWarehouse.channel_id)
        .subquery()
    )
    first = aliased(ChannelWarehouse)
    serving = aliased(Warehouse)
    warehouse_id = func.coalesce(PurchaseOrder.warehouse_id, first.warehouse_id)
    rows = session.execute(
        select(Sku.code, serving.code, func.sum(LinePart.quantity))
        .select_from(LinePart)
        .join(Sku, Sku.id == LinePart.sku_id)
        .outerjoin(POLine, POLine.id == LinePart.po_line_id)
        .outerjoin(PurchaseOrder, PurchaseOrder.id == POLine.po_id)
        .outerjoin(first_rank, first_rank.c.channel_id == LinePart.channel_id)
        .outerjoin(first, (first.channel_id == LinePart.channel_id) & (first.rank == first_rank.c.rank))
        .join(serving, serving.id == warehouse_id)
        .where(LinePart.kind == "backordered")
        .group_by(Sku.code, serving.code)
    ).all()
    return _frame(rows, ["sku", "warehouse", "backorders"])


def sku_settings(session: Session) -> pd.DataFrame:
    """sku, price and the SKU's own planning settings (NULLs where it has none)."""
    rows = session.execute(
        select(
            Sku.code,
            Sku.price,
            SkuPlanning.review_days,
            SkuPlanning.policy,
            SkuPlanning.order_cost,
            SkuPlanning.holding_rate_pct,
            SkuPlanning.service_level_pct,
        ).outerjoin(SkuPlanning, SkuPlanning.sku_id == Sku.id)
    ).all()
    return _frame(
        rows, ["sku", "price", "review_days", "policy", "order_cost", "holding_rate_pct", "service_level_pct"]
    )


def supplier_terms(session: Session) -> pd.DataFrame:
    """sku, supplier, quoted_lead_time (the SKU's quote, else the supplier's usual), moq, pack_size, unit_cost."""
    rows = session.execute(
        select(
            Sku.code,
            Supplier.code,
            func.coalesce(SupplierSku.lead_time_days, Supplier.lead_time_days),
            SupplierSku.moq,
            SupplierSku.pack_size,
            SupplierSku.unit_cost,
        )
        .join(Sku, Sku.id == SupplierSku.sku_id)
        .join(Supplier, Supplier.id == SupplierSku.supplier_id)
    ).all()
    return _frame(rows, ["sku", "supplier", "quoted_lead_time", "moq", "pack_size", "unit_cost"])


def open_inbound(session: Session) -> pd.DataFrame:
    """Every open PO line (draft, sent, confirmed or partly received, with units still to come): sku, warehouse,
    po_id, supplier, status, eta, open_qty, confirmed (a confirmed ETA on a PO that may carry backorders),
    first_confirmed_eta, created_at, sent_at, and quoted_lead_time (the supplier's quote for the SKU, else its
    usual lead time: what dates the line until its supplier is measured)."""
    open_statuses = [s.value for s in OPEN_PO_STATUSES]
    promisable = [s.value for s in PROMISABLE_PO_STATUSES]
    rows = session.execute(
        select(
            Sku.code,
            Warehouse.code,
            PurchaseOrder.id,
            Supplier.code,
            PurchaseOrder.status,
            PurchaseOrder.eta,
            POLine.ordered - POLine.received,
            PurchaseOrder.eta_confirmed,
            PurchaseOrder.first_confirmed_eta,
            PurchaseOrder.created_at,
            PurchaseOrder.sent_at,
            func.coalesce(SupplierSku.lead_time_days, Supplier.lead_time_days),
        )
        .join(PurchaseOrder, PurchaseOrder.id == POLine.po_id)
        .join(Sku, Sku.id == POLine.sku_id)
        .join(Warehouse, Warehouse.id == PurchaseOrder.warehouse_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .outerjoin(
            SupplierSku, (SupplierSku.supplier_id == PurchaseOrder.supplier_id) & (SupplierSku.sku_id == POLine.sku_id)
        )
        .where(PurchaseOrder.status.in_(open_statuses), POLine.received < POLine.ordered)
        .order_by(PurchaseOrder.id, POLine.id)
    ).all()
    frame = _frame(rows, OPEN_LINE_COLUMNS)
    for column in ("eta", "first_confirmed_eta", "created_at", "sent_at"):
        frame[column] = pd.to_datetime(frame[column])
    frame["confirmed"] = frame["confirmed"].astype(bool) & frame["status"].isin(promisable)
    return frame
