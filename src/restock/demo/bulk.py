"""The bulk writer: rows inserted in chunks with SQLAlchemy Core, since a year of history is too much for the ORM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from restock.store.schema import Base

CHUNK_ROWS = 5_000


Row = dict[str, Any]


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def insert_rows(session: Session, model: type[Base], rows: Sequence[Row]) -> None:
    table = _table(model)
    for start in range(0, len(rows), CHUNK_ROWS):
        session.execute(insert(table), rows[start : start + CHUNK_ROWS])


def insert_returning_ids(session: Session, model: type[Base], rows: Sequence[Row]) -> list[int]:
    """Insert in chunks and return the new ids in the order of `rows` (RETURNING, sorted by parameter order)."""
    table = _table(model)
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
        ids.extend(int(i) for i in result.scalars())
    return ids
