"""Writing outbox messages inside the caller's transaction (invariant 6); delivery is the worker's job."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from restock.store.schema import OutboxMessage, table

OUTBOX = table(OutboxMessage)
_INSERT = insert(OUTBOX)


def emit(session: Session, topic: str, dedup_key: str, payload: dict[str, Any], now: datetime) -> None:
    """Queue one message; `dedup_key` is unique, so a receiver can drop a message it has already seen."""
    session.execute(_INSERT, message_row(topic, dedup_key, payload, now))


def message_row(topic: str, dedup_key: str, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The outbox row of one message, for a caller that writes it together with other rows."""
    return {
        "topic": topic,
        "dedup_key": dedup_key,
        "payload": json.dumps(payload, default=str, sort_keys=True),
        "created_at": now,
        "attempts": 0,
    }
