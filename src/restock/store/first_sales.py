"""When a SKU was first sold as a released product (`domain.availability.is_first_sale`): from then on it is never
a pre-order, whatever release date it is given."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from restock.store.schema import Sku


def mark_first_sold(session: Session, sku_ids: Sequence[int], now: datetime) -> None:
    """Record the first sale; a SKU already sold keeps the moment it was first sold (a racing order may have
    marked it first)."""
    if sku_ids:
        session.execute(
            update(Sku).where(Sku.id.in_(sorted(set(sku_ids))), Sku.first_sold_at.is_(None)).values(first_sold_at=now)
        )
