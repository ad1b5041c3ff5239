"""Commit receipts: a token written inside a write transaction, read back when the COMMIT's answer was lost."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from restock.store.schema import CommitReceipt, table


def needs_receipts(engine: Engine) -> bool:
    """Only a server database can lose a COMMIT's answer on the way back; SQLite commits in this process."""
    return engine.dialect.name != "sqlite"


def record_receipt(session: Session, token: str, now: datetime) -> None:
    session.execute(insert(table(CommitReceipt)).values(token=token, created_at=now))


def receipt_exists(engine: Engine, token: str) -> bool:
    """Whether the transaction that wrote `token` committed (read on a fresh connection)."""
    with engine.connect() as connection:
        return connection.scalar(select(CommitReceipt.token).where(CommitReceipt.token == token)) is not None


def purge_receipts_before(session: Session, cutoff: datetime) -> int:
    """A receipt matters only for the seconds a retry takes; a day later it is noise."""
    result = session.execute(delete(CommitReceipt).where(CommitReceipt.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
