"""API key rows: only a key's hash and its first characters are stored, never the key itself."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.store.schema import ApiKey, Channel


class LiveKey(NamedTuple):
    """What a request is checked against: the key's id, its role and the code of its channel (if any)."""

    key_id: int
    role: str
    channel: str | None


def add_key(
    session: Session, prefix: str, key_hash: str, role: str, channel_id: int | None, name: str | None, now: datetime
) -> int:
    row = ApiKey(prefix=prefix, key_hash=key_hash, role=role, channel_id=channel_id, name=name, created_at=now)
    session.add(row)
    session.flush()
    return row.id


def key_by_id(session: Session, key_id: int) -> ApiKey | None:
    return session.get(ApiKey, key_id)


def keys_with_channel(session: Session) -> list[tuple[ApiKey, str | None]]:
    """Every key, oldest first, with the code of the channel a storefront key is tied to."""
    rows = session.execute(
        select(ApiKey, Channel.code).outerjoin(Channel, Channel.id == ApiKey.channel_id).order_by(ApiKey.id)
    )
    return [(key, code) for key, code in rows]


def live_key(session: Session, key_hash: str) -> LiveKey | None:
    """The unrevoked key with this hash, or None."""
    row = session.execute(
        select(ApiKey.id, ApiKey.role, Channel.code)
        .outerjoin(Channel, Channel.id == ApiKey.channel_id)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    ).first()
    return None if row is None else LiveKey(row[0], row[1], row[2])
