"""What availability answers read besides one channel's stock and supply: the SKUs and channels asked about, and
what an order left in the warehouses it took from (whether it may have changed an answer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from restock.store.orders import ChannelInfo
from restock.store.schema import Channel, ChannelWarehouse, Sku, Stock


def every_channel(session: Session) -> list[ChannelInfo]:
    """Every channel with its warehouses in allocation order, in one query."""
    rows = session.execute(
        select(Channel.id, Channel.code, Channel.safety_buffer, ChannelWarehouse.warehouse_id)
        .outerjoin(ChannelWarehouse, ChannelWarehouse.channel_id == Channel.id)
        .order_by(Channel.id, ChannelWarehouse.rank)
    ).all()
    found: dict[int, ChannelInfo] = {}
    for channel_id, code, buffer, warehouse_id in rows:
        known = found.get(channel_id) or ChannelInfo(channel_id, code, buffer, ())
        served = known.warehouse_ids + ((warehouse_id,) if warehouse_id is not None else ())
        found[channel_id] = ChannelInfo(channel_id, code, buffer, served)
    return list(found.values())


def stock_left(session: Session, taken: Sequence[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """For each (SKU, warehouse) an order took stock from and each channel that warehouse serves: the SKU, the
    free units left there and the channel's safety buffer (what `an_order_may_change_the_answer` reads)."""
    if not taken:
        return []
    rows = session.execute(
        select(Stock.sku_id, Stock.on_hand - Stock.allocated, Channel.safety_buffer)
        .join(ChannelWarehouse, ChannelWarehouse.warehouse_id == Stock.warehouse_id)
        .join(Channel, Channel.id == ChannelWarehouse.channel_id)
        .where(tuple_(Stock.sku_id, Stock.warehouse_id).in_(sorted(set(taken))))
    )
    return [(int(sku), int(free), int(buffer)) for sku, free, buffer in rows]


def skus_by_code(session: Session, codes: Iterable[str]) -> dict[str, Sku]:
    """The SKUs with these codes that exist, by code."""
    return {sku.code: sku for sku in session.scalars(select(Sku).where(Sku.code.in_(set(codes))))}


def every_sku_by_code(session: Session) -> list[Sku]:
    return list(session.scalars(select(Sku).order_by(Sku.code)))
