"""The outbox seen from the worker: claim due messages under a lease, record success, failure and dead letters.

A worker claims a batch in one short transaction: `FOR UPDATE SKIP LOCKED` on PostgreSQL lets several
workers claim side by side without waiting for or taking each other's rows, and the lease written on the
rows (`locked_until`) keeps them away from the others while it delivers, outside any transaction. A worker
that dies leaves its lease to run out; then another worker takes the messages over (at least once).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from restock.store.schema import Base, JobRun, OutboxMessage, table


@dataclass(frozen=True)
class Claimed:
    id: int
    topic: str
    dedup_key: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class NewMessage:
    """A message a handler derives from another one (an e-mail or a webhook delivery of an event)."""

    topic: str
    dedup_key: str
    payload: dict[str, Any]


def insert_ignoring_duplicates(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike: a repeat is dropped, not an error."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table(model))
    session.execute(statement.on_conflict_do_nothing(), list(rows))


def add_messages(session: Session, messages: Sequence[NewMessage], now: datetime) -> None:
    """Queue derived messages; one already queued under the same key (a repeated expansion) is kept, not doubled."""
    insert_ignoring_duplicates(
        session,
        OutboxMessage,
        [
            {
                "topic": m.topic,
                "dedup_key": m.dedup_key,
                "payload": json.dumps(m.payload, default=str, sort_keys=True),
                "created_at": now,
                "attempts": 0,
            }
            for m in messages
        ],
    )


def _due(now: datetime) -> Any:
    return (
        OutboxMessage.delivered_at.is_(None),
        OutboxMessage.dead_at.is_(None),
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
    )


def claim_due(
    session: Session, now: datetime, limit: int, lease_seconds: int, topics: Sequence[str] | None = None
) -> list[Claimed]:
    """Take up to `limit` due messages, oldest first, and lease them to this worker: one statement
    (UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING ...)."""
    outbox = table(OutboxMessage)
    due = select(outbox.c.id).where(*_due(now)).order_by(outbox.c.id).limit(limit)
    if topics is not None:
        due = due.where(outbox.c.topic.in_(topics))
    rows = session.execute(
        update(outbox)
        .where(outbox.c.id.in_(due.with_for_update(skip_locked=True).scalar_subquery()))
        .values(locked_until=now + timedelta(seconds=lease_seconds))
        .returning(
            outbox.c.id, outbox.c.topic, outbox.c.dedup_key, outbox.c.payload, outbox.c.attempts, outbox.c.created_at
        )
    ).all()
    return sorted(
        (Claimed(r.id, r.topic, r.dedup_key, json.loads(r.payload), r.attempts, r.created_at) for r in rows),
        key=lambda c: c.id,
    )


def relax_durability(session: Session) -> None:
    """Let this transaction commit without waiting for its WAL flush (PostgreSQL `synchronous_commit = off`).

    Only for the worker's own bookkeeping (leases, delivered marks): if the server crashes right after
    the commit and loses it, the message is simply delivered again, with the same key, which at-least-once
    delivery allows. Changes to stock and orders never use it.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit = off"))


def mark_delivered(session: Session, ids: Sequence[int], now: datetime) -> None:
    if not ids:
        return
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.delivered_at.is_(None))
        .values(delivered_at=now, locked_until=None, attempts=OutboxMessage.attempts + 1, last_error=None)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, ids: Sequence[int]) -> None:
    """Give claimed messages back before their lease runs out: due again for any worker."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.delivered_at.is_(None))
        .values(locked_until=None)
        .execution_options(synchronize_session=False)
    )


def mark_failed(
    session: Session, message_id: int, error: str, now: datetime, retry_at: datetime | None, dead: bool
) -> None:
    """Count the failed attempt; park the message as dead, or schedule its next attempt."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.delivered_at.is_(None))
        .values(
            attempts=OutboxMessage.attempts + 1,
            last_error=error[:2000],
            locked_until=None,
            next_attempt_at=retry_at,
            dead_at=now if dead else None,
        )
        .execution_options(synchronize_session=False)
    )


def next_due_at(session: Session) -> datetime | None:
    """When the next pending message may be tried (None: nothing pending); lets an idle worker sleep."""
    pending = select(OutboxMessage.next_attempt_at, OutboxMessage.locked_until).where(
        OutboxMessage.delivered_at.is_(None), OutboxMessage.dead_at.is_(None)
    )
    moments = [max(filter(None, row), default=datetime.min) for row in session.execute(pending.limit(1000))]
    return min(moments, default=None)


def claim_job_run(session: Session, name: str, every_seconds: float, now: datetime) -> bool:
    """True for the one worker that may run the periodic job now (it last ran at least `every` ago)."""
    insert_ignoring_duplicates(session, JobRun, [{"name": name, "last_run_at": None}])
    claimed = session.execute(
        update(JobRun)
        .where(
            JobRun.name == name,
            or_(JobRun.last_run_at.is_(None), JobRun.last_run_at <= now - timedelta(seconds=every_seconds)),
        )
        .values(last_run_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]
