"""Look-ups by the codes a merchant types, each failing with a NotFound the user can read."""

from __future__ import annotations

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


def sku_by_code(session: Session, code: str) -> Sku:
    sku = session.scalar(select(Sku).where(Sku.code == code))
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


def purchase_order(session: Session, po_id: int) -> PurchaseOrder:
    po = session.get(PurchaseOrder, po_id)
    if po is None:
        raise NotFound(f"unknown purchase order {po_id}")
    return po


def order(session: Session, order_id: str) -> Order:
    found = session.get(Order, order_id)
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
