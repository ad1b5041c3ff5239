"""The rows the before/after comparison of availability answers decides on."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.store.schema import Channel, Sku


def skus_by_id(session: Session, sku_ids: Sequence[int]) -> list[Sku]:
    return list(session.scalars(select(Sku).where(Sku.id.in_(sku_ids)).order_by(Sku.id)))


def channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.id)))
