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
from restock.store.db import insert_unless_present
from restock.store.schema import Channel, ChannelWarehouse, Sku, Supplier, Warehouse

CatalogModel = type[Warehouse | Channel | Supplier | Sku]


def code_taken(session: Session, model: CatalogModel, code: str) -> bool:
    return session.scalar(select(model.id).where(model.code == code)) is not None


def _insert_new(session: Session, model: CatalogModel, **values: object) -> int | None:
    """INSERT ... ON CONFLICT (code) DO NOTHING RETURNING id: the new row's id, or None when the code is taken,
    also by a request committing at the same moment (that one waits for the other, then does nothing)."""
    statement = insert_unless_present(session, model, ["code"]).values(**values).returning(model.id)
    return session.scalar(statement)


def add_warehouse(session: Session, code: str, name: str) -> int | None:
    return _insert_new(session, Warehouse, code=code, name=name)


def add_channel(session: Session, code: str, name: str, safety_buffer: int, warehouse_ids: Sequence[int]) -> int | None:
    """The channel and its warehouses, ranked in the order given (rank 0 is used first); None: the code is taken."""
    channel_id = _insert_new(session, Channel, code=code, name=name, safety_buffer=safety_buffer)
    if channel_id is not None:
        session.add_all(
            ChannelWarehouse(channel_id=channel_id, warehouse_id=w, rank=rank) for rank, w in enumerate(warehouse_ids)
        )
    return channel_id


def add_supplier(session: Session, code: str, name: str, lead_time_days: int) -> int | None:
    return _insert_new(session, Supplier, code=code, name=name, lead_time_days=lead_time_days)


def add_sku(session: Session, code: str, name: str, price: Decimal, policy: SkuPolicy) -> int | None:
    return _insert_new(
        session,
        Sku,
        code=code,
        name=name,
        price=price,
        backorder_policy=policy.backorder.value,
        max_wait_days=policy.max_wait_days,
        backorder_limit_pct=policy.backorder_limit_pct,
    )


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
