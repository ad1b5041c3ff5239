"""Idempotency-Key for POSTs that create something: one effect, the first response replayed, clashes refused.

A key is claimed in its own short transaction before the work runs, so a concurrent duplicate sees
it in flight (409) instead of doing the work twice; the response is stored when the work is done.
A claim left in flight by a crashed process is taken over after `STALE_AFTER`. Placing an order is
additionally idempotent inside its own transaction (the order row carries the key), so even a
take-over never places it twice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from restock.services.context import Context, use_case
from restock.store import idempotency as store

STALE_AFTER = timedelta(seconds=60)


class Outcome(enum.Enum):
    CLAIMED = "claimed"
    REPLAY = "replay"
    IN_FLIGHT = "in_flight"
    MISMATCH = "mismatch"


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    status_code: int | None = None
    response: str | None = None


@use_case()
def claim(session: Session, ctx: Context, scope: str, request_hash: str) -> Claim:
    now = ctx.clock.now()
    if store.insert_claim(session, scope, request_hash, now):
        return Claim(Outcome.CLAIMED)
    record = store.record_for_update(session, scope)
    if record.request_hash != request_hash:
        return Claim(Outcome.MISMATCH)
    if record.state == "done":
        return Claim(Outcome.REPLAY, record.status_code, record.response)
    if now - record.created_at > STALE_AFTER:
        record.created_at = now  # its first attempt died: this one takes over
        return Claim(Outcome.CLAIMED)
    return Claim(Outcome.IN_FLIGHT)


@use_case()
def complete(session: Session, ctx: Context, scope: str, status_code: int, response: str) -> None:
    store.mark_done(session, scope, status_code, response)


@use_case()
def release(session: Session, ctx: Context, scope: str) -> None:
    """The work failed on our side: forget the claim so that a retry may run it."""
    store.delete_record(session, scope)
