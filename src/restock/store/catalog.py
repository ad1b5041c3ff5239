"""The catalog's rows: warehouses, channels with their ranked warehouses, suppliers and SKUs, written and listed.

`restock.services.catalog` validates what a merchant types and decides; these functions only touch the tables.
Look-ups by code that fail with a NotFound are in `restock.store.repo`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.domain.model import SkuPolicy
from restock.store.schema import Channel, ChannelWarehouse, Sku, Supplier, Warehouse

CatalogModel = type[Warehouse | Channel | Supplier | Sku]


def code_taken(session: Session, model: CatalogModel, code: str) -> bool:
    return session.scalar(select(model.id).where(model.code == code)) is not None


def add_warehouse(session: Session, code: str, name: str) -> int:
    warehouse = Warehouse(code=code, name=name)
    session.add(warehouse)
    session.flush()
    return warehouse.id


def add_channel(session: Session, code: str, name: str, safety_buffer: int, warehouse_ids: Sequence[int]) -> int:
    """The channel and its warehouses, ranked in the order given (rank 0 is used first)."""
    channel = Channel(code=code, name=name, safety_buffer=safety_buffer)
    session.add(channel)
    session.flush()
    session.add_all(
        ChannelWarehouse(channel_id=channel.id, warehouse_id=w, rank=rank) for rank, w in enumerate(warehouse_ids)
    )
    return channel.id


def add_supplier(session: Session, code: str, name: str, lead_time_days: int) -> int:
    supplier = Supplier(code=code, name=name, lead_time_days=lead_time_days)
    session.add(supplier)
    session.flush()
    return supplier.id


def add_sku(session: Session, code: str, name: str, price: Decimal, policy: SkuPolicy) -> int:
    sku = Sku(
        code=code,
        name=name,
        price=price,
        backorder_policy=policy.backorder.value,
        max_wait_days=policy.max_wait_days,
        backorder_limit_pct=policy.backorder_limit_pct,
    )
    session.add(sku)
    session.flush()
    return sku.id


def skus_by_code(session: Session) -> Sequence[Sku]:
    return session.scalars(select(Sku).order_by(Sku.code)).all()


def warehouses_by_code(session: Session) -> Sequence[Warehouse]:
    return session.scalars(select(Warehouse).order_by(Warehouse.code)).all()


def channels_by_code(session: Session) -> Sequence[Channel]:
    return session.scalars(select(Channel).order_by(Channel.code)).all()


def suppliers_by_code(session: Session) -> Sequence[Supplier]:
    return session.scalars(select(Supplier).order_by(Supplier.code)).all()


def warehouse_codes(session: Session) -> dict[int, str]:
    """Every warehouse's code by its id."""
    return {row.id: row.code for row in session.execute(select(Warehouse.id, Warehouse.code))}
