"""The feed of availability changes (migrations 0006 and 0007): rows written by triggers, read by API workers.

Every statement on the `availability_changes` table and its `availability_feed_epoch` row is here; what a reader
makes of them (which answers to drop, when the feed started over) is `restock.services.availability_feed`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from restock.store.db import insert_unless_present
from restock.store.schema import AvailabilityChange, AvailabilityFeedEpoch, Sku


class FeedEntry(NamedTuple):
    seq: int
    sku_id: int | None
    """None: the change may touch every SKU (a channel's buffer or warehouses, a supplier's lateness)."""
    sku_code: str | None


def newest_seq(session: Session) -> int:
    """The number of the newest row, 0 for a feed that never had one."""
    return session.scalar(select(func.coalesce(func.max(AvailabilityChange.seq), 0))) or 0


def epoch_token(session: Session) -> str | None:
    """The token of the feed's current run; None when a crash of PostgreSQL emptied the (unlogged) feed."""
    return session.scalar(select(AvailabilityFeedEpoch.token))


def start_epoch(session: Session) -> str:
    """A new run's token, unless another process started one first: then that one, so every reader agrees."""
    session.execute(
        insert_unless_present(session, AvailabilityFeedEpoch, ["id"]).values(id=1, token=secrets.token_hex(16))
    )
    return str(session.scalar(select(AvailabilityFeedEpoch.token)))


def entries_after(session: Session, after: int, also: Sequence[int] = ()) -> list[FeedEntry]:
    """Rows numbered after `after`, and those numbered in `also`, in feed order, with their SKU's code."""
    wanted = AvailabilityChange.seq > after
    if also:
        wanted = or_(wanted, AvailabilityChange.seq.in_(list(also)))
    rows = session.execute(
        select(AvailabilityChange.seq, AvailabilityChange.sku_id, Sku.code)
        .outerjoin(Sku, Sku.id == AvailabilityChange.sku_id)
        .where(wanted)
        .order_by(AvailabilityChange.seq)
    ).all()
    return [FeedEntry(row.seq, row.sku_id, row.code) for row in rows]


def delete_before(session: Session, seq: int) -> None:
    """Drop the rows numbered before `seq`, but never the newest: numbering must not start over."""
    newest = session.scalar(select(func.max(AvailabilityChange.seq)))
    if newest is not None:
        session.execute(delete(AvailabilityChange).where(AvailabilityChange.seq < min(seq, newest)))
