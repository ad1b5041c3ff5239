"""The feed of availability changes: numbered rows naming a SKU (or none: every SKU), and the feed's epoch."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, delete, func, or_, select
from sqlalchemy.orm import Session

from restock.store.db import insert_unless_present
from restock.store.schema import AvailabilityChange, AvailabilityFeedEpoch, Sku


def last_seq(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(AvailabilityChange.seq), 0))) or 0


def epoch(session: Session) -> str | None:
    return session.scalar(select(AvailabilityFeedEpoch.token))


def start_epoch_unless_present(session: Session) -> None:
    """A new random epoch, unless a concurrent reader started one first."""
    session.execute(
        insert_unless_present(session, AvailabilityFeedEpoch, ["id"]).values(id=1, token=secrets.token_hex(16))
    )


def changes(session: Session, after: int, also: Sequence[int]) -> list[Row[Any]]:
    """Feed rows after `after` and those numbered in `also`, in feed order, by name: seq, sku_id, code."""
    wanted = AvailabilityChange.seq > after
    if also:
        wanted = or_(wanted, AvailabilityChange.seq.in_(list(also)))
    return list(
        session.execute(
            select(AvailabilityChange.seq, AvailabilityChange.sku_id, Sku.code)
            .outerjoin(Sku, Sku.id == AvailabilityChange.sku_id)
            .where(wanted)
            .order_by(AvailabilityChange.seq)
        )
    )


def forget_before(session: Session, seq: int) -> None:
    """Drop feed rows numbered below `seq`, but never the newest row, so numbering never starts over."""
    newest = session.scalar(select(func.max(AvailabilityChange.seq)))
    if newest is not None:
        session.execute(delete(AvailabilityChange).where(AvailabilityChange.seq < min(seq, newest)))
