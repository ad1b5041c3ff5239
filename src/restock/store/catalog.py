"""The catalog's rows: warehouses, channels with their ranked warehouses, suppliers and SKUs, written and listed.

`restock.services.catalog` validates what a merchant types and decides; these functions only touch the tables.
Look-ups by code that fail with a NotFound are in `restock.store.repo`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from restock.domain.errors import NotFound
from restock.domain.model import SkuPolicy
from restock.store.db import insert_unless_present
from restock.store.schema import AvailabilityChange, Channel, ChannelWarehouse, Sku, Supplier, Warehouse

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


def add_channel(
    session: Session,
    code: str,
    name: str,
    safety_buffer: int,
    warehouse_ids: Sequence[int],
    shipping_policy: str = "as_available",
) -> int | None:
    """The channel and its warehouses, ranked in the order given (rank 0 is used first); None: the code is taken."""
    fields = {"name": name, "safety_buffer": safety_buffer, "shipping_policy": shipping_policy}
    channel_id = _insert_new(session, Channel, code=code, **fields)
    if channel_id is not None:
        session.add_all(
            ChannelWarehouse(channel_id=channel_id, warehouse_id=w, rank=rank) for rank, w in enumerate(warehouse_ids)
        )
    return channel_id


def add_supplier(session: Session, code: str, name: str, lead_time_days: int) -> int | None:
    return _insert_new(session, Supplier, code=code, name=name, lead_time_days=lead_time_days)


def add_sku(
    session: Session,
    code: str,
    name: str,
    price: Decimal,
    policy: SkuPolicy,
    release_date: date | None = None,
    product_url: str | None = None,
) -> int | None:
    return _insert_new(
        session,
        Sku,
        code=code,
        name=name,
        price=price,
        backorder_policy=policy.backorder.value,
        max_wait_days=policy.max_wait_days,
        backorder_limit_pct=policy.backorder_limit_pct,
        release_date=release_date,
        product_url=product_url,
    )


def skus_by_code(session: Session, with_archived: bool = False) -> Sequence[Sku]:
    """The SKUs in code order; archived ones only when asked for."""
    query = select(Sku).order_by(Sku.code)
    return session.scalars(query if with_archived else query.where(Sku.archived_at.is_(None))).all()


def warehouses_by_code(session: Session) -> Sequence[Warehouse]:
    return session.scalars(select(Warehouse).order_by(Warehouse.code)).all()


def channels_by_code(session: Session) -> Sequence[Channel]:
    return session.scalars(select(Channel).order_by(Channel.code)).all()


def suppliers_by_code(session: Session) -> Sequence[Supplier]:
    return session.scalars(select(Supplier).order_by(Supplier.code)).all()


def warehouse_codes(session: Session) -> dict[int, str]:
    """Every warehouse's code by its id."""
    return {row.id: row.code for row in session.execute(select(Warehouse.id, Warehouse.code))}


# ---------------------------------------------------------------- edits


def update_sku(
    session: Session,
    sku_id: int,
    *,
    name: str,
    price: Decimal,
    policy: SkuPolicy,
    release_date: date | None,
    product_url: str | None,
) -> None:
    """Write a SKU's settings whole (the service merged the fields changed into the current ones).

    An ORM-enabled UPDATE: the SKU loaded in this session sees the new values (what the availability watch reads)."""
    session.execute(
        update(Sku)
        .where(Sku.id == sku_id)
        .values(
            name=name,
            price=price,
            backorder_policy=policy.backorder.value,
            max_wait_days=policy.max_wait_days,
            backorder_limit_pct=policy.backorder_limit_pct,
            release_date=release_date,
            product_url=product_url,
        )
    )


def set_archived(session: Session, sku_id: int, archived_at: datetime | None) -> None:
    """Archive a SKU (from `archived_at`) or bring it back (None); nothing else of it changes."""
    session.execute(update(Sku).where(Sku.id == sku_id).values(archived_at=archived_at))


def lock_channel(session: Session, code: str) -> Channel:
    """A channel with its row lock, so that two edits of its warehouse list take turns (each replaces it whole)."""
    channel = session.scalar(select(Channel).where(Channel.code == code).with_for_update(key_share=True))
    if channel is None:
        raise NotFound(f"unknown channel {code!r}")
    return channel


def update_channel(session: Session, channel_id: int, safety_buffer: int, shipping_policy: str) -> None:
    session.execute(
        update(Channel)
        .where(Channel.id == channel_id)
        .values(safety_buffer=safety_buffer, shipping_policy=shipping_policy)
    )


def replace_channel_warehouses(session: Session, channel_id: int, warehouse_ids: Sequence[int]) -> None:
    """The channel's warehouses become these, ranked in the order given (rank 0 is used first)."""
    session.execute(delete(ChannelWarehouse).where(ChannelWarehouse.channel_id == channel_id))
    session.execute(
        insert(ChannelWarehouse),
        [{"channel_id": channel_id, "warehouse_id": w, "rank": rank} for rank, w in enumerate(warehouse_ids)],
    )


def lock_supplier(session: Session, code: str) -> Supplier:
    supplier = session.scalar(select(Supplier).where(Supplier.code == code).with_for_update(key_share=True))
    if supplier is None:
        raise NotFound(f"unknown supplier {code!r}")
    return supplier


def update_supplier(session: Session, supplier_id: int, name: str, lead_time_days: int) -> None:
    session.execute(update(Supplier).where(Supplier.id == supplier_id).values(name=name, lead_time_days=lead_time_days))


def warehouse_ids_by_code(session: Session, codes: Sequence[str]) -> dict[str, int]:
    """The ids of those of these warehouses that exist, by code."""
    rows = session.execute(select(Warehouse.code, Warehouse.id).where(Warehouse.code.in_(list(codes))))
    return {row.code: row.id for row in rows}


def every_sku_id(session: Session) -> list[int]:
    return list(session.scalars(select(Sku.id).order_by(Sku.id)))


def record_availability_change(session: Session, sku_id: int | None) -> None:
    """Write to the feed of availability changes (`restock.store.availability_feed`): the API's remembered answers
    for this SKU (None: for every SKU) are dropped at the next look at the feed.

    Triggers write the feed for most catalog updates too (migration 0006), but not on every database for every
    column (on SQLite, 0009 rebuilt the channels table without its trigger): a catalog edit does not depend on them.
    """
    session.execute(insert(AvailabilityChange).values(sku_id=sku_id))
