"""What an availability answer reads besides stock and supply: the SKUs and channels asked about, and which
SKUs have ever had stock arrive (a SKU that never had is a first release: its backorders are pre-orders)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from restock.store.schema import Channel, Movement, Sku


def ever_stocked(session: Session, sku_ids: Sequence[int]) -> set[int]:
    """Which of these SKUs have ever had stock arrive (one query for a whole page)."""
    arrived = exists().where(Movement.sku_id == Sku.id, Movement.on_hand_delta > 0)
    return set(session.scalars(select(Sku.id).where(Sku.id.in_(sku_ids), arrived)))


def channels_by_id(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.id)))


def skus_by_code(session: Session, codes: Iterable[str]) -> dict[str, Sku]:
    """The SKUs with these codes that exist, by code."""
    return {sku.code: sku for sku in session.scalars(select(Sku).where(Sku.code.in_(set(codes))))}


def every_sku_by_code(session: Session) -> list[Sku]:
    return list(session.scalars(select(Sku).order_by(Sku.code)))
