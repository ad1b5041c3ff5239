"""The rows `restock export` writes, one query per kind, in a stable order (so two exports of the same data agree)."""

from __future__ import annotations

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

from restock.domain.lines import PartKind
from restock.store.schema import (
    Channel,
    LinePart,
    Order,
    OrderLine,
    POLine,
    PurchaseOrder,
    Sku,
    Stock,
    Supplier,
    Warehouse,
)

Row = tuple[object, ...]


def sku_rows(session: Session) -> list[Row]:
    """Every SKU not archived, by code: code, name, price, backorder policy, max wait, limit, release date, URL."""
    rows = session.execute(
        select(
            Sku.code,
            Sku.name,
            Sku.price,
            Sku.backorder_policy,
            Sku.max_wait_days,
            Sku.backorder_limit_pct,
            Sku.release_date,
            Sku.product_url,
        )
        .where(Sku.archived_at.is_(None))
        .order_by(Sku.code)
    )
    return [tuple(row) for row in rows]


def stock_rows(session: Session) -> list[Row]:
    """Every balance row, by SKU and warehouse code: SKU, warehouse, on hand (what a count would find)."""
    rows = session.execute(
        select(Sku.code, Warehouse.code, Stock.on_hand)
        .join(Sku, Sku.id == Stock.sku_id)
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .order_by(Sku.code, Warehouse.code)
    )
    return [tuple(row) for row in rows]


def _units(kind: PartKind):  # type: ignore[no-untyped-def]
    return func.coalesce(func.sum(case((LinePart.kind == kind.value, LinePart.quantity), else_=0)), 0).cast(Integer)


def order_rows(session: Session) -> list[Row]:
    """One row per order line, oldest order first: the order, the line, and its units by what became of them."""
    per_line = (
        select(
            LinePart.order_line_id.label("line_id"),
            _units(PartKind.ALLOCATED).label("allocated"),
            _units(PartKind.BACKORDERED).label("backordered"),
            _units(PartKind.SHIPPED).label("shipped"),
            _units(PartKind.RELEASED).label("cancelled"),
        )
        .group_by(LinePart.order_line_id)
        .subquery("per_line")
    )
    rows = session.execute(
        select(
            Order.id,
            Channel.code,
            Order.external_ref,
            Order.email,
            Order.placed_at,
            Order.status,
            Sku.code,
            OrderLine.quantity,
            func.coalesce(per_line.c.allocated, 0),
            func.coalesce(per_line.c.backordered, 0),
            func.coalesce(per_line.c.shipped, 0),
            func.coalesce(per_line.c.cancelled, 0),
        )
        .join(Channel, Channel.id == Order.channel_id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .outerjoin(per_line, per_line.c.line_id == OrderLine.id)
        .order_by(Order.placed_at, Order.id, OrderLine.id)
    )
    return [tuple(row) for row in rows]


def purchase_order_rows(session: Session) -> list[Row]:
    """One row per PO line, by PO and line: the PO (reference, id, supplier, warehouse, status, ETA) and the line;
    the id names a PO without a reference (`services.exports`)."""
    rows = session.execute(
        select(
            PurchaseOrder.reference,
            PurchaseOrder.id,
            Supplier.code,
            Warehouse.code,
            PurchaseOrder.status,
            PurchaseOrder.eta,
            PurchaseOrder.eta_confirmed,
            Sku.code,
            POLine.ordered,
            POLine.received,
        )
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .join(Warehouse, Warehouse.id == PurchaseOrder.warehouse_id)
        .join(POLine, POLine.po_id == PurchaseOrder.id)
        .join(Sku, Sku.id == POLine.sku_id)
        .order_by(PurchaseOrder.id, POLine.id)
    )
    return [tuple(row) for row in rows]
