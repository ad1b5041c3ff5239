"""API keys: created with a role (and a channel for storefronts), shown once, stored hashed, revocable."""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.domain.errors import InvalidInput, NotFound
from restock.services.context import Context, use_case
from restock.store import repo
from restock.store.schema import ApiKey, Channel

KEY_PREFIX = "rk_"


class Role(enum.StrEnum):
    STOREFRONT = "storefront"
    WAREHOUSE = "warehouse"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: what the API checks every request against."""

    key_id: int
    role: Role
    channel: str | None
    """The only channel a storefront key may act on; None for the other roles."""


@dataclass(frozen=True)
class IssuedKey:
    id: int
    key: str
    role: Role
    channel: str | None


@dataclass(frozen=True)
class KeyView:
    id: int
    prefix: str
    role: str
    channel: str | None
    name: str | None
    created_at: datetime
    revoked_at: datetime | None


def hash_key(key: str) -> str:
    """SHA-256 suffices: keys are 256 random bits, so there is nothing to brute-force as with passwords."""
    return hashlib.sha256(key.encode()).hexdigest()


@use_case()
def create_key(
    session: Session, ctx: Context, role: str, channel: str | None = None, name: str | None = None
) -> IssuedKey:
    try:
        parsed = Role(role)
    except ValueError:
        raise InvalidInput(f"role must be storefront, warehouse or admin, got {role!r}") from None
    if parsed is Role.STOREFRONT and not channel:
        raise InvalidInput("a storefront key needs --channel: it may act on that channel only")
    if parsed is not Role.STOREFRONT and channel:
        raise InvalidInput(f"a {parsed} key is not tied to a channel; leave out --channel")
    channel_id = repo.channel_by_code(session, channel).id if channel else None
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        prefix=key[:10],
        key_hash=hash_key(key),
        role=parsed.value,
        channel_id=channel_id,
        name=name,
        created_at=ctx.clock.now(),
    )
    session.add(row)
    session.flush()
    return IssuedKey(row.id, key, parsed, channel)


@use_case()
def revoke_key(session: Session, ctx: Context, key_id: int) -> None:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"unknown API key {key_id}")
    row.revoked_at = row.revoked_at or ctx.clock.now()


@use_case(readonly=True)
def list_keys(session: Session, ctx: Context) -> list[KeyView]:
    rows = session.execute(
        select(ApiKey, Channel.code).outerjoin(Channel, Channel.id == ApiKey.channel_id).order_by(ApiKey.id)
    )
    return [KeyView(k.id, k.prefix, k.role, code, k.name, k.created_at, k.revoked_at) for k, code in rows]


@use_case(readonly=True)
def authenticate(session: Session, ctx: Context, key: str) -> Principal | None:
    """The caller behind a key, or None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    row = session.execute(
        select(ApiKey.id, ApiKey.role, Channel.code)
        .outerjoin(Channel, Channel.id == ApiKey.channel_id)
        .where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    return Principal(row[0], Role(row[1]), row[2])
