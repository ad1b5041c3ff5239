"""The statements of the order hot path, built once: placing an order is the busiest write a shop makes.

Plain Core statements on tables (not ORM entities) skip the unit-of-work bookkeeping, and building
them at import spares every order the cost of constructing them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from restock.domain.errors import NotFound
from restock.domain.model import BackorderPolicy, SkuPolicy
from restock.store.schema import Channel, ChannelWarehouse, LinePart, Order, OrderLine, Sku, table

_CHANNEL_WITH_WAREHOUSES = (
    select(Channel.id, Channel.safety_buffer, ChannelWarehouse.warehouse_id)
    .outerjoin(ChannelWarehouse, ChannelWarehouse.channel_id == Channel.id)
    .where(Channel.code == bindparam("code"))
    .order_by(ChannelWarehouse.rank)
)
_SKUS_BY_CODE = (
    select(Sku.id, Sku.code, Sku.backorder_policy, Sku.max_wait_days, Sku.backorder_limit_pct)
    .where(Sku.code.in_(bindparam("codes", expanding=True)))
    .order_by(Sku.id)
    .with_for_update(key_share=True)  # the SKU lock, in id order: see restock.store.repo.lock_skus
)
_INSERT_ORDER = insert(table(Order))
_INSERT_LINE = insert(table(OrderLine)).returning(table(OrderLine).c.id)
_INSERT_PARTS = insert(table(LinePart))


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    code: str
    safety_buffer: int
    warehouse_ids: tuple[int, ...]
    """In the order orders take stock from them."""


@dataclass(frozen=True)
class SkuInfo:
    id: int
    code: str
    policy: SkuPolicy


def channel_info(session: Session, code: str) -> ChannelInfo:
    rows = session.execute(_CHANNEL_WITH_WAREHOUSES, {"code": code}).all()
    if not rows:
        raise NotFound(f"unknown channel {code!r}")
    return ChannelInfo(rows[0][0], code, rows[0][1], tuple(r[2] for r in rows if r[2] is not None))


def skus_by_code(session: Session, codes: list[str]) -> dict[str, SkuInfo]:
    found = {
        code: SkuInfo(sku_id, code, SkuPolicy(BackorderPolicy(policy), max_wait, limit))
        for sku_id, code, policy, max_wait, limit in session.execute(_SKUS_BY_CODE, {"codes": codes})
    }
    missing = [code for code in codes if code not in found]
    if missing:
        raise NotFound(f"unknown SKU {missing[0]!r}" if len(missing) == 1 else f"unknown SKUs {missing!r}")
    return found


def insert_order(session: Session, row: dict[str, Any]) -> None:
    session.execute(_INSERT_ORDER, row)


def insert_line(session: Session, row: dict[str, Any]) -> int:
    return int(session.execute(_INSERT_LINE, row).scalar_one())


def insert_parts(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(_INSERT_PARTS, rows)
