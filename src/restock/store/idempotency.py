"""Idempotency records: one row per key scope, claimed in flight, then done with the response to replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from restock.store.db import insert_unless_present
from restock.store.schema import IdempotencyRecord, table


def insert_claim(session: Session, scope: str, request_hash: str, now: datetime) -> bool:
    """Claim `scope` in flight; False (and nothing written) when a record for it already exists."""
    records = table(IdempotencyRecord)
    inserted = session.execute(
        insert_unless_present(session, records, ["scope"])
        .values(scope=scope, request_hash=request_hash, state="in_flight", created_at=now)
        .returning(records.c.scope)
    ).first()
    return inserted is not None


def record_for_update(session: Session, scope: str) -> IdempotencyRecord:
    """The existing record of `scope`, locked and read afresh (a concurrent claim may just have changed it)."""
    return session.get_one(IdempotencyRecord, scope, with_for_update=True, populate_existing=True)


def mark_done(session: Session, scope: str, status_code: int, response: str) -> None:
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.scope == scope)
        .values(state="done", status_code=status_code, response=response)
    )


def delete_record(session: Session, scope: str) -> None:
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.scope == scope))
