"""API keys: created with a role (and a channel for storefronts), shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from restock.domain.errors import InvalidInput, NotFound
from restock.domain.model import Role as Role  # re-exported: the API imports it from here
from restock.services.context import Context, use_case
from restock.store import apikeys as store
from restock.store import repo

KEY_PREFIX = "rk_"


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
    key_id = store.add_key(session, key[:10], hash_key(key), parsed.value, channel_id, name, ctx.clock.now())
    return IssuedKey(key_id, key, parsed, channel)


@use_case()
def revoke_key(session: Session, ctx: Context, key_id: int) -> None:
    row = store.key_by_id(session, key_id)
    if row is None:
        raise NotFound(f"unknown API key {key_id}")
    row.revoked_at = row.revoked_at or ctx.clock.now()


@use_case(readonly=True)
def list_keys(session: Session, ctx: Context) -> list[KeyView]:
    rows = store.keys_with_channel(session)
    return [KeyView(k.id, k.prefix, k.role, code, k.name, k.created_at, k.revoked_at) for k, code in rows]


@use_case(readonly=True)
def authenticate(session: Session, ctx: Context, key: str) -> Principal | None:
    """The caller behind a key, or None for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    found = store.live_key(session, hash_key(key))
    if found is None:
        return None
    return Principal(found.key_id, Role(found.role), found.channel)
