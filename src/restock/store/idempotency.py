"""Idempotency records: one row per key scope with the answer to replay, guarded by a per-scope lock."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from restock.domain.model import IdempotencyState
from restock.store.schema import IdempotencyRecord, table


def hold(session: Session, scope: str) -> bool:
    """Take the key's lock for this transaction; False when another transaction holds it now.

    PostgreSQL: `pg_try_advisory_xact_lock` on a 64-bit hash of the scope, never waiting, released at commit or
    rollback. SQLite: always True, since no other write transaction can run beside this one.
    """
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(lock_key(scope)))))


def lock_key(scope: str) -> int:
    """The advisory lock's 64-bit key for a scope (two scopes sharing one, a 1 in 2**64 chance, would make the
    later of two simultaneous requests answer 409 in flight, never run twice)."""
    return int.from_bytes(hashlib.sha256(scope.encode()).digest()[:8], "big", signed=True)


def answered(session: Session, scope: str) -> IdempotencyRecord | None:
    """The answer recorded for `scope`. A claim left `in_flight` by a version before 0008 (which completed keys in
    a transaction of their own) is no answer: it is dropped here, under the key's lock, so the work may run."""
    record = session.get(IdempotencyRecord, scope, populate_existing=True)
    if record is None or record.state == IdempotencyState.DONE:
        return record
    session.delete(record)
    session.flush()
    return None


def record_answer(
    session: Session, scope: str, request_hash: str, status_code: int, response: str, now: datetime
) -> None:
    session.execute(
        table(IdempotencyRecord)
        .insert()
        .values(
            scope=scope,
            request_hash=request_hash,
            state=IdempotencyState.DONE.value,
            status_code=status_code,
            response=response,
            created_at=now,
        )
    )
