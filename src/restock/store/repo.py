"""Look-ups by the codes a merchant types, each failing with a NotFound the user can read."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.domain.errors import NotFound
from restock.store.schema import (
    Channel,
    ChannelWarehouse,
    Order,
    PurchaseOrder,
    Sku,
    Supplier,
    Warehouse,
)


def lock_skus(session: Session, sku_ids: Iterable[int]) -> None:
    """Take the SKU rows' locks, in id order, before changing their stock or their backorder queue.

    The SKU row is the one lock that serializes everything touching a SKU's stock and waiting queue on
    PostgreSQL (SQLite has a single writer anyway): a fill reads the queue and then changes it in
    several statements, and must not see it change in between. FOR NO KEY UPDATE does not block the
    key-share locks that inserting order lines (which reference the SKU) take, and the id order rules
    out deadlocks between multi-SKU use cases.
    """
    ids = sorted(set(sku_ids))
    if ids:
        session.execute(select(Sku.id).where(Sku.id.in_(ids)).order_by(Sku.id).with_for_update(key_share=True)).all()


def sku_by_code(session: Session, code: str, lock: bool = False) -> Sku:
    """A SKU by its code; `lock` takes its row lock first (see `lock_skus`)."""
    query = select(Sku).where(Sku.code == code)
    sku = session.scalar(query.with_for_update(key_share=True) if lock else query)
    if sku is None:
        raise NotFound(f"unknown SKU {code!r}")
    return sku


def warehouse_by_code(session: Session, code: str) -> Warehouse:
    warehouse = session.scalar(select(Warehouse).where(Warehouse.code == code))
    if warehouse is None:
        raise NotFound(f"unknown warehouse {code!r}")
    return warehouse


def channel_by_code(session: Session, code: str) -> Channel:
    channel = session.scalar(select(Channel).where(Channel.code == code))
    if channel is None:
        raise NotFound(f"unknown channel {code!r}")
    return channel


def supplier_by_code(session: Session, code: str) -> Supplier:
    supplier = session.scalar(select(Supplier).where(Supplier.code == code))
    if supplier is None:
        raise NotFound(f"unknown supplier {code!r}")
    return supplier


def purchase_order(session: Session, po_id: int, for_update: bool = False) -> PurchaseOrder:
    """A PO; `for_update` locks it (FOR NO KEY UPDATE: rows referencing it may still be written), so that two
    changes to the same PO take turns. Take it after the SKU locks (see `lock_skus`)."""
    po = session.get(
        PurchaseOrder, po_id, with_for_update={"key_share": True} if for_update else None, populate_existing=for_update
    )
    if po is None:
        raise NotFound(f"unknown purchase order {po_id}")
    return po


def order(session: Session, order_id: str, for_update: bool = False) -> Order:
    """An order; `for_update` locks it, so that cancelling and shipping the same order take turns."""
    found = session.get(
        Order, order_id, with_for_update={"key_share": True} if for_update else None, populate_existing=for_update
    )
    if found is None:
        raise NotFound(f"unknown order {order_id!r}")
    return found


def channel_warehouse_ids(session: Session, channel_id: int) -> list[int]:
    """The warehouses serving a channel, in the order orders are allocated from them."""
    return list(
        session.scalars(
            select(ChannelWarehouse.warehouse_id)
            .where(ChannelWarehouse.channel_id == channel_id)
            .order_by(ChannelWarehouse.rank)
        )
    )


def default_channel(session: Session) -> Channel:
    channel = session.scalar(select(Channel).order_by(Channel.id).limit(1))
    if channel is None:
        raise NotFound("no channel is set up yet: add one with `restock channel add`")
    return channel
