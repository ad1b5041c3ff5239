"""Writing outbox messages inside the caller's transaction (invariant 6); delivery is the worker's job.

An event (`domain.events`) is stored as JSON: a field's name is its key; a nested dataclass (a line, a ship
window) is an object, a tuple a list, an enum its value, a date ISO 8601 and a moment RFC 3339 in UTC.
`event_of` reads a payload back into its event, the inverse of `payload_of`.
"""

from __future__ import annotations

import enum
import json
import types
from collections.abc import Mapping, Sequence
from dataclasses import Field, fields, is_dataclass
from datetime import UTC, date, datetime
from typing import Any, Union, get_args, get_origin, get_type_hints

from sqlalchemy import insert
from sqlalchemy.orm import Session

from restock.config import utc_iso
from restock.domain.events import EVENT_TYPES, KEY_ONLY, Event, Topic
from restock.store.schema import OutboxMessage, table

OUTBOX = table(OutboxMessage)
_INSERT = insert(OUTBOX)


def emit(session: Session, event: Event, now: datetime) -> None:
    """Queue one event; its `dedup_key` is unique, so a receiver can drop a message it has already seen."""
    session.execute(_INSERT, event_row(event, now))


def emit_all(session: Session, events: Sequence[Event], now: datetime) -> None:
    """Queue many events in one statement (one per filled backorder part, say)."""
    if events:
        session.execute(_INSERT, [event_row(event, now) for event in events])


def event_row(event: Event, now: datetime) -> dict[str, Any]:
    """The outbox row of one event, for a caller that writes it together with other rows."""
    return _row(event.topic, event.dedup_key, payload_of(event), now)


def _row(topic: Topic, dedup_key: str, payload: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "topic": topic.value,
        "dedup_key": dedup_key,
        "payload": json.dumps(payload, default=str, sort_keys=True),
        "created_at": now,
        "attempts": 0,
    }


# ---------------------------------------------------------------- to JSON and back


_FIELDS: dict[type, tuple[Field[Any], ...]] = {}
_HINTS: dict[type, dict[str, Any]] = {}


def _payload_fields(cls: type) -> tuple[Field[Any], ...]:
    """The fields that go into the payload (computed once per class: order placement is a hot path)."""
    if cls not in _FIELDS:
        _FIELDS[cls] = tuple(f for f in fields(cls) if not f.metadata.get(KEY_ONLY))
    return _FIELDS[cls]


def payload_of(event: object) -> dict[str, Any]:
    """The event (or a nested dataclass of it) as its JSON object; also what a webhook carries as `data`."""
    return {f.name: _plain(getattr(event, f.name)) for f in _payload_fields(type(event))}


_SCALARS = frozenset({str, int, bool, float, type(None)})
"""Values that are their own JSON: checked first, as most fields are (a fill writes thousands of events)."""


def _plain(value: object) -> Any:
    if type(value) in _SCALARS:
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return payload_of(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def event_of(topic: str, payload: Mapping[str, Any]) -> Event:
    """The event a stored message holds: parsed once, where the worker claims it."""
    event: Event = _build(EVENT_TYPES[Topic(topic)], payload)
    return event


def is_event(topic: str) -> bool:
    """True for a topic the core emits (not a derived e-mail or webhook delivery)."""
    return topic in EVENT_TYPES


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _build(cls: type[Any], data: Mapping[str, Any]) -> Any:
    """A field missing from a payload written before the field existed takes its default."""
    hints = _hints(cls)
    # A field added to an event later has a default: a message written before it was added lacks it.
    return cls(**{f.name: _typed(hints[f.name], data[f.name]) for f in _payload_fields(cls) if f.name in data})


def _typed(hint: Any, value: Any) -> Any:
    """A JSON value as the type the field declares (the inverse of `_plain`)."""
    if value is None:
        return None
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        (inner,) = (arg for arg in get_args(hint) if arg is not type(None))
        return _typed(inner, value)
    if origin is tuple:
        return tuple(_typed(get_args(hint)[0], item) for item in value)
    if isinstance(hint, type) and is_dataclass(hint):
        return _build(hint, value)
    if hint is datetime:
        return datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None)
    if hint is date:
        return date.fromisoformat(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    return value
