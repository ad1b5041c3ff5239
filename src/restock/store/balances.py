"""Reading stock balances and the ledger of movements behind them (`store.ledger` writes both)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from restock.store.schema import Movement, Sku, Stock, Warehouse


def balance(session: Session, sku_id: int, warehouse_id: int) -> tuple[int, int]:
    """(on hand, allocated) of a SKU in a warehouse; (0, 0) where it never had stock."""
    row = session.execute(
        select(Stock.on_hand, Stock.allocated).where(Stock.sku_id == sku_id, Stock.warehouse_id == warehouse_id)
    ).first()
    return (row.on_hand, row.allocated) if row is not None else (0, 0)


def balance_rows(session: Session, sku_id: int | None = None) -> list[tuple[str, str, int, int]]:
    """(SKU code, warehouse code, on hand, allocated) by SKU and warehouse code; one SKU's or all."""
    query = (
        select(Sku.code, Warehouse.code, Stock.on_hand, Stock.allocated)
        .join(Sku, Sku.id == Stock.sku_id)
        .join(Warehouse, Warehouse.id == Stock.warehouse_id)
        .order_by(Sku.code, Warehouse.code)
    )
    if sku_id is not None:
        query = query.where(Sku.id == sku_id)
    return [(sku, warehouse, on_hand, allocated) for sku, warehouse, on_hand, allocated in session.execute(query)]


def discrepancy_rows(session: Session) -> list[tuple[int, int, int, int, int, int]]:
    """(SKU id, warehouse id, on hand, allocated, ledger's on hand, ledger's allocated) where they differ."""
    sums = (
        select(
            Movement.sku_id,
            Movement.warehouse_id,
            func.sum(Movement.on_hand_delta).label("on_hand"),
            func.sum(Movement.allocated_delta).label("allocated"),
        )
        .group_by(Movement.sku_id, Movement.warehouse_id)
        .subquery()
    )
    ledger_on_hand, ledger_allocated = func.coalesce(sums.c.on_hand, 0), func.coalesce(sums.c.allocated, 0)
    rows = session.execute(
        select(Stock.sku_id, Stock.warehouse_id, Stock.on_hand, Stock.allocated, ledger_on_hand, ledger_allocated)
        .outerjoin(sums, (sums.c.sku_id == Stock.sku_id) & (sums.c.warehouse_id == Stock.warehouse_id))
        .where((Stock.on_hand != ledger_on_hand) | (Stock.allocated != ledger_allocated))
    )
    return [(s, w, on_hand, allocated, lo, la) for s, w, on_hand, allocated, lo, la in rows]


def movement_rows(session: Session, sku_id: int | None, after: int, limit: int) -> list[tuple[Movement, str, str]]:
    """(movement, SKU code, warehouse code) after the id `after`, in the order they happened (keyset paging)."""
    query = (
        select(Movement, Sku.code, Warehouse.code)
        .join(Sku, Sku.id == Movement.sku_id)
        .join(Warehouse, Warehouse.id == Movement.warehouse_id)
        .where(Movement.id > after)
        .order_by(Movement.id)
        .limit(limit)
    )
    if sku_id is not None:
        query = query.where(Movement.sku_id == sku_id)
    return [(movement, sku, warehouse) for movement, sku, warehouse in session.execute(query)]
