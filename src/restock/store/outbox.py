"""Writing outbox messages inside the caller's transaction (invariant 6); delivery is the worker's job."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from restock.store.schema import OutboxMessage, table

_INSERT = insert(table(OutboxMessage))


def emit(session: Session, topic: str, dedup_key: str, payload: dict[str, Any], now: datetime) -> None:
    """Queue one message; `dedup_key` is unique, so a receiver can drop a message it has already seen."""
    session.execute(
        _INSERT,
        {
            "topic": topic,
            "dedup_key": dedup_key,
            "payload": json.dumps(payload, default=str, sort_keys=True),
            "created_at": now,
            "attempts": 0,
        },
    )
